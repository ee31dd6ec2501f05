"""The real robot's semantic step budget fits the longest task plan the simulator knows (issue 19).

Why: an episode cut off before the plan can finish can never be labelled a success, so the agent would
learn that the task is impossible. The simulator's reference plans (resets included) are the best
available estimate of how many prompts a task needs; the history encoder must also see every step.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from sarl_sim.tasks import TASKS

CONFIG = Path(__file__).resolve().parents[3] / "config"


def _agent_parameters(name: str) -> dict:
    return yaml.safe_load((CONFIG / name).read_text(encoding="utf-8"))["sarl_agent"]["ros__parameters"]


def test_the_real_step_budget_fits_the_longest_plan_and_the_history_encoder():
    budget = _agent_parameters("real_widowx.yaml")["max_semantic_steps"]
    longest = max(TASKS.values(), key=lambda task: len(task.reference_plan))
    assert budget >= len(longest.reference_plan), (
        f"real_widowx.yaml max_semantic_steps={budget} < the {len(longest.reference_plan)} prompts of {longest.name}"
    )
    learning = yaml.safe_load((CONFIG / "learning.yaml").read_text(encoding="utf-8"))
    assert budget <= learning["encoder"]["max_steps"]
