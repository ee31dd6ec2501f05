"""rosbag2 ``metadata.yaml`` (version 9) for a one-file MCAP bag.

Why here and not rosbags' writer: our writer must reach disk message by
message (see ``writer.py``), so it cannot use rosbags' ``Writer``; this module
writes the same ``metadata.yaml`` that ``ros2 bag record -s mcap`` writes (key
order of rosbag2's YAML encoder, QoS as version-9 mappings, the RIHS01 type
hash per topic), and the same text goes into the MCAP ``rosbag2`` metadata
record that rosbag2 writes when it closes a file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..learning.atomic_file import atomic_open
from .qos import OfferedQos

METADATA_FILE = "metadata.yaml"
METADATA_VERSION = 9
STORAGE_IDENTIFIER = "mcap"
SERIALIZATION_FORMAT = "cdr"
DEFAULT_ROS_DISTRO = "kilted"
"""The distro of the rclpy wheels this workspace runs on (used when ROS_DISTRO is unset)."""


def ros_distro() -> str:
    return os.environ.get("ROS_DISTRO") or DEFAULT_ROS_DISTRO


@dataclass(frozen=True)
class BagTopic:
    """A recorded topic: what ``ros2 bag record`` stores about it."""

    name: str
    """Fully qualified, e.g. ``/sarl/transitions``."""
    msgtype: str
    """e.g. ``sarl_interfaces/msg/SemanticTransition``."""
    type_hash: str
    """RIHS01 type description hash."""
    offered_qos: tuple[OfferedQos, ...] = ()
    serialization_format: str = SERIALIZATION_FORMAT

    def __post_init__(self) -> None:
        if not self.name.startswith("/"):
            raise ValueError(f"bag topic names are fully qualified (start with '/'), got {self.name!r}")
        if not self.type_hash.startswith("RIHS01_"):
            raise ValueError(f"type_hash of {self.name} must be a RIHS01 hash, got {self.type_hash!r}")


@dataclass(frozen=True)
class BagSummary:
    """What a finished (or recovered) bag file holds."""

    file_name: str
    topics: tuple[BagTopic, ...]
    message_counts: Mapping[str, int]
    """Messages per topic name."""
    start_ns: int
    end_ns: int
    custom_data: Mapping[str, str] = field(default_factory=dict)

    @property
    def message_count(self) -> int:
        return sum(self.message_counts.values())


def metadata_dict(summary: BagSummary) -> dict[str, Any]:
    """The ``rosbag2_bagfile_information`` mapping (rosbag2's key order)."""
    count = summary.message_count
    start = summary.start_ns if count else 0
    duration = max(0, summary.end_ns - summary.start_ns) if count else 0
    return {
        "version": METADATA_VERSION,
        "storage_identifier": STORAGE_IDENTIFIER,
        "duration": {"nanoseconds": duration},
        "starting_time": {"nanoseconds_since_epoch": start},
        "message_count": count,
        "topics_with_message_count": [
            {
                "topic_metadata": {
                    "name": topic.name,
                    "type": topic.msgtype,
                    "serialization_format": topic.serialization_format,
                    "offered_qos_profiles": [qos.to_dict() for qos in topic.offered_qos],
                    "type_description_hash": topic.type_hash,
                },
                "message_count": int(summary.message_counts.get(topic.name, 0)),
            }
            for topic in summary.topics
        ],
        "compression_format": "",
        "compression_mode": "",
        "relative_file_paths": [summary.file_name],
        "files": [
            {
                "path": summary.file_name,
                "starting_time": {"nanoseconds_since_epoch": start},
                "duration": {"nanoseconds": duration},
                "message_count": count,
            }
        ],
        "custom_data": dict(summary.custom_data) or None,
        "ros_distro": ros_distro(),
    }


def serialized_metadata(summary: BagSummary) -> str:
    """Text of the MCAP ``rosbag2`` metadata record (key ``serialized_metadata``)."""
    return yaml.safe_dump(metadata_dict(summary), sort_keys=False)


def write_metadata(bag_dir: Path, summary: BagSummary) -> Path:
    """Atomically (temp file, fsync, rename) write ``metadata.yaml``: a crash leaves the old one or none."""
    path = bag_dir / METADATA_FILE
    with atomic_open(path, "w") as stream:
        yaml.safe_dump({"rosbag2_bagfile_information": metadata_dict(summary)}, stream, sort_keys=False)
    return path


def read_metadata(bag_dir: Path) -> dict[str, Any]:
    """The ``rosbag2_bagfile_information`` mapping; ``ValueError`` naming the file when unreadable."""
    path = bag_dir / METADATA_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return dict(data["rosbag2_bagfile_information"])
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        raise ValueError(f"{path}: not a readable rosbag2 metadata file ({error})") from None
