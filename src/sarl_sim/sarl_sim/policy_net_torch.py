"""Torch twin of :class:`sarl_sim.policy_net.NumpyPolicyNet`, used only for training.

Why a twin: training needs autograd and batches; inference must not import
torch. Parameter names and maths match the numpy forward pass one to one (a
test checks they agree), so ``state_dict`` exports straight into the shipped
weight file.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from sarl_sim.policy_net import ACTION_DIM, NetConfig


class TorchPolicyNet(nn.Module):
    """Pointer-attention policy over (prompt embedding, proprioception, objects)."""

    def __init__(self, config: NetConfig) -> None:
        super().__init__()
        self.config = config
        self.params = nn.ParameterDict()
        for name, shape in config.shapes().items():
            if name == "log_scale":
                init = torch.full(shape, float(np.log(1.0 / np.sqrt(config.key_dim))))
            elif name.endswith("_b"):
                init = torch.zeros(shape)
            else:
                init = torch.randn(shape) * np.sqrt(1.0 / shape[0])
            self.params[name] = nn.Parameter(init)

    def forward(
        self,
        embedding: torch.Tensor,
        objects: torch.Tensor,
        mask: torch.Tensor,
        held: torch.Tensor,
        proprio: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Normalised action chunks (B, horizon, 7) and attention weights (B, N)."""
        p = self.params
        projection = torch.tanh(embedding @ p["prompt_w"] + p["prompt_b"])
        query = (projection @ p["query_w"] + p["query_b"]) * torch.exp(p["log_scale"][0])
        keys = torch.relu(objects @ p["key1_w"] + p["key1_b"]) @ p["key2_w"] + p["key2_b"]
        scores = torch.einsum("bnk,bk->bn", keys, query)
        scores = scores.masked_fill(mask <= 0, -1e9)
        weights = torch.softmax(scores, dim=-1)
        attended = torch.einsum("bn,bnf->bf", weights, objects)
        held_row = torch.einsum("bn,bnf->bf", held, objects)
        x = torch.cat([projection, proprio, attended, held_row], dim=-1)
        h = torch.relu(x @ p["h1_w"] + p["h1_b"])
        h = torch.relu(h @ p["h2_w"] + p["h2_b"])
        out = h @ p["out_w"] + p["out_b"]
        return out.view(-1, self.config.horizon, ACTION_DIM), weights

    def numpy_params(self) -> dict[str, np.ndarray]:
        """Parameters as float32 numpy arrays, keyed like :meth:`NetConfig.shapes`."""
        return {name: value.detach().cpu().numpy().astype(np.float32) for name, value in self.params.items()}
