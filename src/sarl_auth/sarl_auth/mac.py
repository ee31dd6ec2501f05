"""HMAC-SHA256 over an unambiguous encoding of a message's fields.

Why a canonical encoding: a MAC over ``str(fields)`` or a plain concatenation
lets two different messages share bytes ("ab" + "c" == "a" + "bc"). Each field
is encoded with its type and length, so equal bytes mean equal fields.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import struct
from collections.abc import Iterable

MAC_BYTES = 32

Field = str | bytes | bool | int | float | Iterable["Field"] | None


def canonical_bytes(*fields: Field) -> bytes:
    """Type-tagged, length-prefixed bytes of ``fields`` (str, bytes, bool, int, float, None, or sequences)."""
    out = bytearray()
    for field in fields:
        _encode(field, out)
    return bytes(out)


def sign(secret: bytes, *fields: Field) -> bytes:
    """The 32-byte HMAC-SHA256 of ``fields`` under ``secret``."""
    return hmac.new(secret, canonical_bytes(*fields), hashlib.sha256).digest()


def verify(secret: bytes, mac: bytes | bytearray | Iterable[int], *fields: Field) -> bool:
    """True when ``mac`` is the MAC of ``fields`` under ``secret`` (constant-time compare)."""
    try:
        received = bytes(mac)
    except (TypeError, ValueError):
        return False
    return len(received) == MAC_BYTES and hmac.compare_digest(received, sign(secret, *fields))


def _encode(field: Field, out: bytearray) -> None:
    if field is None:
        out += b"N"
    elif isinstance(field, bool):
        out += b"T" if field else b"F"
    elif isinstance(field, int):
        out += b"i" + _length_prefixed(str(field).encode("ascii"))
    elif isinstance(field, float):
        if math.isnan(field):
            out += b"n"  # every NaN encodes alike, so a NaN field cannot hide a second meaning
        else:
            out += b"d" + struct.pack(">d", field)
    elif isinstance(field, str):
        out += b"s" + _length_prefixed(field.encode("utf-8"))
    elif isinstance(field, bytes | bytearray | memoryview):
        out += b"b" + _length_prefixed(bytes(field))
    else:
        items = list(field)
        out += b"L" + struct.pack(">Q", len(items))
        for item in items:
            _encode(item.item() if hasattr(item, "item") else item, out)


def _length_prefixed(data: bytes) -> bytes:
    return struct.pack(">Q", len(data)) + data
