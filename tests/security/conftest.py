"""Shared pieces of the attack tests: a legit signed transition, verified acks, the recorder process, storage.

The attacker never holds the run secret; the test plays the agent (it has the secret, as the launcher's
processes do) or runs the real graph.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from ament_index_python.packages import get_package_prefix
from sarl_agent.bag.transition_mac import ack_verifies, sign_transition
from sarl_agent.nodes.recorder_node import ACK_QOS
from sarl_auth import load_or_create_secret
from sarl_interfaces.msg import SemanticTransition, TransitionAck
from support.processes import PeerProcess

PEERS = Path(__file__).parent / "peers"
TASK = "put the banana in the drawer"
STEPS = 5
"""Steps per episode of the legit stream; the last one ends the episode (SUCCESS on even episodes)."""


def legit_transition(sequence: int, run_id: str) -> SemanticTransition:
    """What the agent publishes for step (sequence - 1) % STEPS of episode (sequence - 1) // STEPS, signed."""
    episode, step = (sequence - 1) // STEPS, (sequence - 1) % STEPS
    last = step == STEPS - 1
    msg = SemanticTransition()
    msg.run_id, msg.episode, msg.step, msg.sequence, msg.task = run_id, episode, step, sequence, TASK
    msg.header.stamp.sec, msg.header.stamp.nanosec = 1_700_000_000 + sequence, 0
    for obs, at in ((msg.observation, step), (msg.next_observation, step + 1)):
        obs.proprio, obs.step, obs.history = [0.25, 0.05, 0.12, 0.0, 0.0, 0.0, 1.0], at, [3] * at
        obs.image.format, obs.image.data = "jpeg", list(os.urandom(2000))
    msg.candidates.ids, msg.candidates.prompts = [0, 3, 7], ["reset to home", "open the drawer", "pick up the banana"]
    msg.chosen_index, msg.chosen_id, msg.chosen_prompt = 1, 3, "open the drawer"
    msg.q_values, msg.probabilities, msg.temperature = [0.1, 0.5, 0.2], [0.2, 0.5, 0.3], 0.5
    msg.terminal = last
    msg.reward = 1.0 if last and episode % 2 == 0 else 0.0
    if not last:
        msg.next_candidates.ids, msg.next_candidates.prompts = [0, 7], ["reset to home", "pick up the banana"]
    return sign_transition(load_or_create_secret(), msg)


class VerifiedAcks:
    """The acks a legit agent accepts: MAC verified against the transition sent (``sent``), per sequence;
    refusals (stored = false) and acks that do not verify are kept apart."""

    def __init__(self, node, run_id: str) -> None:
        self.stored: Counter[int] = Counter()
        self.refused: list[str] = []
        self.forged = 0
        self._macs: dict[int, bytes] = {}
        self._run_id = run_id
        self._lock = threading.Lock()
        node.create_subscription(TransitionAck, "sarl/transition_acks", self._callback, ACK_QOS)

    def sent(self, msg: SemanticTransition) -> SemanticTransition:
        with self._lock:
            self._macs[msg.sequence] = bytes(msg.mac)
        return msg

    def _callback(self, ack: TransitionAck) -> None:
        if ack.run_id != self._run_id:
            return
        with self._lock:
            transition = self._macs.get(ack.sequence)
            if transition is None or not ack_verifies(load_or_create_secret(), ack, transition):
                self.forged += 1
            elif ack.stored:
                self.stored[ack.sequence] += 1
            else:
                self.refused.append(ack.error)

    def sequences(self) -> set[int]:
        with self._lock:
            return set(self.stored)

    def refusals(self) -> list[str]:
        with self._lock:
            return list(self.refused)


class StoredAcks:
    """Sequences the recorder says it stored (not verified: the test does not know the agent's MACs;
    the bag is checked with the secret afterwards)."""

    def __init__(self, node, run_id: str) -> None:
        self._sequences: set[int] = set()
        self._run_id = run_id
        self._lock = threading.Lock()
        node.create_subscription(TransitionAck, "sarl/transition_acks", self._callback, ACK_QOS)

    def _callback(self, ack: TransitionAck) -> None:
        if ack.run_id == self._run_id and ack.stored:
            with self._lock:
                self._sequences.add(ack.sequence)

    def sequences(self) -> set[int]:
        with self._lock:
            return set(self._sequences)


def start_recorder(bag_dir: Path, log_path: Path) -> PeerProcess:
    executable = Path(get_package_prefix("sarl_agent")) / "lib" / "sarl_agent" / "recorder"
    return PeerProcess([str(executable), "--ros-args", "-p", f"bag_dir:={bag_dir}"], log_path)


class Tmpfs:
    """A small tmpfs the test can fill up or switch read-only (root only: mount)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._filler = path / "filler"

    def _mount(self, *options: str) -> None:
        subprocess.run(["mount", "-o", ",".join(options), str(self.path)], check=True, capture_output=True)

    def read_only(self) -> None:
        self._mount("remount", "ro")

    def writable(self) -> None:
        self._mount("remount", "rw")

    def fill(self) -> None:
        """Take every free byte, as a full disk would."""
        fd = os.open(self._filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for chunk in (1 << 20, 1 << 12, 1):
                try:
                    while True:
                        os.write(fd, b"\0" * chunk)
                except OSError:
                    continue
        finally:
            os.close(fd)

    def free(self) -> None:
        self._filler.unlink(missing_ok=True)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Tmpfs]:
    if os.geteuid() != 0:
        pytest.skip("a full or read-only file system needs a tmpfs mount (root); run as root to test it")
    path = tmp_path / "tmpfs"
    path.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=700", "tmpfs", str(path)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield Tmpfs(path)
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)
