"""Shared fixtures of the physics-world tests: small seeded scenes and a renderer that skips without OpenGL."""

from __future__ import annotations

import numpy as np
import pytest
from sarl_sim.objects import make_instance
from sarl_sim.physics.arm_control import DeltaArmController
from sarl_sim.physics.rendering import CameraRenderer, RenderUnavailableError
from sarl_sim.physics.world import PhysicsWorld
from sarl_sim.tasks import get_task
from sarl_sim.world import TABLE_Z

SUSHI_BASE = (0.26, 0.02, TABLE_Z)
"""Where the lone test object stands: mid-table, in front of home."""


@pytest.fixture
def lone_sushi_world() -> PhysicsWorld:
    """One sushi piece on the table, arm at home."""
    return PhysicsWorld([make_instance("sushi", "sushi")], np.array([SUSHI_BASE]))


@pytest.fixture
def task_world() -> PhysicsWorld:
    """The lid-on-pot task laid out for seed 0 (several objects, a lid resting on a container)."""
    return PhysicsWorld.from_layout(get_task("pot_lid_to_towel").build(np.random.default_rng(0)))


@pytest.fixture
def controller(task_world: PhysicsWorld) -> DeltaArmController:
    return DeltaArmController(task_world)


@pytest.fixture
def renderer(task_world: PhysicsWorld):
    """A 96 px renderer of ``task_world``; the test is skipped, with the reason, where headless GL is missing."""
    try:
        camera = CameraRenderer(task_world, 96)
    except RenderUnavailableError as error:
        pytest.skip(str(error))
    yield camera
    camera.close()
