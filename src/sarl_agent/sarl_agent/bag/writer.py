"""A rosbag2 (MCAP, CDR) bag writer where every written message is on disk when ``write`` returns.

Why not rosbags' ``Writer``: it gathers messages in a 1 MiB chunk in memory
and writes the index only on ``close``; a SIGKILL loses the chunk. Here each
message becomes its own MCAP chunk (with its message index) and the file is
flushed and ``fsync``ed before ``write`` returns, so the recorder may
acknowledge the message. What a crash can leave behind is a file without the
summary section and footer, and no ``metadata.yaml``; ``recovery.py`` rebuilds
both from the chunks on disk (``recover_bag``), and readers run it for you.

The file is what ``ros2 bag record -s mcap`` writes: profile ``ros2``,
schemas in ``ros2msg`` text (``message_definition.py``), channels with
message encoding ``cdr`` and the ``offered_qos_profiles`` / ``topic_type_hash``
metadata, chunked with message indexes (so rosbag2 can read in receive-time
order), a ``rosbag2`` metadata record, summary, footer, and ``metadata.yaml``
version 9 next to it. Chunks are uncompressed: the payload is JPEG already.

Not thread-safe: one thread (the recorder's callback group) owns a writer.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Mapping
from importlib import metadata as package_metadata
from pathlib import Path

from mcap.well_known import MessageEncoding, Profile, SchemaEncoding
from mcap.writer import CompressionType
from mcap.writer import Writer as McapWriter

from .lock import WriterLock
from .message_definition import full_definition
from .metadata import BagSummary, BagTopic, serialized_metadata, write_metadata
from .qos import profiles_yaml

ROSBAG2_METADATA_RECORD = "rosbag2"
"""Name of the MCAP metadata record rosbag2 writes on close (key ``serialized_metadata``)."""
CUSTOM_DATA_RECORD = "sarl_custom_data"
"""MCAP metadata record written at open with ``custom_data``, so recovery can restore it."""


def _library() -> str:
    try:
        version = package_metadata.version("sarl_agent")
    except package_metadata.PackageNotFoundError:
        version = "source"
    return f"sarl_agent-{version} (mcap-python {package_metadata.version('mcap')})"


def storage_file_name(bag_dir: Path) -> str:
    """``<bag>_0.mcap``, the name rosbag2 gives the first (here: only) file of a bag."""
    return f"{Path(bag_dir).name}_0.mcap"


def fsync_directory(directory: Path) -> None:
    """Make a new or renamed directory entry survive a power loss."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DurableBagWriter:
    """Writes one rosbag2 MCAP bag directory, durably message by message.

    ``bag_dir`` must not exist yet. The writer holds a ``WriterLock`` on it
    until ``close`` (or ``abandon``); a killed writer's lock vanishes with it.
    """

    def __init__(self, bag_dir: str | os.PathLike[str], custom_data: Mapping[str, str] | None = None) -> None:
        self.path = Path(bag_dir)
        if self.path.exists():
            raise FileExistsError(f"bag directory {self.path} exists already; a bag is never overwritten")
        self.path.mkdir(parents=True)
        self._lock = WriterLock(self.path)
        self.file_path = self.path / storage_file_name(self.path)
        self._custom_data = dict(custom_data or {})
        self._topics: dict[str, BagTopic] = {}
        self._channels: dict[str, int] = {}
        self._schemas: dict[str, int] = {}
        self._counts: dict[str, int] = {}
        self._start_ns: int | None = None
        self._end_ns = 0
        self._stream = None
        try:
            fsync_directory(self.path.parent)
            self._lock.acquire()
            self._stream = self.file_path.open("xb")
            self._mcap = McapWriter(self._stream, compression=CompressionType.NONE, use_chunking=True)
            self._mcap.start(profile=Profile.ROS2, library=_library())
            if self._custom_data:
                self._mcap.add_metadata(CUSTOM_DATA_RECORD, self._custom_data)
            self._sync()
            fsync_directory(self.path)
        except BaseException:
            self._discard_unstarted()
            raise
        self._open = True

    def _discard_unstarted(self) -> None:
        """A bag that failed to start (disk full, folder unwritable) holds no message: remove it, drop the lock.

        Why: a lock left held by this process would make the bag look like another live recorder's.
        """
        if self._stream is not None:
            with contextlib.suppress(OSError):
                self._stream.close()
        self._lock.release(remove=True)
        with contextlib.suppress(OSError):
            self.file_path.unlink(missing_ok=True)
            self.path.rmdir()

    @property
    def topics(self) -> tuple[BagTopic, ...]:
        return tuple(self._topics.values())

    @property
    def message_count(self) -> int:
        return sum(self._counts.values())

    def has_topic(self, name: str) -> bool:
        return name in self._topics

    def add_topic(self, topic: BagTopic) -> None:
        """Register a topic (schema once per type, one channel per topic) before writing to it."""
        self._check_open()
        if topic.name in self._topics:
            raise ValueError(f"topic {topic.name} is already in bag {self.path}")
        schema_id = self._schemas.get(topic.msgtype)
        if schema_id is None:
            schema_id = self._mcap.register_schema(
                topic.msgtype, SchemaEncoding.ROS2, full_definition(topic.msgtype).encode("utf-8"))
            self._schemas[topic.msgtype] = schema_id
        self._channels[topic.name] = self._mcap.register_channel(
            topic.name, MessageEncoding.CDR, schema_id,
            {"offered_qos_profiles": profiles_yaml(topic.offered_qos), "topic_type_hash": topic.type_hash},
        )
        self._topics[topic.name] = topic
        self._counts[topic.name] = 0

    def write(self, topic: str, data: bytes, log_time_ns: int, publish_time_ns: int | None = None,
              sequence: int = 0, durable: bool = True) -> None:
        """Append one CDR message as its own chunk; with ``durable`` it is fsynced before returning.

        ``durable=False`` still hands the bytes to the OS (they survive the
        process dying, not the machine): for messages nobody acknowledges.
        """
        self._check_open()
        channel = self._channels.get(topic)
        if channel is None:
            raise KeyError(f"topic {topic} was not added to bag {self.path} (call add_topic first)")
        self._mcap.add_message(channel, log_time=log_time_ns, data=bytes(data),
                               publish_time=log_time_ns if publish_time_ns is None else publish_time_ns,
                               sequence=sequence & 0xFFFFFFFF)
        self._mcap.flush()
        if durable:
            os.fsync(self._stream.fileno())
        self._counts[topic] += 1
        self._start_ns = log_time_ns if self._start_ns is None else min(self._start_ns, log_time_ns)
        self._end_ns = max(self._end_ns, log_time_ns)

    def summary(self) -> BagSummary:
        return BagSummary(
            file_name=self.file_path.name, topics=self.topics, message_counts=dict(self._counts),
            start_ns=self._start_ns or 0, end_ns=self._end_ns, custom_data=self._custom_data,
        )

    def close(self) -> BagSummary:
        """Finish the file (``rosbag2`` record, summary, footer), fsync, write ``metadata.yaml``, unlock."""
        self._check_open()
        summary = self.summary()
        self._mcap.add_metadata(ROSBAG2_METADATA_RECORD, {"serialized_metadata": serialized_metadata(summary)})
        self._mcap.finish()
        self._sync()
        self._stream.close()
        write_metadata(self.path, summary)
        self._open = False
        self._lock.release()
        return summary

    def abandon(self) -> None:
        """Stop without finishing, as a crash would (e.g. after a failed write): recovery completes it."""
        if not self._open:
            return
        self._open = False
        try:
            self._stream.close()
        except OSError:
            pass
        self._lock.release(remove=False)

    def _sync(self) -> None:
        self._stream.flush()
        os.fsync(self._stream.fileno())

    def _check_open(self) -> None:
        if not self._open:
            raise RuntimeError(f"bag {self.path} is closed")


def utc_stamp(time_ns: int | None = None) -> str:
    """``YYYY_MM_DD-HH_MM_SS`` in UTC, the time format of rosbag2's default bag names."""
    seconds = (time.time_ns() if time_ns is None else time_ns) / 1e9
    return time.strftime("%Y_%m_%d-%H_%M_%S", time.gmtime(seconds))
