"""State encoders behind one small interface, chosen by ``EncoderConfig.kind``.

Why several: what makes the semantic state Markov depends on the setup.
The *history* of chosen prompts tells what has been tried; *proprio* tells
whether the gripper actually closed; the *image* tells what the scene looks
like (drawer open, object moved). Encoders are concatenated in config order
and trained end to end with the Q-function.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch
from torch import nn

from .config import EncoderConfig
from .observation import PROPRIO_DIM, ObservationBatch


class StateEncoder(nn.Module, ABC):
    """Maps an ``ObservationBatch`` to features of shape (B, output_dim)."""

    output_dim: int

    @abstractmethod
    def forward(self, batch: ObservationBatch) -> torch.Tensor: ...


class HistoryEncoder(StateEncoder):
    """Parameter-free features of *what has been done*.

    one-hot(step index, max_steps + 1) ++ multi-hot(prompt ids chosen so far)
    ++ one-hot(last prompt id, or "none" at the episode start). The multi-hot
    says which sub-skills were attempted, the last prompt says where the arm
    probably is; the MLP after it learns their interactions.
    """

    def __init__(self, max_steps: int, num_prompts: int) -> None:
        super().__init__()
        self._max_steps = max_steps
        self._num_prompts = num_prompts
        self._chosen_offset = max_steps + 1
        self._last_offset = self._chosen_offset + num_prompts
        self.output_dim = self._last_offset + num_prompts + 1

    def forward(self, batch: ObservationBatch) -> torch.Tensor:
        # One scatter of 1s at computed column indices (padding goes to a spare column that is cut off):
        # a handful of tensor ops instead of several one_hot calls, which matters at ~1 ms/op-heavy CPU updates.
        history = batch.history
        present = history >= 0
        length = present.sum(dim=1, keepdim=True)
        last = history.gather(1, (length - 1).clamp_(min=0))
        last = torch.where(last >= 0, last, self._num_prompts)
        spare = self.output_dim
        columns = torch.cat(
            [
                batch.step.clamp(0, self._max_steps).unsqueeze(1),
                torch.where(present, history + self._chosen_offset, spare),
                last + self._last_offset,
            ],
            dim=1,
        )
        features = torch.zeros(history.shape[0], spare + 1, device=history.device)
        return features.scatter_(1, columns, 1.0)[:, :spare]


class ProprioEncoder(StateEncoder):
    """Small MLP over the 7-d end-effector state (metres, radians and gripper are all O(1))."""

    def __init__(self, hidden: int, features: int) -> None:
        super().__init__()
        self.output_dim = features
        self.net = nn.Sequential(nn.Linear(PROPRIO_DIM, hidden), nn.ReLU(), nn.Linear(hidden, features), nn.ReLU())

    def forward(self, batch: ObservationBatch) -> torch.Tensor:
        return self.net(batch.proprio)


class ImageEncoder(StateEncoder):
    """Small CNN over the resized RGB image (stride-2 4x4 convs, each halving resolution).

    Sized for CPU training on a robot laptop; it is trained by the TD loss,
    so it learns only what matters for prompt values.
    """

    def __init__(self, image_size: int, channels: tuple[int, ...], features: int) -> None:
        super().__init__()
        self.output_dim = features
        layers: list[nn.Module] = []
        in_channels = 3
        for out_channels in channels:
            layers += [nn.Conv2d(in_channels, out_channels, kernel_size=4, stride=2, padding=1), nn.ReLU()]
            in_channels = out_channels
        self.conv = nn.Sequential(*layers, nn.Flatten())
        with torch.no_grad():
            flat = self.conv(torch.zeros(1, 3, image_size, image_size)).shape[1]
        self.head = nn.Sequential(nn.Linear(flat, features), nn.ReLU())

    def forward(self, batch: ObservationBatch) -> torch.Tensor:
        if batch.image is None:
            raise ValueError("ImageEncoder needs ObservationBatch.image, got None")
        return self.head(self.conv(batch.image.float().div_(255.0)))


class ConcatEncoder(StateEncoder):
    """Concatenation of several encoders' features, in order."""

    def __init__(self, encoders: list[StateEncoder]) -> None:
        super().__init__()
        if not encoders:
            raise ValueError("ConcatEncoder needs at least one encoder")
        self.parts = nn.ModuleList(encoders)
        self.output_dim = sum(e.output_dim for e in encoders)

    def forward(self, batch: ObservationBatch) -> torch.Tensor:
        if len(self.parts) == 1:
            return self.parts[0](batch)
        return torch.cat([part(batch) for part in self.parts], dim=1)


def build_encoder(config: EncoderConfig, num_prompts: int) -> ConcatEncoder:
    """The encoder named by ``config.kind`` (always wrapped, so the module layout is uniform)."""
    parts: list[StateEncoder] = []
    for kind in config.kind:
        if kind == "history":
            parts.append(HistoryEncoder(config.max_steps, num_prompts))
        elif kind == "proprio":
            parts.append(ProprioEncoder(config.proprio_hidden, config.proprio_features))
        elif kind == "image":
            parts.append(ImageEncoder(config.image_size, config.image_channels, config.image_features))
        else:  # pragma: no cover - EncoderConfig already refuses unknown kinds
            raise ValueError(f"unknown encoder kind {kind!r}")
    return ConcatEncoder(parts)
