"""The panel against real ROS peers over DDS: a fake agent (status + label_episode) and the driver's
e-stop contract (``peers/driver_estop_peer.py``, a real process).

The panel's node is spun by a MultiThreadedExecutor in a background thread, as rqt spins the
node it gives plugins; the test body is the GUI thread and pumps Qt events while it waits.
"""

from __future__ import annotations

from typing import Any

import pytest
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from sarl_interfaces.msg import EpisodeStatus as Msg
from sarl_interfaces.srv import LabelEpisode
from std_msgs.msg import Bool
from support.ros_node import wait_future, wait_until

from rqt_sarl_operator.operator_model import EstopState, Outcome
from rqt_sarl_operator.qt import Qt, QtWidgets
from rqt_sarl_operator.widget import ESTOP_TEXT

QTest = pytest.importorskip("PySide6.QtTest").QTest

CANDIDATES = (
    (3, "put the banana in the pot", 0.71, 0.46),
    (7, "pick up the sushi", 0.58, 0.21),
    (0, "reset to home", 0.22, 0.33),
)
TASK = "move the banana to the pot on the right and the sushi to the bowl"
LATCHED = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)
T = 10.0  # generous bound for DDS discovery + delivery on a loaded CI machine


def labels_enabled(widget: Any) -> bool:
    return all(b.isEnabled() for b in widget.buttons.values())


def labels_disabled(widget: Any) -> bool:
    return not any(b.isEnabled() for b in widget.buttons.values())


def forced_label(spun: Any, episode: int, outcome: int = LabelEpisode.Request.SUCCESS) -> LabelEpisode.Response:
    """Call label_episode directly, as a script bypassing the disabled buttons would."""
    node = spun("forced_caller").node
    client = node.create_client(LabelEpisode, "label_episode")
    assert client.wait_for_service(timeout_sec=T)
    return wait_future(client.call_async(LabelEpisode.Request(episode=episode, outcome=outcome, labeled_by="x")), T)


def test_widget_follows_a_scripted_status_stream(panel: Any, agent: Any, pump: Any) -> None:
    widget = panel().widget
    fake = agent()
    script = [
        (Msg.PHASE_CHOOSING, "", "CHOOSING PROMPT"),
        (Msg.PHASE_EXECUTING, "pick up the sushi", "EXECUTING PROMPT"),
        (Msg.PHASE_RESETTING, "reset to home", "RESETTING"),
        (Msg.PHASE_EXECUTING, "put the banana in the pot", "EXECUTING PROMPT"),
        (Msg.PHASE_AWAITING_LABEL, "put the banana in the pot", "AWAITING LABEL"),
    ]
    for step, (phase, prompt, shown) in enumerate(script, start=1):
        fake.set(phase=phase, task=TASK, episode=37, step=step, max_steps=8, current_prompt=prompt,
                 candidates=CANDIDATES, episodes_done=36, successes=24)
        pump(lambda s=step: widget.episode_label.text().endswith(f"step {s} / 8"), T, f"status of step {step}")
        assert widget.phase_label.text() == shown
        assert widget.prompt_label.text() == (prompt or "—")
        assert labels_enabled(widget) is (phase == Msg.PHASE_AWAITING_LABEL)
        success_offered = phase in (Msg.PHASE_AWAITING_LABEL, Msg.PHASE_CHOOSING, Msg.PHASE_EXECUTING)
        assert widget.buttons[Outcome.SUCCESS].isEnabled() is success_offered
        assert widget.estop_button.isEnabled()
    assert widget.task_label.text() == TASK
    assert widget.success_label.text() == "24 / 36  (67 %)"
    assert [row[1] for row in widget.candidate_table.row_texts()] == [
        "▶  put the banana in the pot", "reset to home", "pick up the sushi"]


def test_success_is_accepted_exactly_once(panel: Any, agent: Any, pump: Any, spun: Any) -> None:
    p = panel()
    widget = p.widget
    widget.operator_edit.setText("alice")
    fake = agent(advance_on_label=False)  # keeps saying "awaiting": the panel alone must stop a 2nd label
    fake.set(phase=Msg.PHASE_AWAITING_LABEL, task=TASK, episode=5, candidates=CANDIDATES)
    pump(lambda: labels_enabled(widget), T, "label buttons enabled")
    wait_until(lambda: p.ros._label_client.service_is_ready(), T, "label_episode discovered")

    widget.buttons[Outcome.SUCCESS].click()
    assert labels_disabled(widget), "disabled as soon as pressed"
    pump(lambda: "accepted" in widget.notice_label.text(), T, "the agent's reply")
    assert widget.notice_label.text() == "Episode 5: SUCCESS accepted"
    assert fake.accepted == [(5, LabelEpisode.Request.SUCCESS, "alice")]

    fake.set(phase=Msg.PHASE_AWAITING_LABEL, message="republished")  # status still says awaiting episode 5
    pump(lambda: widget.detail_label.text() == "republished", T, "the republished status")
    assert labels_disabled(widget)
    QTest.keyClick(widget, "s")
    QTest.keyClick(widget, "f")
    widget.buttons[Outcome.SUCCESS].click()
    QtWidgets.QApplication.processEvents()
    assert fake.calls == 1, "the second press never reached the agent"

    refused = forced_label(spun, episode=5, outcome=LabelEpisode.Request.FAILURE)
    assert not refused.accepted and refused.reason == "episode 5 already labelled"
    assert fake.accepted == [(5, LabelEpisode.Request.SUCCESS, "alice")]


def test_only_an_early_success_during_execution_and_a_forced_failure_is_refused(
    panel: Any, agent: Any, pump: Any, spun: Any
) -> None:
    p = panel()
    widget = p.widget
    fake = agent(advance_on_label=False)
    fake.set(phase=Msg.PHASE_EXECUTING, task=TASK, episode=6, current_prompt="pick up the sushi",
             candidates=CANDIDATES)
    pump(lambda: widget.phase_label.text() == "EXECUTING PROMPT", T, "executing status")
    assert [b.isEnabled() for b in widget.buttons.values()] == [True, False, False], "SUCCESS alone, to end early"
    wait_until(lambda: p.ros._label_client.service_is_ready(), T, "label_episode discovered")
    for key in "fa":
        QTest.keyClick(widget, key)
    QtWidgets.QApplication.processEvents()
    assert fake.calls == 0

    refused = forced_label(spun, episode=6, outcome=LabelEpisode.Request.FAILURE)
    assert not refused.accepted
    assert refused.reason.startswith("not awaiting a label")
    assert fake.accepted == []

    QTest.keyClick(widget, "s")
    pump(lambda: "accepted" in widget.notice_label.text(), T, "the agent's reply")
    assert widget.notice_label.text() == "Episode 6: SUCCESS accepted"
    assert labels_disabled(widget), "episode 6 has its label"
    assert [(e, o) for e, o, _ in fake.accepted] == [(6, LabelEpisode.Request.SUCCESS)]


def test_a_press_labels_the_episode_on_screen_not_the_agents_newer_one(
    panel: Any, agent: Any, pump: Any
) -> None:
    p = panel()
    widget = p.widget
    fake = agent()
    fake.set(phase=Msg.PHASE_AWAITING_LABEL, episode=8, candidates=CANDIDATES)
    pump(lambda: labels_enabled(widget), T, "awaiting episode 8")
    wait_until(lambda: p.ros._label_client.service_is_ready(), T, "label_episode discovered")
    fake.set(publish=False, episode=9)  # the agent moved on; the screen still shows episode 8

    widget.buttons[Outcome.FAILURE].click()
    pump(lambda: "refused" in widget.notice_label.text(), T, "the refusal")
    assert widget.notice_label.text() == "Episode 8: FAILURE refused: wrong episode: label for 8, agent is on 9"
    assert fake.accepted == []


def test_estop_engages_by_topic_clears_only_by_the_signed_service_and_shows_the_drivers_state(
    panel: Any, driver: Any, pump: Any, spun: Any
) -> None:
    p = panel()
    widget = p.widget
    pump(lambda: widget.model.estop is EstopState.CLEARED, T, "the driver's arm_state on the panel")
    QTest.keyClick(widget, " ")
    assert driver.wait_events(1, T)[0]["event"] == "engage"
    pump(lambda: widget.model.estop is EstopState.ENGAGED, T, "the driver's engaged state on the panel")

    stray = spun("stray_publisher").node.create_publisher(Bool, "estop", LATCHED)
    stray.publish(Bool(data=False))  # the old way to clear: the driver ignores it
    assert driver.wait_events(2, T)[1]["event"] == "ignored_false"
    wait_until(lambda: p.ros._clear_client.service_is_ready(), T, "clear_estop discovered")
    widget.clear_button.click()
    QTest.keyClicks(widget.reason_edit, "gripper checked")
    QTest.keyClick(widget.reason_edit, Qt.Key.Key_Return)
    pump(lambda: widget.notice_label.text().startswith("Driver:"), T, "the driver's answer")
    event = driver.wait_events(3, T)[2]
    assert (event["event"], event["accepted"], event["reason"]) == ("clear", True, "gripper checked")
    pump(lambda: widget.model.estop is EstopState.CLEARED, T, "the driver's cleared state on the panel")


def test_a_clear_signed_with_another_secret_is_refused_and_shown(
    panel: Any, driver: Any, pump: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = panel()
    widget = p.widget
    widget.estop_button.click()
    pump(lambda: widget.model.estop is EstopState.ENGAGED, T, "engaged at the driver")
    wait_until(lambda: p.ros._clear_client.service_is_ready(), T, "clear_estop discovered")
    monkeypatch.setenv("SARL_SECRET_FILE", str(tmp_path / "not_the_robots_secret"))
    widget.reason_edit.setText("trust me")
    widget.clear_button.click()
    pump(lambda: "NOT cleared" in widget.notice_label.text(), T, "the refusal")
    assert "not signed with this robot's run secret" in widget.notice_label.text()
    assert widget.model.estop is EstopState.ENGAGED and widget.clear_button.isEnabled()
    assert [e["accepted"] for e in driver.events() if e["event"] == "clear"] == [False]


def test_a_panel_opened_while_engaged_shows_engaged(panel: Any, driver: Any, pump: Any) -> None:
    first = panel()
    first.widget.estop_button.click()
    pump(lambda: first.widget.model.estop is EstopState.ENGAGED, T, "engaged at the driver")
    first.close()  # its latched estop publisher goes with it; the driver keeps the stop
    second = panel()
    pump(lambda: second.widget.model.estop is not EstopState.UNKNOWN, T, "the driver's state on the new panel")
    assert second.widget.estop_button.text() == ESTOP_TEXT[EstopState.ENGAGED]


def test_a_slow_agent_hits_the_deadline_and_the_buttons_come_back(panel: Any, agent: Any, pump: Any) -> None:
    p = panel(label_timeout_s=0.3)
    widget = p.widget
    fake = agent(reply_delay_s=1.0)
    fake.set(phase=Msg.PHASE_AWAITING_LABEL, episode=3)
    pump(lambda: labels_enabled(widget), T, "awaiting episode 3")
    wait_until(lambda: p.ros._label_client.service_is_ready(), T, "label_episode discovered")
    widget.buttons[Outcome.SUCCESS].click()
    pump(lambda: "no reply" in widget.notice_label.text(), T, "the deadline")
    assert widget.notice_label.text() == "Episode 3: SUCCESS refused: no reply from the agent within 0.3 s"
    assert labels_enabled(widget)


def test_without_an_agent_a_press_says_so(panel: Any) -> None:
    widget = panel().widget
    from rqt_sarl_operator.screenshot import demo_status

    widget.show_status(demo_status())  # as if a status had been latched by an agent that since died
    widget.buttons[Outcome.SUCCESS].click()
    assert widget.notice_label.text() == "Episode 37: SUCCESS refused: agent not reachable: no 'label_episode' service"
    assert labels_enabled(widget)
