"""The learning core must stay ROS-free: only the standard library, numpy and torch."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import sarl_agent.learning

CORE = Path(sarl_agent.learning.__file__).parent
ALLOWED_THIRD_PARTY = {"numpy", "torch"}
MODULES = sorted(CORE.glob("*.py"))


def test_core_has_modules():
    assert len(MODULES) >= 10


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_imports_only_stdlib_numpy_torch(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY, (
                f"{path.name}:{node.lineno} imports {name!r}; the learning core may only use the stdlib, numpy, torch"
            )
