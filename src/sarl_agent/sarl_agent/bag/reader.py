"""Read sarl messages from one or many bags: find bags, recover unfinished ones, skip bad ones by name.

Why one reader for replay, inspection and the recorder's restart: all three
must agree on what a bag contains. Rules:

* A path is a bag directory (``metadata.yaml`` and/or ``*.mcap``), a bare
  ``.mcap`` file, or a folder searched recursively for bags.
* Types come from each bag's own schemas (rosbags ``AnyReader`` checks them
  against the RIHS01 hashes in ``metadata.yaml``), so bags written with an
  older message definition still decode. Nothing here needs ROS.
* An unfinished bag whose writer is gone is recovered first (``recover``);
  one a live writer holds (or any, with ``recover=False``) is read as far as
  it is on disk, without changes.
* A bag that cannot be read gives a ``BagProblem`` naming the file, handed to
  ``on_problem``; the other bags are still read. A finished bag damaged
  inside (a chunk failing its CRC) is then re-read record by record, skipping
  only the damaged records.
* A transition recorded twice (same ``transition_id``: a re-send, or a
  restarted recorder's copy) is yielded once. Same run and sequence with a
  different stamp (an agent restarted under the same run id) is kept.
* Given the run ``secret``, only transitions whose MAC verifies are yielded;
  unsigned ones (bags from before MACs, or a foreign writer) and forged ones
  are skipped and counted (``ReadReport.unsigned`` / ``forged``). Without a
  secret nothing is verified (``ReadReport.verified`` is False).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcap.records import Message
from rosbags.highlevel import AnyReader
from rosbags.typesys import Stores, get_types_from_msg, get_typestore

from .identity import TransitionId, transition_id
from .lock import is_locked
from .metadata import METADATA_FILE
from .recovery import RecoveryReport, is_complete, recover_bag, storage_file
from .scan import McapScan
from .transition_mac import mac_bytes, transition_verifies

TRANSITION_TYPE = "sarl_interfaces/msg/SemanticTransition"
STATUS_TYPE = "sarl_interfaces/msg/EpisodeStatus"


@dataclass(frozen=True)
class BagProblem:
    """A bag (or part of one) that could not be read; ``message`` names the file."""

    bag: Path
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class BagMessage:
    bag: Path
    topic: str
    msgtype: str
    log_time_ns: int
    raw: bytes
    msg: Any
    """The deserialized message (a rosbags dataclass with the .msg field names)."""


@dataclass
class ReadReport:
    """What a multi-bag read went through, for the summary a user reads."""

    bags: list[Path] = field(default_factory=list)
    recovered: list[RecoveryReport] = field(default_factory=list)
    live: list[Path] = field(default_factory=list)
    """Unfinished bags read as they are on disk (a live writer holds them, or recovery was off)."""
    problems: list[BagProblem] = field(default_factory=list)
    duplicates: int = 0
    collisions: int = 0
    """Same run and sequence, different stamp (kept; see module doc)."""
    verified: bool = False
    """True when transitions were checked against the run secret."""
    unsigned: int = 0
    """Transitions skipped because they carry no MAC (only counted when ``verified``)."""
    forged: int = 0
    """Transitions skipped because their MAC does not verify (only counted when ``verified``)."""

    def verification(self) -> str:
        """One line for the user: what the MAC check did."""
        if not self.verified:
            return "transitions NOT verified (no run secret given): anyone on the DDS domain could have written them"
        skipped = self.unsigned + self.forged
        return (f"verified with the run secret: skipped {skipped} transitions ({self.unsigned} unsigned, "
                f"{self.forged} forged)" if skipped else "verified with the run secret: every transition signed")


def find_bags(paths: Iterable[str | Path]) -> list[Path]:
    """Bag directories and bare MCAP files under ``paths``, sorted; ``FileNotFoundError`` names a missing path."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise FileNotFoundError(f"bag path {path} does not exist")
        if path.is_file():
            found.append(path)
        elif _is_bag_dir(path):
            found.append(path)
        else:
            marked = [*path.rglob("*.mcap"), *path.rglob(METADATA_FILE)]
            found.extend(sorted({p.parent for p in marked}))
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=str)


def _is_bag_dir(path: Path) -> bool:
    return (path / METADATA_FILE).is_file() or any(path.glob("*.mcap"))


class BagSet:
    """Reads many bags as one stream, with recovery, de-duplication and per-file problems."""

    def __init__(self, paths: Iterable[str | Path], recover: bool = True,
                 on_problem: Callable[[BagProblem], None] | None = None,
                 on_recovery: Callable[[RecoveryReport], None] | None = None,
                 secret: bytes | None = None) -> None:
        self.report = ReadReport(verified=secret is not None)
        self._secret = secret
        self._paths = list(paths)
        self._recover = recover
        self._on_problem = on_problem or (lambda _problem: None)
        self._on_recovery = on_recovery or (lambda _report: None)

    def messages(self, msgtypes: tuple[str, ...] = (TRANSITION_TYPE,)) -> Iterator[BagMessage]:
        """Every message of ``msgtypes`` in every bag, bag by bag, in log-time order within a bag.

        Selected by type, not topic name: a namespaced or remapped recorder
        writes ``/<ns>/sarl/transitions``.
        """
        seen: dict[tuple[str, int], set[TransitionId]] = {}
        for bag in find_bags(self._paths):
            self.report.bags.append(bag)
            try:
                for message in self._read_bag(bag, msgtypes):
                    if message.msgtype == TRANSITION_TYPE and (not self._authentic(message)
                                                                or self._is_duplicate(message, seen)):
                        continue
                    yield message
            except Exception as error:  # any failure of one bag must not stop the others
                problem = BagProblem(bag, f"{bag}: {_describe(error)}")
                self.report.problems.append(problem)
                self._on_problem(problem)

    def transitions(self) -> Iterator[BagMessage]:
        return self.messages((TRANSITION_TYPE,))

    def _authentic(self, message: BagMessage) -> bool:
        if self._secret is None:
            return True
        if not mac_bytes(message.msg):
            self.report.unsigned += 1
            return False
        if not transition_verifies(self._secret, message.msg):
            self.report.forged += 1
            return False
        return True

    def _is_duplicate(self, message: BagMessage, seen: dict[tuple[str, int], set[TransitionId]]) -> bool:
        identity = transition_id(message.msg)
        same_sequence = seen.setdefault(identity[:2], set())
        if identity in same_sequence:
            self.report.duplicates += 1
            return True
        if same_sequence:
            self.report.collisions += 1
        same_sequence.add(identity)
        return False

    def _read_bag(self, bag: Path, msgtypes: tuple[str, ...]) -> Iterator[BagMessage]:
        if bag.is_dir() and not is_complete(bag):
            if is_locked(bag) or not self._recover:
                self.report.live.append(bag)
                yield from read_unfinished(bag, msgtypes)
                return
            recovery = recover_bag(bag)
            self.report.recovered.append(recovery)
            self._on_recovery(recovery)
        yielded: set[tuple[int, int]] = set()
        try:
            for message in read_complete(bag, msgtypes):
                yielded.add((message.log_time_ns, len(message.raw)))
                yield message
        except Exception as error:
            if not _has_storage_file(bag):
                raise
            problem = BagProblem(bag, f"{bag}: {_describe(error)}; reading the rest record by record")
            self.report.problems.append(problem)
            self._on_problem(problem)
            for message in read_unfinished(bag, msgtypes):
                if (message.log_time_ns, len(message.raw)) not in yielded:
                    yield message


def read_complete(bag: Path, msgtypes: tuple[str, ...]) -> Iterator[BagMessage]:
    """A finished bag (directory or ``.mcap`` file) through rosbags, types from the bag itself."""
    with AnyReader([bag]) as reader:
        connections = [c for c in reader.connections if c.msgtype in msgtypes]
        if not connections:
            return
        for connection, timestamp, raw in reader.messages(connections=connections):
            data = bytes(raw)
            yield BagMessage(bag, connection.topic, connection.msgtype, timestamp, data,
                             reader.deserialize(data, connection.msgtype))


def _has_storage_file(bag: Path) -> bool:
    if bag.is_file():
        return True
    try:
        return storage_file(bag).is_file()
    except ValueError:
        return False


def read_unfinished(bag: Path, msgtypes: tuple[str, ...]) -> Iterator[BagMessage]:
    """Every intact message of a bag still being written (or not recovered, or damaged), read-only."""
    source = storage_file(bag) if bag.is_dir() else bag
    scan = McapScan(source, skip_damaged=True)
    store = get_typestore(Stores.EMPTY)
    registered: set[str] = set()
    for record in scan.records():
        if not isinstance(record, Message):
            continue
        channel = scan.state.channels.get(record.channel_id)
        schema = scan.state.schemas.get(channel.schema_id) if channel else None
        if channel is None or schema is None or schema.name not in msgtypes:
            continue
        if schema.name not in registered:
            store.register(get_types_from_msg(schema.data.decode("utf-8"), schema.name))
            registered.add(schema.name)
        yield BagMessage(bag, channel.topic, schema.name, record.log_time, record.data,
                         store.deserialize_cdr(record.data, schema.name))


def _describe(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text if type(error).__name__ in text else f"{type(error).__name__}: {text}"
