"""The panel against the REAL agent node in operator mode, inside the simulated graph."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from sarl_interfaces.srv import LabelEpisode
from support.processes import PeerProcess
from support.ros_node import wait_future, wait_until

from rqt_sarl_operator.operator_model import Outcome

pytestmark = pytest.mark.graph
T = 120.0
"""[s] for a whole-graph event: eight processes start together on two cores, and CI may be loaded."""


def test_success_press_is_accepted_once_by_the_real_agent(panel: Any, pump: Any, spun: Any, tmp_path) -> None:
    p = panel()
    widget = p.widget
    launcher = PeerProcess([
        sys.executable, "-m", "sarl_bringup.local_launch", "--profile", "sim", "--log-dir", str(tmp_path / "logs"),
        "--sim-policy-port", "0", "--set", f"recorder.bag_dir={tmp_path / 'bags'}",
        "--set", "sarl_agent.reward_source=operator", "--set", "sarl_agent.task=move the pot lid to the towel",
        "--set", "sarl_agent.episodes=2", "--set", "sarl_agent.max_semantic_steps=1",
        "--set", f"sarl_agent.output_dir={tmp_path}", "--set", "sarl_agent.run_id=operator-test",
        "--set", "vlm_proposer.offline_task=pot_lid_to_towel",
    ], tmp_path / "launcher.log")
    try:
        pump(lambda: widget.phase_label.text() == "AWAITING LABEL", T, "the agent awaiting a label")
        assert all(button.isEnabled() for button in widget.buttons.values())
        wait_until(lambda: p.ros._label_client.service_is_ready(), 10, "label_episode discovered")

        widget.buttons[Outcome.SUCCESS].click()
        pump(lambda: "accepted" in widget.notice_label.text(), 10, "the agent's reply")
        assert widget.notice_label.text() == "Episode 0: SUCCESS accepted"

        pump(lambda: widget.phase_label.text() != "AWAITING LABEL", T, "the agent moving on")
        node = spun("late_presser").node
        client = node.create_client(LabelEpisode, "label_episode")
        assert client.wait_for_service(timeout_sec=10)
        late = wait_future(client.call_async(LabelEpisode.Request(episode=0, outcome=LabelEpisode.Request.FAILURE)), 10)
        assert not late.accepted and "already labelled SUCCESS" in late.reason

        # Episode 1 runs (then awaits its own label): episode 0 can no longer be relabelled.
        pump(lambda: widget.episode_label.text().startswith("Episode 1"), T, "episode 1 on screen")
        pump(lambda: widget.phase_label.text() == "AWAITING LABEL", T, "the agent awaiting episode 1's label")
        widget.buttons[Outcome.FAILURE].click()
        pump(lambda: "Episode 1: FAILURE accepted" in widget.notice_label.text(), 10, "episode 1 labelled")
        wait_until(lambda: not launcher.is_running(), T, "the agent to finish its two episodes")
    finally:
        code = launcher.stop()
    log = launcher.log_text()
    assert code == 0, log[-3000:]
    assert "labelled SUCCESS" in log
