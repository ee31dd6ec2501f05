"""Finish a bag whose writer died: rebuild the MCAP summary/index and ``metadata.yaml``.

A killed ``DurableBagWriter`` (or ``ros2 bag record``) leaves an MCAP file
without summary and footer, maybe a cut-off last record, and no
``metadata.yaml``; no tool opens it. ``recover_bag`` keeps every complete
record (each acknowledged transition is one, fsynced before its ack), drops
only the cut-off tail, and writes:

* a new, fully indexed MCAP file, written to a temporary sibling, fsynced and
  renamed over the original: a crash during recovery leaves the original
  untouched and recovery can simply run again;
* ``metadata.yaml`` (topics, QoS, type hashes and counts from the file), with
  ``custom_data`` restored from the writer's ``sarl_custom_data`` record plus
  ``sarl.recovered`` saying when and what was dropped.

A bag whose lock is held by a live writer is refused (``BagLocked``).
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from mcap.records import Channel, Message, Schema
from mcap.writer import CompressionType
from mcap.writer import Writer as McapWriter
from rosbags.typesys import Stores, get_types_from_msg, get_typestore

from .lock import WriterLock, is_locked
from .metadata import METADATA_FILE, BagSummary, BagTopic, read_metadata, serialized_metadata, write_metadata
from .qos import parse_profiles
from .scan import McapScan, ScanState, has_footer
from .writer import CUSTOM_DATA_RECORD, ROSBAG2_METADATA_RECORD, fsync_directory


class BagCorrupted(ValueError):
    """A bag that cannot be read or recovered; the message names the file and the damage."""


@dataclass(frozen=True)
class RecoveryReport:
    bag_dir: Path
    recovered: bool
    """False: the bag was complete, nothing changed."""
    messages: int
    dropped_bytes: int = 0
    problem: str | None = None
    """What the scan found at the end of the old file (why recovery was needed)."""
    skipped: tuple[str, ...] = ()
    """Damaged records inside the file that were passed over (their messages are lost)."""

    def describe(self) -> str:
        if not self.recovered:
            return f"{self.bag_dir}: complete, nothing to recover"
        dropped = f", dropped {self.dropped_bytes} bytes of an unfinished record" if self.dropped_bytes else ""
        skipped = f"; skipped {len(self.skipped)} damaged record(s): {'; '.join(self.skipped)}" if self.skipped else ""
        return f"{self.bag_dir}: recovered {self.messages} messages{dropped} ({self.problem}){skipped}"


def storage_file(bag_dir: Path) -> Path:
    """The bag's one MCAP file (from ``metadata.yaml`` when present, else the only ``*.mcap``)."""
    bag_dir = Path(bag_dir)
    if (bag_dir / METADATA_FILE).is_file():
        with contextlib.suppress(ValueError):
            paths = read_metadata(bag_dir).get("relative_file_paths") or []
            if len(paths) == 1:
                return bag_dir / Path(paths[0]).name
    files = sorted(bag_dir.glob("*.mcap"))
    if len(files) != 1:
        found = ", ".join(f.name for f in files) or "none"
        raise BagCorrupted(f"{bag_dir}: expected exactly one MCAP file, found {found}")
    return files[0]


def is_complete(bag_dir: Path) -> bool:
    """``metadata.yaml`` is present and the MCAP file has its footer."""
    bag_dir = Path(bag_dir)
    if not (bag_dir / METADATA_FILE).is_file():
        return False
    try:
        files = [bag_dir / Path(p).name for p in read_metadata(bag_dir).get("relative_file_paths") or []]
    except ValueError:
        return False
    return bool(files) and all(f.is_file() and (f.suffix != ".mcap" or has_footer(f)) for f in files)


def needs_recovery(bag_dir: Path) -> bool:
    """An unfinished bag whose writer is gone."""
    return not is_complete(bag_dir) and not is_locked(bag_dir)


def recover_bag(bag_dir: str | os.PathLike[str]) -> RecoveryReport:
    """Make ``bag_dir`` a complete rosbag2 bag again; a no-op on complete bags."""
    bag_dir = Path(bag_dir)
    if is_complete(bag_dir):
        return RecoveryReport(bag_dir, recovered=False, messages=_metadata_count(bag_dir))
    lock = WriterLock(bag_dir)
    lock.acquire()  # raises BagLocked while a writer lives; also keeps two recoveries apart
    try:
        source = storage_file(bag_dir)
        if has_footer(source):
            state = _scan_only(source)  # finished file, metadata.yaml missing: rebuild it only
        else:
            state = _rewrite(source)
        if state.problem and state.header is None:
            raise BagCorrupted(f"{source}: cannot recover: {state.problem}")
        summary = _summary(source, state)
        write_metadata(bag_dir, summary)
    finally:
        lock.release()
    return RecoveryReport(bag_dir, recovered=True, messages=summary.message_count,
                          dropped_bytes=state.dropped_bytes, problem=state.problem, skipped=tuple(state.skipped))


def _metadata_count(bag_dir: Path) -> int:
    try:
        return int(read_metadata(bag_dir).get("message_count", 0))
    except ValueError:
        return 0


def _scan_only(source: Path) -> ScanState:
    scan = McapScan(source, skip_damaged=True)
    for _ in scan.records():
        pass
    return scan.state


def _rewrite(source: Path) -> ScanState:
    """Copy every complete record into a fresh indexed file, then rename it over ``source``."""
    temporary = source.with_name(f".{source.name}.recovering")
    scan = McapScan(source, skip_damaged=True)
    schema_ids: dict[int, int] = {}
    channel_ids: dict[int, int] = {}
    with temporary.open("wb") as stream:
        writer = McapWriter(stream, compression=CompressionType.NONE)
        started = False

        def start() -> bool:
            header = scan.state.header
            if header is not None:
                writer.start(profile=header.profile, library=f"{header.library}; recovered by sarl_agent")
            return header is not None

        for record in scan.records():
            started = started or start()
            if isinstance(record, Schema):
                schema_ids[record.id] = writer.register_schema(record.name, record.encoding, record.data)
            elif isinstance(record, Channel):
                channel_ids[record.id] = writer.register_channel(
                    record.topic, record.message_encoding, schema_ids.get(record.schema_id, 0), record.metadata)
            elif isinstance(record, Message):
                if record.channel_id not in channel_ids:
                    continue  # a message whose channel record was lost cannot be decoded
                writer.add_message(channel_ids[record.channel_id], record.log_time, record.data,
                                   record.publish_time, record.sequence)
            elif record.name != ROSBAG2_METADATA_RECORD:  # rewritten below with the recovered counts
                writer.add_metadata(record.name, record.metadata)
        state = scan.state
        if not (started or start()):
            temporary.unlink()
            raise BagCorrupted(f"{source}: cannot recover: {state.problem or 'no MCAP header'}")
        writer.add_metadata(ROSBAG2_METADATA_RECORD,
                            {"serialized_metadata": serialized_metadata(_summary(source, state))})
        writer.finish()
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, source)
    fsync_directory(source.parent)
    return state


def _summary(source: Path, state: ScanState) -> BagSummary:
    topics = []
    counts: dict[str, int] = {}
    for channel in state.channels.values():
        schema = state.schemas.get(channel.schema_id)
        if schema is None:
            continue
        type_hash = channel.metadata.get("topic_type_hash") or _hash_from_schema(schema.name, schema.data)
        topics.append(BagTopic(
            name=channel.topic, msgtype=schema.name, type_hash=type_hash,
            offered_qos=parse_profiles(channel.metadata.get("offered_qos_profiles", "")),
            serialization_format=channel.message_encoding,
        ))
        counts[channel.topic] = counts.get(channel.topic, 0) + state.channel_counts.get(channel.id, 0)
    custom = {}
    for record in state.metadata:
        if record.name == CUSTOM_DATA_RECORD:
            custom.update(record.metadata)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    custom["sarl.recovered"] = f"{stamp}: {state.problem or 'finished file without metadata.yaml'}"
    return BagSummary(file_name=source.name, topics=tuple(topics), message_counts=counts,
                      start_ns=state.start_ns if any(counts.values()) else 0, end_ns=state.end_ns,
                      custom_data=custom)


def _hash_from_schema(msgtype: str, data: bytes) -> str:
    store = get_typestore(Stores.EMPTY)
    store.register(get_types_from_msg(data.decode("utf-8"), msgtype))
    return store.hash_rihs01(msgtype)
