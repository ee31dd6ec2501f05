"""Semantic Q-network ``Q(s, l)`` over one-hot prompt ids.

``Q(s, l) = e_l . head_k(encoder(s))``: the head outputs one value per cache
id, and the one-hot ``e_l`` picks the prompt. This is the one-hot prompt
encoding evaluated for every cached prompt in a single pass, which keeps a
decision over 100 candidates as cheap as over one.

Ensemble: ``ensemble_size`` independent MLP heads share the state encoder
(the CNN is the expensive part). Acting uses the mean over heads; the TD
target uses ``min`` (clipped double-Q) or ``mean`` of the *target* heads.

Exact, neutral initialisation: the output layer's weights start at zero and
its bias at ``init_q`` (0 by default). The loss only touches the Q of the
prompt that was executed, so a never-tried prompt keeps exactly ``init_q``
in every state: it can neither win a greedy choice over a prompt with a
learned positive value nor inflate the backup. Exploration of untried
prompts is the behaviour policy's job (``novelty.py``).
"""

from __future__ import annotations

import itertools
import math

import torch
from torch import nn

from .config import QConfig
from .encoders import StateEncoder
from .observation import ObservationBatch


class EnsembleLinear(nn.Module):
    """``ensemble`` independent linear layers applied in one batched matmul.

    Input (B, in) is shared by all members, or (E, B, in) per member;
    output is (E, B, out). Initialised like ``nn.Linear`` per member.
    """

    def __init__(self, ensemble: int, in_features: int, out_features: int) -> None:
        super().__init__()
        bound = 1.0 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(ensemble, in_features, out_features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(ensemble, 1, out_features).uniform_(-bound, bound))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.baddbmm(self.bias, x, self.weight) if x.dim() == 3 else torch.matmul(x, self.weight) + self.bias


class SemanticQNetwork(nn.Module):
    """State encoder + ensemble of MLP heads with one output per prompt id."""

    def __init__(self, encoder: StateEncoder, num_prompts: int, config: QConfig) -> None:
        super().__init__()
        self.encoder = encoder
        self.num_prompts = num_prompts
        self.ensemble_size = config.ensemble_size
        widths = (encoder.output_dim, *config.hidden_sizes)
        self.hidden = nn.ModuleList(
            EnsembleLinear(config.ensemble_size, w_in, w_out) for w_in, w_out in itertools.pairwise(widths)
        )
        self.output = EnsembleLinear(config.ensemble_size, widths[-1], num_prompts)
        with torch.no_grad():
            self.output.weight.zero_()
            self.output.bias.fill_(config.init_q)

    def forward(self, batch: ObservationBatch) -> torch.Tensor:
        """Q-values of every cached prompt per head: (ensemble, B, num_prompts)."""
        x = self.encoder(batch)
        for layer in self.hidden:
            x = torch.relu(layer(x))
        return self.output(x)
