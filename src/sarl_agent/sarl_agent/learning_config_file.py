"""Finding and reading the learning config YAML, one way for the agent node, ``replay`` and the bag benchmark.

ROS-free (sarl_bringup's installed ``config/`` is asked of ament_index only when it is importable) and
outside ``learning/``, whose core may import nothing but the stdlib, numpy and torch.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .learning.config import SarlConfig

DEFAULT_LEARNING_CONFIG = "learning.yaml"
SOURCE_CONFIG_DIR = Path(__file__).resolve().parents[3] / "config"
"""The workspace's ``config/`` when running from a source checkout (sarl_bringup installs it as its share)."""


def resolve_learning_config(path: str) -> Path:
    """A file path, else a name in sarl_bringup's installed ``config/`` (then the source tree's ``config/``)."""
    candidate = Path(path)
    if candidate.is_file():
        return candidate
    places = []
    try:
        from ament_index_python.packages import get_package_share_directory

        places.append(Path(get_package_share_directory("sarl_bringup")) / "config" / path)
    except (ImportError, LookupError, ValueError):
        pass
    places.append(SOURCE_CONFIG_DIR / path)
    for place in places:
        if place.is_file():
            return place
    raise FileNotFoundError(f"learning config {path!r} not found (looked in: {', '.join(map(str, places))})")


def load_learning_config(path: str, seed: int) -> SarlConfig:
    """SarlConfig from a YAML file (empty path: the defaults); the run's seed wins over the file's."""
    data = {}
    if path:
        with resolve_learning_config(path).open() as stream:
            data = yaml.safe_load(stream) or {}
        if not isinstance(data, dict):
            raise ValueError(f"learning config {path} must be a YAML mapping")
    data["seed"] = seed
    return SarlConfig.from_dict(data)
