"""Walk the data section of an MCAP file record by record, stopping cleanly where it is cut or damaged.

Why not mcap's ``StreamReader``: on a file cut mid-record it can hand back a
short message body as if it were whole (its reads do not check lengths), and
it cannot say where the good part ends. Recovery and reading an unfinished
bag need exactly that: every complete record before the first damaged one,
the byte offset where the good data ends, and why scanning stopped.

Each record's length is checked against the file size before it is parsed;
chunks are CRC-checked when they carry a CRC. Unknown opcodes are skipped as
the MCAP spec asks; opcode 0 (a zero-filled tail after a power loss) stops.
A whole record that fails to parse (bit rot inside a chunk) stops the scan,
or with ``skip_damaged`` is skipped and listed in ``ScanState.skipped`` so the
records after it are still read.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from mcap.data_stream import ReadDataStream
from mcap.exceptions import McapError
from mcap.opcode import Opcode
from mcap.records import Channel, Chunk, Header, Message, Metadata, Schema
from mcap.stream_reader import breakup_chunk

MAGIC = b"\x89MCAP0\r\n"
_RECORD_HEADER = struct.Struct("<BQ")
_FOOTER_LENGTH = 20


@dataclass
class ScanState:
    """What the scan has seen so far; final once ``McapScan.records()`` is exhausted."""

    header: Header | None = None
    schemas: dict[int, Schema] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    metadata: list[Metadata] = field(default_factory=list)
    message_count: int = 0
    channel_counts: dict[int, int] = field(default_factory=dict)
    """Complete messages per channel id."""
    start_ns: int = 2**63 - 1
    end_ns: int = 0
    """Log-time range of the complete messages."""
    good_end: int = 0
    """Offset just after the last complete data-section record."""
    record_end: int = 0
    """Offset just after the top-level record (e.g. the chunk) holding the record being yielded."""
    file_size: int = 0
    data_end_found: bool = False
    """The writer reached ``finish()`` (the data section is closed)."""
    problem: str | None = None
    """Why the scan stopped before a DataEnd record (None: it reached one)."""
    skipped: list[str] = field(default_factory=list)
    """Damaged records passed over (``skip_damaged``), each with its offset and error."""

    @property
    def dropped_bytes(self) -> int:
        """Bytes after the good data that are not part of a finished summary (0 when nothing was cut)."""
        return 0 if self.data_end_found else self.file_size - self.good_end


def has_footer(path: Path) -> bool:
    """True when the file ends in a well-formed MCAP footer and magic (a finished file)."""
    size = path.stat().st_size
    tail_length = 9 + _FOOTER_LENGTH + len(MAGIC)
    if size < len(MAGIC) + tail_length:
        return False
    with path.open("rb") as stream:
        stream.seek(size - tail_length)
        tail = stream.read(tail_length)
    opcode, length = _RECORD_HEADER.unpack_from(tail)
    return tail.endswith(MAGIC) and opcode == Opcode.FOOTER and length == _FOOTER_LENGTH


class McapScan:
    """One pass over ``path``; iterate ``records()`` for schemas, channels, messages and metadata."""

    def __init__(self, path: Path, skip_damaged: bool = False) -> None:
        self.path = Path(path)
        self.skip_damaged = skip_damaged
        self.state = ScanState()

    def records(self) -> Iterator[Schema | Channel | Message | Metadata]:
        state = self.state
        with self.path.open("rb") as stream:
            stream.seek(0, 2)
            state.file_size = stream.tell()
            stream.seek(0)
            if stream.read(len(MAGIC)) != MAGIC:
                state.problem = "not an MCAP file (bad magic at the start)"
                return
            state.good_end = offset = len(MAGIC)
            while True:
                head = stream.read(_RECORD_HEADER.size)
                if not head:
                    state.problem = f"the file ends at byte {offset} without a footer (writer did not finish)"
                    return
                if len(head) < _RECORD_HEADER.size:
                    state.problem = f"a record header is cut off at byte {offset}"
                    return
                opcode, length = _RECORD_HEADER.unpack(head)
                if opcode == 0:
                    state.problem = f"invalid opcode 0 at byte {offset} (zero-filled tail?)"
                    return
                if offset + _RECORD_HEADER.size + length > state.file_size:
                    state.problem = (f"record (opcode 0x{opcode:02x}) at byte {offset} claims {length} bytes; "
                                     f"the file ends {state.file_size - offset - _RECORD_HEADER.size} bytes later")
                    return
                body = stream.read(length)
                try:
                    parsed = list(self._parse(opcode, body, offset))
                except (McapError, struct.error, ValueError, UnicodeDecodeError) as error:
                    damage = f"damaged record (opcode 0x{opcode:02x}) at byte {offset}: {error or type(error).__name__}"
                    if not self.skip_damaged or offset == len(MAGIC):
                        state.problem = damage
                        return
                    state.skipped.append(damage)
                    parsed = []
                if offset == len(MAGIC) and not isinstance(state.header, Header):
                    state.problem = "the first record is not an MCAP header"
                    return
                offset += _RECORD_HEADER.size + length
                if opcode == Opcode.DATA_END:
                    state.good_end = offset
                    state.data_end_found = True
                    return
                state.record_end = offset
                for record in parsed:
                    self._remember(record)
                    yield record
                state.good_end = offset

    def _parse(self, opcode: int, body: bytes, offset: int) -> Iterator[Schema | Channel | Message | Metadata]:
        data = ReadDataStream(BytesIO(body))
        if opcode == Opcode.HEADER:
            self.state.header = Header.read(data)
        elif opcode == Opcode.SCHEMA:
            yield Schema.read(data)
        elif opcode == Opcode.CHANNEL:
            yield Channel.read(data)
        elif opcode == Opcode.MESSAGE:
            yield Message.read(data, len(body))
        elif opcode == Opcode.METADATA:
            yield Metadata.read(data)
        elif opcode == Opcode.CHUNK:
            chunk = Chunk.read(data)
            for inner in breakup_chunk(chunk, validate_crc=True):
                if isinstance(inner, (Schema, Channel, Message)):
                    yield inner
        # message indexes, attachments and anything unknown carry nothing recovery needs

    def _remember(self, record: Schema | Channel | Message | Metadata) -> None:
        state = self.state
        if isinstance(record, Schema):
            state.schemas[record.id] = record
        elif isinstance(record, Channel):
            state.channels[record.id] = record
        elif isinstance(record, Metadata):
            state.metadata.append(record)
        else:
            state.message_count += 1
            state.channel_counts[record.channel_id] = state.channel_counts.get(record.channel_id, 0) + 1
            state.start_ns = min(state.start_ns, record.log_time)
            state.end_ns = max(state.end_ns, record.log_time)
