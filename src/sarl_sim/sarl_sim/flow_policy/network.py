"""The pixel stand-in VLA: camera image + proprioception + prompt embedding -> a 4 x 7 action chunk.

Why this shape: a small CNN at 64-96 px is what this CPU can train and run at the control rate; the
prompt enters by FiLM on the image features (an unknown phrase acts wherever its MiniLM embedding
lands, as a VLA's language conditioning does); the action head is flow matching (:mod:`.flow`) with
the initial noise as an optional input, so the same observation and noise always give the same chunk.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from .flow import DEFAULT_STEPS, flow_matching_loss, integrate


@dataclass(frozen=True)
class FlowPolicyConfig:
    image_size: int = 64
    """Square RGB input (pixels); frames are resized to it before the network."""
    horizon: int = 4
    """Actions per chunk."""
    action_dim: int = 7
    """End-effector delta (6) + gripper target."""
    proprio_dim: int = 7
    """End-effector pose (6) + gripper opening."""
    prompt_dim: int = 384
    """MiniLM sentence embedding size."""
    width: int = 128
    """Hidden size of the condition and of the velocity MLP."""
    time_features: int = 16
    """Sinusoidal features of the flow time t."""

    @property
    def chunk_size(self) -> int:
        return self.horizon * self.action_dim


class PixelFlowPolicy(nn.Module):
    """``act(image, proprio, prompt, noise)`` -> action chunk; ``loss(...)`` for training on demonstrations."""

    def __init__(self, config: FlowPolicyConfig = FlowPolicyConfig()) -> None:
        super().__init__()
        self.config = config
        self.conv = nn.ModuleList([
            nn.Conv2d(3, 16, 5, stride=2, padding=2),
            nn.Conv2d(16, 32, 3, stride=2, padding=1),
            nn.Conv2d(32, 32, 3, stride=2, padding=1),
        ])  # fmt: skip
        self.film = nn.Linear(config.prompt_dim, 2 * 32)
        self.pool = nn.AdaptiveAvgPool2d(4)
        self.condition_mlp = nn.Sequential(
            nn.Linear(32 * 16 + config.proprio_dim + config.prompt_dim, config.width), nn.ReLU(),
            nn.Linear(config.width, config.width),
        )  # fmt: skip
        self.velocity_mlp = nn.Sequential(
            nn.Linear(config.chunk_size + config.time_features + config.width, config.width), nn.ReLU(),
            nn.Linear(config.width, config.width), nn.ReLU(),
            nn.Linear(config.width, config.chunk_size),
        )  # fmt: skip

    def condition(self, images: torch.Tensor, proprio: torch.Tensor, prompt: torch.Tensor) -> torch.Tensor:
        """(B, width) from images (B, 3, S, S) in [0, 1], proprio (B, P) and prompt embeddings (B, E)."""
        x = images
        for layer in self.conv:
            x = torch.relu(layer(x))
        scale, shift = self.film(prompt).chunk(2, dim=-1)
        x = x * (1.0 + scale[:, :, None, None]) + shift[:, :, None, None]
        features = self.pool(x).flatten(1)
        return self.condition_mlp(torch.cat([features, proprio, prompt], dim=-1))

    def velocity(self, x_t: torch.Tensor, t: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        """Predicted velocity of chunks x_t (B, horizon, action_dim) at flow times t (B,)."""
        flat = x_t.reshape(x_t.shape[0], -1)
        out = self.velocity_mlp(torch.cat([flat, self._time_features(t), condition], dim=-1))
        return out.view_as(x_t)

    def loss(self, images: torch.Tensor, proprio: torch.Tensor, prompt: torch.Tensor, actions: torch.Tensor,
             generator: torch.Generator | None = None) -> torch.Tensor:  # fmt: skip
        condition = self.condition(images, proprio, prompt)
        return flow_matching_loss(lambda x, t: self.velocity(x, t, condition), actions, generator)

    @torch.no_grad()
    def act(self, images: torch.Tensor, proprio: torch.Tensor, prompt: torch.Tensor,
            noise: torch.Tensor | None = None, generator: torch.Generator | None = None,
            steps: int = DEFAULT_STEPS) -> torch.Tensor:  # fmt: skip
        """Action chunks (B, horizon, action_dim); ``noise`` (same shape) fixes them, else drawn from ``generator``."""
        shape = (images.shape[0], self.config.horizon, self.config.action_dim)
        if noise is None:
            noise = torch.randn(shape, generator=generator)
        elif tuple(noise.shape) != shape:
            raise ValueError(f"noise must have shape {shape}, got {tuple(noise.shape)}")
        condition = self.condition(images, proprio, prompt)
        return integrate(lambda x, t: self.velocity(x, t, condition), noise, steps)

    def _time_features(self, t: torch.Tensor) -> torch.Tensor:
        half = self.config.time_features // 2
        frequencies = torch.exp(torch.arange(half, dtype=t.dtype) * (-math.log(100.0) / max(1, half - 1)))
        angles = t[:, None] * frequencies[None, :] * 2.0 * math.pi
        return torch.cat([torch.sin(angles), torch.cos(angles)], dim=-1)
