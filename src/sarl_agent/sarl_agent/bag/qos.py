"""The ``offered_qos_profiles`` entries rosbag2 writes, in metadata version 9 form.

Why: ``ros2 bag play`` re-creates each topic's publisher from these profiles,
and the rosbags reader matches the profiles in ``metadata.yaml`` against the
ones in the MCAP channel metadata. A bag must therefore carry them in exactly
rosbag2's shape: policy names as lower-case strings (``reliable``,
``transient_local``, ``unknown``, ...), durations as ``{sec, nsec}`` with
``RMW_DURATION_INFINITE`` = ``{9223372036, 854775807}``.

ROS-free: the recorder node converts rclpy's ``QoSProfile`` of each discovered
publisher into ``OfferedQos`` (see ``from_policy_names``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

INFINITE_NS = 2**63 - 1
"""RMW_DURATION_INFINITE in nanoseconds (what rmw reports for "no deadline/lifespan/lease")."""

HISTORY = ("system_default", "keep_last", "keep_all", "unknown")
RELIABILITY = ("system_default", "reliable", "best_effort", "unknown", "best_available")
DURABILITY = ("system_default", "transient_local", "volatile", "unknown", "best_available")
LIVELINESS = ("system_default", "automatic", "manual_by_node", "manual_by_topic", "unknown", "best_available")
"""Each tuple is in rmw enum order, so metadata version <= 8 (integers) maps by index."""


def _duration(nanoseconds: int) -> dict[str, int]:
    if nanoseconds < 0:
        raise ValueError(f"a QoS duration must be >= 0 ns, got {nanoseconds}")
    return {"sec": nanoseconds // 1_000_000_000, "nsec": nanoseconds % 1_000_000_000}


def _policy(name: str, value: object, allowed: tuple[str, ...]) -> str:
    """A policy name from a version-9 string or a version-8 integer."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(allowed):
        return allowed[value]
    if isinstance(value, str) and value.lower() in allowed:
        return value.lower()
    raise ValueError(f"QoS {name} must be one of {allowed} (or its index), got {value!r}")


def _nanoseconds(name: str, value: object) -> int:
    if not isinstance(value, dict) or "sec" not in value or "nsec" not in value:
        raise ValueError(f"QoS {name} must be a mapping with sec and nsec, got {value!r}")
    return min(INFINITE_NS, int(value["sec"]) * 1_000_000_000 + int(value["nsec"]))


def _check(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"QoS {name} must be one of {allowed}, got {value!r}")


@dataclass(frozen=True)
class OfferedQos:
    """One publisher's offered QoS, as a discovered endpoint reports it."""

    history: str = "unknown"
    """Discovery does not carry history, so recorded offers say ``unknown`` (depth 0)."""
    depth: int = 0
    reliability: str = "reliable"
    durability: str = "volatile"
    deadline_ns: int = INFINITE_NS
    lifespan_ns: int = INFINITE_NS
    liveliness: str = "automatic"
    liveliness_lease_duration_ns: int = INFINITE_NS
    avoid_ros_namespace_conventions: bool = False

    def __post_init__(self) -> None:
        _check("history", self.history, HISTORY)
        _check("reliability", self.reliability, RELIABILITY)
        _check("durability", self.durability, DURABILITY)
        _check("liveliness", self.liveliness, LIVELINESS)
        if self.depth < 0:
            raise ValueError(f"QoS depth must be >= 0, got {self.depth}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OfferedQos:
        """Parse one entry of ``offered_qos_profiles`` (metadata version 8 or 9)."""
        try:
            return cls(
                history=_policy("history", data["history"], HISTORY),
                depth=int(data["depth"]),
                reliability=_policy("reliability", data["reliability"], RELIABILITY),
                durability=_policy("durability", data["durability"], DURABILITY),
                deadline_ns=_nanoseconds("deadline", data["deadline"]),
                lifespan_ns=_nanoseconds("lifespan", data["lifespan"]),
                liveliness=_policy("liveliness", data["liveliness"], LIVELINESS),
                liveliness_lease_duration_ns=_nanoseconds("liveliness_lease_duration",
                                                          data["liveliness_lease_duration"]),
                avoid_ros_namespace_conventions=bool(data["avoid_ros_namespace_conventions"]),
            )
        except KeyError as missing:
            raise ValueError(f"QoS profile {data!r} lacks the key {missing}") from None

    def to_dict(self) -> dict[str, Any]:
        """rosbag2's version-9 mapping, keys in rosbag2's order."""
        return {
            "history": self.history,
            "depth": self.depth,
            "reliability": self.reliability,
            "durability": self.durability,
            "deadline": _duration(self.deadline_ns),
            "lifespan": _duration(self.lifespan_ns),
            "liveliness": self.liveliness,
            "liveliness_lease_duration": _duration(self.liveliness_lease_duration_ns),
            "avoid_ros_namespace_conventions": self.avoid_ros_namespace_conventions,
        }


def parse_profiles(text: str) -> tuple[OfferedQos, ...]:
    """Inverse of ``profiles_yaml`` (also reads rosbag2's own channel metadata)."""
    entries = yaml.safe_load(text) if text.strip() else []
    if not isinstance(entries, list):
        raise ValueError(f"offered_qos_profiles must be a YAML list, got {text[:80]!r}")
    return tuple(OfferedQos.from_dict(entry) for entry in entries)


def profiles_yaml(profiles: list[OfferedQos] | tuple[OfferedQos, ...]) -> str:
    """The string rosbag2's MCAP storage puts in a channel's ``offered_qos_profiles`` metadata."""
    return yaml.safe_dump([p.to_dict() for p in profiles], sort_keys=False, default_flow_style=False).strip()
