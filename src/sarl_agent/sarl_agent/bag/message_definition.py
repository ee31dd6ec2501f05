"""The MCAP schema text of a message type, built the way rosbag2's MCAP storage builds it.

Why: ``ros2 bag record -s mcap`` stores, per type, the installed ``.msg`` file
of the type followed by every dependency's ``.msg`` file, each introduced by an
80-``=`` line and ``MSG: pkg/Type`` (dependencies found by scanning field types,
visited in sorted order, each once). Writing the same text keeps our bags
byte-for-byte comparable with recorded ones and lets any reader rebuild the
types from the bag alone (rosbags' ``AnyReader`` does, and checks the RIHS01
hash against ``metadata.yaml``).

Where the ``.msg`` files are not installed (no ament index), the text falls
back to rosbags' generated definition: the same types without comments.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from .typestore import sarl_typestore

SCHEMA_ENCODING = "ros2msg"
_SEPARATOR = "=" * 80 + "\n"
_PRIMITIVES = frozenset({
    "bool", "byte", "char", "float32", "float64", "int8", "uint8", "int16", "uint16",
    "int32", "uint32", "int64", "uint64", "string",
})
# A field line starts with its type (optionally an array); comments and constants of primitive types fall out.
_FIELD_TYPE = re.compile(r"(?:^|\n)\s*([a-zA-Z0-9_/]+)(?:\[[^\]]*\])?\s+")
_TYPE_NAME = re.compile(r"^([a-zA-Z][a-zA-Z0-9_]*)/(?:msg/)?([a-zA-Z][a-zA-Z0-9_]*)$")


class DefinitionNotFound(LookupError):
    """A ``.msg`` file is not installed where the ament index says its package lives."""


def _share_dir(package: str) -> Path:
    try:
        from ament_index_python.packages import get_package_share_directory

        return Path(get_package_share_directory(package))
    except (ImportError, LookupError, ValueError):
        if package == "sarl_interfaces":
            from .typestore import interface_share_dir

            return interface_share_dir()
        raise DefinitionNotFound(f"package {package!r} is not in the ament index") from None


@cache
def _msg_text(type_name: str) -> str:
    match = _TYPE_NAME.match(type_name)
    if not match:
        raise DefinitionNotFound(f"type name {type_name!r} is not pkg/Type or pkg/msg/Type")
    package, name = match.groups()
    path = _share_dir(package) / "msg" / f"{name}.msg"
    if not path.is_file():
        raise DefinitionNotFound(f"{path} does not exist")
    return path.read_text(encoding="utf-8")


def _dependencies(text: str, package: str) -> list[str]:
    found = set()
    for match in _FIELD_TYPE.finditer(text):
        field_type = match.group(1)
        if field_type in _PRIMITIVES:
            continue
        found.add(field_type if "/" in field_type else f"{package}/{field_type}")
    return sorted(found)


def _installed_definition(msgtype: str) -> str:
    seen: set[str] = set()

    def append(type_name: str, depth: int) -> str:
        if depth <= 0:
            raise RecursionError(f"message definition of {msgtype} nests deeper than 50 levels")
        text = _msg_text(type_name)
        for dependency in _dependencies(text, type_name.split("/")[0]):
            if dependency not in seen:
                seen.add(dependency)
                text += "\n" + _SEPARATOR + f"MSG: {dependency}\n" + append(dependency, depth - 1)
        return text

    return append(msgtype, 50)


@cache
def full_definition(msgtype: str) -> str:
    """Schema data for ``msgtype`` (e.g. ``sarl_interfaces/msg/SemanticTransition``), encoding ``ros2msg``."""
    try:
        return _installed_definition(msgtype)
    except DefinitionNotFound:
        text, _ = sarl_typestore().generate_msgdef(msgtype, ros_version=2)
        return text
