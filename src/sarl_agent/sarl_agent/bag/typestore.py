"""A rosbags type store that knows the sarl_interfaces messages.

Why: bags must carry the same type names, definitions and RIHS01 type hashes that
rosidl generates, so a bag we write reads in ``ros2 bag`` and one ``ros2 bag
record`` writes reads here. The definitions come from the installed
``sarl_interfaces`` share folder (or, on a machine without the workspace built,
from the source tree next to this package).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from rosbags.typesys import Stores, get_types_from_msg, get_typestore
from rosbags.typesys.store import Typestore

INTERFACE_PACKAGE = "sarl_interfaces"
# Registration order: a message before the messages that embed it.
SARL_MESSAGES = (
    "ArmCommand", "ArmState", "Observation", "CandidateSet", "SemanticTransition", "EpisodeStatus", "TransitionAck",
)


def interface_share_dir() -> Path:
    """Folder holding ``msg/*.msg`` of sarl_interfaces (installed share, else source tree)."""
    try:
        from ament_index_python.packages import get_package_share_directory

        return Path(get_package_share_directory(INTERFACE_PACKAGE))
    except (ImportError, LookupError, ValueError):
        source = Path(__file__).resolve().parents[3] / INTERFACE_PACKAGE
        if (source / "msg").is_dir():
            return source
        raise FileNotFoundError(
            f"cannot find the {INTERFACE_PACKAGE} message definitions: build the workspace "
            "(make test / scripts/bootstrap.sh) or source sarl_env.sh"
        ) from None


def msgtype_name(message: str) -> str:
    """ROS 2 type name of one sarl message, e.g. ``sarl_interfaces/msg/SemanticTransition``."""
    return f"{INTERFACE_PACKAGE}/msg/{message}"


@cache
def sarl_typestore() -> Typestore:
    """ROS 2 Kilted type store plus every sarl_interfaces message."""
    store = get_typestore(Stores.ROS2_KILTED)
    msg_dir = interface_share_dir() / "msg"
    for message in SARL_MESSAGES:
        text = (msg_dir / f"{message}.msg").read_text()
        store.register(get_types_from_msg(text, msgtype_name(message)))
    return store


def rosidl_type_hash(message: str) -> str | None:
    """The RIHS01 hash rosidl generated for a message, when its JSON description is installed."""
    path = interface_share_dir() / "msg" / f"{message}.json"
    if not path.is_file():
        return None
    for entry in json.loads(path.read_text())["type_hashes"]:
        if entry["type_name"] == msgtype_name(message):
            return entry["hash_string"]
    return None
