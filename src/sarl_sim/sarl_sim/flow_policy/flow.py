"""Flow matching (rectified flow) over action chunks: the training target and the sampler.

Why flow matching: it is the action head of pi0 / pi0.5, and it keeps what DSRL steers — the
action is a deterministic function of an initial noise ``x0``, so a policy over ``x0`` can move
the base policy between the modes it learned without touching its weights.

Convention: ``x_t = (1 - t) x0 + t x1`` with ``x0 ~ N(0, I)`` (noise) and ``x1`` (data); the
network predicts the velocity ``x1 - x0``; sampling integrates from t = 0 to t = 1.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

Velocity = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
"""(x_t of shape (B, ...), t of shape (B,)) -> predicted velocity, shape of x_t; conditioning is bound in."""
DEFAULT_STEPS = 10
"""Euler steps of the sampler (pi0 uses 10)."""


def flow_matching_loss(velocity: Velocity, actions: torch.Tensor, generator: torch.Generator | None = None
                       ) -> torch.Tensor:  # fmt: skip
    """Mean squared error between predicted and straight-line velocity at a random time per sample."""
    noise = torch.randn(actions.shape, generator=generator, dtype=actions.dtype)
    t = torch.rand(actions.shape[0], generator=generator, dtype=actions.dtype)
    shape = (-1,) + (1,) * (actions.dim() - 1)
    x_t = (1.0 - t.view(shape)) * noise + t.view(shape) * actions
    return torch.mean((velocity(x_t, t) - (actions - noise)) ** 2)


def integrate(velocity: Velocity, noise: torch.Tensor, steps: int = DEFAULT_STEPS) -> torch.Tensor:
    """The action the flow carries ``noise`` to: Euler steps from t = 0 to 1 (deterministic in ``noise``)."""
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    x = noise
    dt = 1.0 / steps
    for step in range(steps):
        t = torch.full((noise.shape[0],), step * dt, dtype=noise.dtype)
        x = x + dt * velocity(x, t)
    return x
