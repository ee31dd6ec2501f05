"""docs/vla_checkpoints.md's worked example, run: its openpi transforms served to the real bridge.

The example ``widowx_policy.py`` is taken verbatim from the doc and executed
with the two openpi names it imports stubbed as openpi defines them
(``openpi.transforms.DataTransformFn`` is a Protocol, ``openpi.models.model.
ModelType`` an Enum of pi0 / pi0_fast / pi05; openpi commit
15a9616a00943ada6c20a0f158e3adb39df2ccac). The served policy is
``WidowXInputs`` → a stand-in model that checks the model-input structure
openpi's π0 expects (state, three named images, image masks, prompt) and
answers a 32-wide padded action chunk → ``WidowXOutputs``, exactly the path
openpi's ``Policy.infer`` takes around the network.
"""

from __future__ import annotations

import enum
import re
import sys
import types
from pathlib import Path
from typing import Protocol

import numpy as np
import pytest
from bridge_harness import Bridge, ConfirmingDriver
from sarl_interfaces.action import ExecutePrompt
from sarl_sim.policy_server import PolicyServer

DOC = Path(__file__).resolve().parents[3] / "docs" / "vla_checkpoints.md"
MODEL_ACTION_DIM = 32
"""π0 / π0.5 pad actions to 32 columns; the output transform slices them."""


def _example_source() -> str:
    match = re.search(r"<!-- tested: widowx_policy.py -->\s*```python\n(.*?)```", DOC.read_text(), re.S)
    assert match, f"{DOC} lost its tested widowx_policy.py block"
    return match.group(1)


@pytest.fixture(scope="module")
def widowx_policy():
    """The doc's module, executed against openpi stand-ins of the names it imports."""

    class DataTransformFn(Protocol):
        def __call__(self, data: dict) -> dict: ...

    class ModelType(enum.Enum):
        PI0 = "pi0"
        PI0_FAST = "pi0_fast"
        PI05 = "pi05"

    stubs = {name: types.ModuleType(name) for name in ("openpi", "openpi.transforms", "openpi.models",
                                                       "openpi.models.model")}  # fmt: skip
    stubs["openpi.transforms"].DataTransformFn = DataTransformFn
    stubs["openpi.models.model"].ModelType = ModelType
    stubs["openpi"].transforms = stubs["openpi.transforms"]
    stubs["openpi"].models = stubs["openpi.models"]
    stubs["openpi.models"].model = stubs["openpi.models.model"]
    saved = {name: sys.modules.get(name) for name in stubs}
    sys.modules.update(stubs)
    try:
        module = types.ModuleType("widowx_policy")
        exec(compile(_example_source(), str(DOC), "exec"), module.__dict__)
    finally:
        for name, previous in saved.items():
            if previous is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = previous
    module.ModelType = ModelType
    return module


class ServedFineTune:
    """openpi's Policy.infer around a stand-in network: inputs transform → model → outputs transform."""

    def __init__(self, widowx_policy) -> None:
        self._inputs = widowx_policy.WidowXInputs(model_type=widowx_policy.ModelType.PI05)
        self._outputs = widowx_policy.WidowXOutputs()
        self.model_inputs: list[dict] = []

    def __call__(self, data: dict) -> dict:
        inputs = self._inputs(dict(data))
        assert set(inputs) == {"state", "image", "image_mask", "prompt"}
        assert set(inputs["image"]) == set(inputs["image_mask"]) == {"base_0_rgb", "left_wrist_0_rgb",
                                                                     "right_wrist_0_rgb"}  # fmt: skip
        assert all(image.shape == (224, 224, 3) and image.dtype == np.uint8 for image in inputs["image"].values())
        self.model_inputs.append(inputs)
        padded = np.zeros((10, MODEL_ACTION_DIM), dtype=np.float32)
        padded[:, 0], padded[:, 2], padded[:, 6] = 0.01, -0.005, 1.0  # +x 1 cm, -z 5 mm, gripper open
        return self._outputs({"actions": padded, "state": inputs["state"]})


@pytest.fixture
def served(widowx_policy):
    started = []

    def serve(profile: str):
        policy = ServedFineTune(widowx_policy)
        server = PolicyServer(policy, host="127.0.0.1", port=0)
        server.start()
        driver = ConfirmingDriver(f"/doc_{profile}")
        bridge = Bridge(f"/doc_{profile}", policy_port=server.port, policy_profile=profile, control_rate_hz=20.0,
                        inference_timeout=5.0, settle_timeout=2.0)  # fmt: skip
        started.extend([bridge, driver, server])
        return policy, driver

    yield serve
    for thing in started:
        thing.close() if hasattr(thing, "close") else thing.stop()


def test_the_documented_widowx_transforms_drive_the_default_profile(served):
    policy, driver = served("bridge_ee_delta")
    result = driver.run_goal("put the banana in the pot", max_steps=6)
    assert result.outcome == ExecutePrompt.Result.OUTCOME_COMPLETED, result.message
    inputs = policy.model_inputs[0]
    assert inputs["prompt"] == "put the banana in the pot"
    assert inputs["state"].tolist() == pytest.approx([*ConfirmingDriver.POSE, ConfirmingDriver.GRIPPER])
    assert bool(inputs["image_mask"]["base_0_rgb"]) and not bool(inputs["image_mask"]["left_wrist_0_rgb"])
    assert len(driver.arm_commands) == 6
    for command in driver.arm_commands:
        assert (command.dx, command.dy, command.dz) == pytest.approx((0.01, 0.0, -0.005))
        assert command.gripper == 1.0


def test_the_documented_transforms_refuse_another_profiles_state(served):
    _, driver = served("libero")
    result = driver.run_goal("put the banana in the pot", max_steps=3)
    assert result.outcome == ExecutePrompt.Result.OUTCOME_POLICY_ERROR and not driver.arm_commands
    assert "observation/state must be (7,), got (8,)" in result.message
