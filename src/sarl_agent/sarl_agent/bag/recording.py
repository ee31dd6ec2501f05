"""The recorder's logic without ROS: one bag per run, durable writes, duplicates stored once.

Why a class apart from the node: what decides an acknowledgement (written
and fsynced, or already stored) must be testable without DDS, and the node
should only turn messages into calls.

* Bags are ``<bag_dir>/<run id>_<UTC time>`` (rosbag2's time format), one
  per run id; several runs may be open at once (several agents on one topic),
  at most ``max_runs`` per process (``Refused("too_many_runs")`` beyond).
  The node opens a run only for a transition whose MAC verified
  (``admission.py``); episode status messages go only into bags already open.
* A transition is identified by ``identity.transition_id`` (run id,
  sequence, stamp), all three under its MAC, so no peer without the secret
  can make a "new" one by changing the stamp. The same key with the same MAC
  (the agent's re-send, a replay) is acknowledged again without a second
  write; the same key with another MAC is refused (``sequence_reused``). An
  agent resumed under the same run id restarts its sequence numbers with new
  stamps: its transitions are stored, never dropped.
* When a run's bag is opened, the bags this ``bag_dir`` already holds for
  that run are read first (recovering any whose writer died), so a restarted
  recorder that receives the run's history again does not store it twice.
* A failed write abandons that bag (recovery can finish it) and raises: the
  message is not acknowledged and the agent's re-send goes to a fresh bag.
  What this recorder stored is remembered across its abandoned bags, so a new
  bag of the run does not re-read them (no repeated recovery attempts on a
  full or read-only disk), and they are never taken for another live
  recorder's.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .identity import TransitionId, transition_id
from .lock import is_locked
from .metadata import BagTopic
from .reader import BagSet
from .transition_mac import mac_bytes
from .transition_rules import Problem
from .writer import DurableBagWriter, utc_stamp

Log = Callable[[str], None]
_LOGGER = logging.getLogger(__name__)
DEFAULT_MAX_RUNS = 8
"""[1] run ids one recorder process stores (one agent per run; a few runs may share a recorder)."""
StoreKey = TransitionId
"""(run id, sequence, stamp): the identity of a transition."""


class Refused(ValueError):
    """The transition is not stored (and must not be acknowledged); ``problem`` says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(f"{problem.reason}: {problem.detail}")
        self.problem = problem


@dataclass(frozen=True)
class Stored:
    """Where a transition is durably stored; ``written`` is False for an already stored duplicate."""

    bag: Path
    written: bool


def bag_name_prefix(run_id: str) -> str:
    """The run id made safe as a directory name (``[A-Za-z0-9._-]``)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", run_id) or "unnamed_run"


@dataclass
class _RunBag:
    writer: DurableBagWriter
    stored: dict[StoreKey, tuple[bytes, Path]] = field(default_factory=dict)
    """Transition identity -> (MAC, bag holding it: this one or an older bag of the run)."""


@dataclass(frozen=True)
class RecorderLogs:
    """Where the recorder reports (the node passes its ROS logger; default: Python logging)."""

    info: Log = _LOGGER.info
    warning: Log = _LOGGER.warning
    error: Log = _LOGGER.error


class BagRecorder:
    """Writes the messages of each run into that run's bag."""

    def __init__(self, bag_dir: Path, transitions_topic: str, describe_topic: Callable[[str], BagTopic],
                 logs: RecorderLogs | None = None, clock: Callable[[], int] = time.time_ns,
                 max_runs: int = DEFAULT_MAX_RUNS, secret: bytes | None = None) -> None:
        """``transitions_topic``: fully qualified name; ``describe_topic`` gives a topic's type, hash and QoS."""
        if max_runs < 1:
            raise ValueError(f"max_runs must be >= 1, got {max_runs}")
        self.bag_dir = Path(bag_dir)
        self.max_runs = max_runs
        self._secret = secret
        """Earlier bags count only their verified transitions as stored (when given)."""
        self._known: dict[str, dict[StoreKey, tuple[bytes, Path]]] = {}
        """Per run: what is stored (read from the bag folder once, then kept up to date)."""
        self.transitions_topic = transitions_topic
        self._describe_topic = describe_topic
        self._logs = logs or RecorderLogs()
        self._clock = clock
        self._runs: dict[str, _RunBag] = {}

    @property
    def open_bags(self) -> dict[str, Path]:
        return {run: bag.writer.path for run, bag in self._runs.items()}

    def record_transition(self, raw: bytes, msg: Any, log_time_ns: int, publish_time_ns: int | None = None,
                          publication_sequence: int = 0) -> Stored:
        """Store one verified ``SemanticTransition`` (``raw`` bytes of ``msg``) durably, or find it stored.

        Only after this returns may the transition be acknowledged. Raises
        ``Refused`` (never stored) and ``OSError`` (not stored this time).
        """
        run_id = str(msg.run_id)
        run = self._run(run_id)
        key, mac = transition_id(msg), mac_bytes(msg)
        if key in run.stored:
            stored_mac, path = run.stored[key]
            if stored_mac != mac:
                raise Refused(Problem("sequence_reused", f"{run_id}#{key[1]} is stored already with other content "
                                      "(two agents, or a restarted one, under one run id: give each run its own)"))
            return Stored(path, written=False)
        self._write(run_id, run, self.transitions_topic, raw, log_time_ns, publish_time_ns, publication_sequence,
                    durable=True)
        run.stored[key] = (mac, run.writer.path)
        return Stored(run.writer.path, written=True)

    def record(self, topic: str, raw: bytes, run_id: str, log_time_ns: int, publish_time_ns: int | None = None,
               publication_sequence: int = 0) -> Path | None:
        """Store a message nobody acknowledges (episode status) in the run's open bag, if it has one.

        Handed to the OS, not fsynced. None (not stored) for a run no verified
        transition opened: status messages are not signed, so they never open a bag.
        """
        run = self._runs.get(run_id)
        if run is None:
            return None
        self._write(run_id, run, topic, raw, log_time_ns, publish_time_ns, publication_sequence, durable=False)
        return run.writer.path

    def close(self) -> None:
        """Finish every open bag; a bag that fails to finish is left for recovery and reported."""
        for run_id, run in list(self._runs.items()):
            try:
                summary = run.writer.close()
                self._logs.info(f"closed bag {run.writer.path}: {summary.message_count} messages")
            except OSError as error:
                run.writer.abandon()
                self._logs.error(f"could not finish bag {run.writer.path} ({error}); recover it with replay "
                                 "or sarl_agent.bag.recovery")
            del self._runs[run_id]

    # ------------------------------------------------------------------ internals
    def _write(self, run_id: str, run: _RunBag, topic: str, raw: bytes, log_time_ns: int,
               publish_time_ns: int | None, publication_sequence: int, durable: bool) -> None:
        try:
            if not run.writer.has_topic(topic):
                run.writer.add_topic(self._describe_topic(topic))
            run.writer.write(topic, raw, log_time_ns, publish_time_ns, publication_sequence, durable=durable)
        except OSError as error:
            run.writer.abandon()
            del self._runs[run_id]
            self._logs.error(f"writing {topic} to {run.writer.path} failed ({error}); bag abandoned for recovery, "
                             "the next message of the run opens a new bag")
            raise

    def _run(self, run_id: str) -> _RunBag:
        run = self._runs.get(run_id)
        if run is None:
            stored = self._known.get(run_id)
            if stored is None:
                if len(self._known) >= self.max_runs:
                    raise Refused(Problem("too_many_runs", f"this recorder stores {self.max_runs} runs at most "
                                          f"({sorted(self._known)}); start another recorder for more"))
                stored = self._known[run_id] = self._stored_in_earlier_bags(run_id)
            writer = DurableBagWriter(self._new_bag_path(run_id), custom_data={"sarl.run_id": run_id})
            run = self._runs[run_id] = _RunBag(writer, stored)
            earlier = f" ({len(stored)} transitions of this run already in earlier bags)" if stored else ""
            self._logs.info(f"recording run {run_id!r} to {writer.path}{earlier}")
        return run

    def _new_bag_path(self, run_id: str) -> Path:
        base = f"{bag_name_prefix(run_id)}_{utc_stamp(self._clock())}"
        path, suffix = self.bag_dir / base, 1
        while path.exists():
            path, suffix = self.bag_dir / f"{base}_{suffix}", suffix + 1
        return path

    def _stored_in_earlier_bags(self, run_id: str) -> dict[StoreKey, tuple[bytes, Path]]:
        prefix = bag_name_prefix(run_id) + "_"
        earlier = sorted(p for p in self.bag_dir.glob(f"{prefix}*") if p.is_dir()) if self.bag_dir.is_dir() else []
        usable = []
        for path in earlier:
            if is_locked(path):
                self._logs.warning(f"{path} is being written by another live recorder; its transitions of "
                                   f"run {run_id!r} may be stored twice")
            else:
                usable.append(path)
        stored: dict[StoreKey, tuple[bytes, Path]] = {}
        if not usable:
            return stored
        bags = BagSet(usable, on_problem=lambda p: self._logs.error(f"cannot read earlier bag: {p}"),
                      on_recovery=lambda r: self._logs.warning(r.describe()), secret=self._secret)
        for message in bags.transitions():
            if message.msg.run_id == run_id:
                stored.setdefault(transition_id(message.msg), (mac_bytes(message.msg), message.bag))
        return stored
