"""The plugin inside the REAL rqt (pinned upstream, PyQt5) under Xvfb, pressed like a person would.

Skips with a reason where ``../shared/upstream`` is absent (``RQT.require()``). Peers are real
processes: ``peers/agent_label_peer.py`` (status + ``label_episode``) and
``peers/driver_estop_peer.py`` (the driver's e-stop contract: ``estop`` engages and latches,
``clear_estop`` checked by ``ClearAuthority``, ``estop_active`` in ``arm_state``). Every test
asserts on what those peers received, in their own order, and on rqt staying alive — under
PyQt5 an exception in a Qt slot aborts rqt (SIGABRT), so "alive" is a real check — and
ends by quitting rqt and checking its exit code.

What the panel shows is read from rqt's own log: the panel logs every change of its e-stop
display ("e-stop display: engaged"), so no pixel reading is needed for it. Widgets are found
by their exact colours from ``rqt_sarl_operator.style`` (:mod:`support.screen_probe`).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.event_peer import EventPeer
from support.rqt_host import Display, Rqt
from support.ros_node import wait_until
from support.upstream import RQT

from rqt_sarl_operator import style

pytestmark = pytest.mark.graph
PEERS = Path(__file__).resolve().parent / "peers"
T = 30.0
"""[s] bound for one event through rqt, DDS and a peer: rqt starts in ~5 s alone, but CI shares two cores."""
DISPLAY_LOG = "e-stop display:"
SUCCESS, FAILURE = 1, 2
BUTTONS = {"success": style.SUCCESS_BG, "failure": style.FAILURE_BG, "abort": style.ABORT_BG,
           "estop": style.ESTOP_BG, "estop_engaged": style.ESTOP_ENGAGED_BG, "clear": style.CLEAR_BG,
           "operator": style.OPERATOR_FIELD_BG, "bar": style.BAR_FILL, "bar_current": style.BAR_FILL_CURRENT}


@pytest.fixture(scope="module")
def display(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Display]:
    RQT.require()
    screen = Display(tmp_path_factory.mktemp("xvfb"))
    yield screen
    screen.stop()


@pytest.fixture
def peers(tmp_path: Path) -> Iterator[tuple[EventPeer, EventPeer]]:
    agent = EventPeer(PEERS / "agent_label_peer.py", tmp_path, "--first-episode", "37")
    driver = EventPeer(PEERS / "driver_estop_peer.py", tmp_path, "--rate-hz", "20")
    agent.wait_ready(T)
    driver.wait_ready(T)
    yield agent, driver
    assert (agent.stop(), driver.stop()) == (0, 0), agent.process.log_text() + driver.process.log_text()


@pytest.fixture
def launch(display: Display, tmp_path: Path) -> Iterator[Any]:
    """``launch(*rqt_args)``: an rqt process with this test's config folder; any left running is killed."""
    started: list[Rqt] = []

    def start(*args: str) -> Rqt:
        started.append(Rqt(display, list(args), tmp_path / f"rqt-{len(started)}.log", tmp_path / "config"))
        return started[-1]

    yield start
    for rqt in started:
        rqt.stop()


def open_panel(launch: Any, display: Display) -> tuple[Rqt, dict]:
    """rqt -s rqt_sarl_operator, shown and following the driver; returns it and where its buttons are."""
    rqt = launch("-s", "rqt_sarl_operator")
    wait_until(lambda: shown(rqt) == "cleared", T, "the panel showing the driver's cleared e-stop")
    rqt.window()
    where: dict = {}

    def buttons_drawn() -> bool:
        where.update(display.probe(**BUTTONS))
        return all(where[name]["count"] for name in ("success", "failure", "estop", "operator"))

    wait_until(buttons_drawn, T, "the panel's buttons on screen")
    return rqt, where


def shown(rqt: Rqt) -> str | None:
    """The e-stop state the panel displays now (its last 'e-stop display' log line)."""
    lines = rqt.log_lines(DISPLAY_LOG)
    return lines[-1] if lines else None


def quit_by_menu(rqt: Rqt) -> int:
    rqt.keys("alt+f")
    rqt.keys("q")  # File ▸ Quit
    return rqt.wait(T)


def test_rqt_lists_the_plugin(launch: Any) -> None:
    rqt = launch("--list-plugins")
    assert rqt.wait(T) == 0, rqt.log_text()
    assert "rqt_sarl_operator" in rqt.log_text()


def test_labels_by_key_and_click_reach_the_agent_once_each(launch: Any, display: Display, peers: Any) -> None:
    agent, _ = peers
    rqt, where = open_panel(launch, display)
    rqt.keys("s")
    assert [(e["episode"], e["outcome"], e["accepted"]) for e in agent.wait_events(1, T)] == [(37, SUCCESS, True)]

    wait_until(lambda: display.probe(success=style.SUCCESS_BG)["success"]["count"], T, "labels enabled for episode 38")
    display.click(where["failure"]["x"], where["failure"]["y"])
    events = agent.wait_events(2, T)
    assert [(e["episode"], e["outcome"], e["accepted"], e["labeled_by"]) for e in events] == [
        (37, SUCCESS, True, "operator"), (38, FAILURE, True, "operator")]
    assert rqt.is_running(), rqt.log_text()
    assert quit_by_menu(rqt) == 0, rqt.log_text()
    assert len(agent.events()) == 2, "nothing more was sent"


def test_twenty_engage_clear_cycles_keep_rqt_alive_and_show_the_drivers_state(
    launch: Any, display: Display, peers: Any
) -> None:
    _, driver = peers
    rqt, where = open_panel(launch, display)
    estop = (where["estop"]["x"], where["estop"]["y"])
    clear: tuple[int, int] | None = None
    for cycle in range(20):
        if cycle % 2:
            rqt.keys("space")
        else:
            display.click(*estop)
        engage = driver.wait_events(2 * cycle + 1, T)[-1]
        assert (engage["event"], engage["active"]) == ("engage", True), engage
        wait_until(lambda: shown(rqt) == "engaged", T, f"cycle {cycle}: the panel showing engaged")

        if clear is None:  # the clear button is only drawn in its colour while it is enabled
            probe = display.probe(clear=style.CLEAR_BG)["clear"]
            assert probe["count"], "Clear e-stop… enabled while the driver reports engaged"
            clear = (probe["x"], probe["y"])
        display.click(*clear)  # no reason typed yet: the panel asks for one and focuses the field
        rqt.type(f"checked the arm, cycle {cycle}")
        rqt.keys("Return")
        answer = driver.wait_events(2 * cycle + 2, T)[-1]
        assert (answer["event"], answer["accepted"], answer["active"]) == ("clear", True, False), answer
        assert answer["reason"] == f"checked the arm, cycle {cycle}"
        wait_until(lambda: shown(rqt) == "cleared", T, f"cycle {cycle}: the panel showing cleared")
        assert rqt.is_running(), rqt.log_text()

    events = driver.events()
    assert [e["event"] for e in events] == ["engage", "clear"] * 20
    assert all(e["accepted"] for e in events if e["event"] == "clear")
    assert rqt.log_lines(DISPLAY_LOG)[-41:] == ["cleared"] + ["engaged", "cleared"] * 20
    rqt.send_signal(signal.SIGINT)  # rqt's own handler closes the window: a clean exit
    assert rqt.wait(T) == 0, rqt.log_text()
    assert "Traceback" not in rqt.log_text()


def test_settings_are_saved_on_quit_and_restored_in_the_next_rqt(launch: Any, display: Display, peers: Any) -> None:
    agent, _ = peers
    rqt, where = open_panel(launch, display)
    display.click(where["operator"]["x"], where["operator"]["y"])
    rqt.type("maria")
    rqt.keys("Return")  # editing finished: keys go back to the panel
    assert quit_by_menu(rqt) == 0, rqt.log_text()

    again, _ = open_panel(launch, display)
    again.keys("s")
    (event,) = agent.wait_events(1, T)
    assert (event["episode"], event["labeled_by"]) == (37, "maria")
    again.send_signal(signal.SIGINT)
    assert again.wait(T) == 0, again.log_text()


def test_default_size_shows_at_least_four_candidate_rows(launch: Any, display: Display, peers: Any,
                                                         tmp_path: Path) -> None:  # fmt: skip
    rqt, where = open_panel(launch, display)
    bars = where["bar"].get("bands", 0) + where["bar_current"].get("bands", 0)
    assert bars >= 4, f"{bars} probability bars visible at rqt's default size"
    assert quit_by_menu(rqt) == 0, rqt.log_text()
