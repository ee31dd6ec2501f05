"""The evaluation's learning config holds the agent node's values: config/learning.yaml is the source of truth.

The two files stay separate for packaging: sarl_eval reads its copy as package data (importlib.resources, no
ament index), and reading sarl_bringup's installed config/ instead would make sarl_eval depend on sarl_bringup,
which sits above it in the package graph (``sarl eval`` is sarl_bringup's command). Their comments differ;
this pins the values.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from sarl_eval.methods import default_learning_file

AGENT_LEARNING_CONFIG = Path(__file__).resolve().parents[3] / "config" / "learning.yaml"


def test_the_evaluation_learns_with_the_agent_nodes_config():
    def values(path: Path) -> dict:
        return yaml.safe_load(path.read_text(encoding="utf-8"))

    assert values(default_learning_file()) == values(AGENT_LEARNING_CONFIG), (
        f"{default_learning_file()} must hold the values of {AGENT_LEARNING_CONFIG}: copy them over"
    )
