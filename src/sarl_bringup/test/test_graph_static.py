"""Everything the graph description names must exist in the workspace, checked without running anything.

Why: on a robot PC, a typo in graph.py (a package, an executable, a parameter
file, a launch argument aimed at the wrong node) is found only when
``ros2 launch`` dies, after the arm and camera are already up. These tests read
the sources the way colcon and ros2 launch will: package.xml names, the
``console_scripts`` of each setup.py (its AST, not a regex), the module and
function each entry point names, and the parameter files through the nodes'
own parameter declarations.
"""

from __future__ import annotations

import ast
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sarl_bringup.graph import PROFILES, graph_for
from sarl_bringup.launch_arguments import ARGUMENTS
from sarl_bringup.parameter_schema import (
    check_launch_arguments,
    check_parameters,
    launch_overrides,
    load_parameter_file,
)

ROOT = Path(__file__).resolve().parents[3]
SRC = ROOT / "src"


def workspace_packages() -> dict[str, Path]:
    """package.xml ``<name>`` → package folder, for every package colcon would find under src/."""
    packages = {}
    for manifest in sorted(SRC.glob("*/package.xml")):
        name = ET.parse(manifest).getroot().findtext("name")
        packages[name] = manifest.parent
    return packages


def _literal(node: ast.AST, names: dict[str, str]) -> object:
    """Value of a setup.py expression built from literals, f-strings and module-level string constants."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    if isinstance(node, ast.JoinedStr):
        return "".join(str(_literal(part, names)) for part in node.values)
    if isinstance(node, ast.FormattedValue):
        return _literal(node.value, names)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_literal(item, names) for item in node.elts]
    if isinstance(node, ast.Dict):
        return {_literal(k, names): _literal(v, names) for k, v in zip(node.keys, node.values, strict=True)}
    raise ValueError(f"cannot evaluate {ast.dump(node)[:80]} statically")


def console_scripts(setup_py: Path) -> dict[str, str]:
    """``console_scripts`` of a setup.py: executable name → ``module:function``."""
    tree = ast.parse(setup_py.read_text(), str(setup_py))
    names = {
        target.id: stmt.value.value
        for stmt in tree.body
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)
        for target in stmt.targets
        if isinstance(target, ast.Name)
    }
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "setup":
            for keyword in call.keywords:
                if keyword.arg == "entry_points":
                    scripts = _literal(keyword.value, names).get("console_scripts", [])
                    return dict((part.strip() for part in item.split("=", 1)) for item in scripts)
            return {}
    raise AssertionError(f"{setup_py}: no setup(...) call")


def defines_function(package_dir: Path, target: str) -> bool:
    """Whether ``module:function`` names a top-level function of a module inside ``package_dir``."""
    module, _, function = target.partition(":")
    path = package_dir.joinpath(*module.split("."))
    source = path.with_suffix(".py") if path.with_suffix(".py").is_file() else path / "__init__.py"
    if not source.is_file():
        return False
    tree = ast.parse(source.read_text(), str(source))
    return any(isinstance(s, ast.FunctionDef) and s.name == function for s in tree.body)


GRAPH_NODES = [(profile, node) for profile in PROFILES for node in graph_for(profile).nodes]


@pytest.mark.parametrize(("profile", "node"), GRAPH_NODES, ids=[f"{p}-{n.name}" for p, n in GRAPH_NODES])
def test_every_node_names_a_package_and_an_entry_point_that_exist(profile, node):
    packages = workspace_packages()
    assert node.package in packages, f"{profile}: {node.name} needs package {node.package!r}; have {sorted(packages)}"
    package_dir = packages[node.package]
    scripts = console_scripts(package_dir / "setup.py")
    assert node.executable in scripts, (
        f"{profile}: {node.name} runs {node.package}/{node.executable}, but {package_dir / 'setup.py'} installs "
        f"only {sorted(scripts)}"
    )
    target = scripts[node.executable]
    assert defines_function(package_dir, target), f"{node.package}/{node.executable} = {target}: no such function"


def test_bringup_depends_on_every_package_of_every_graph():
    manifest = ET.parse(SRC / "sarl_bringup" / "package.xml").getroot()
    depends = {element.text for element in manifest if element.tag in ("exec_depend", "depend")}
    for profile in PROFILES:
        missing = graph_for(profile).packages() - depends
        assert not missing, f"sarl_bringup/package.xml lacks <exec_depend> on {sorted(missing)} ({profile} graph)"


@pytest.mark.parametrize("profile", PROFILES)
def test_parameter_file_exists_and_matches_the_nodes_declarations(profile):
    graph = graph_for(profile)
    path = ROOT / "config" / graph.parameter_file
    assert path.is_file(), f"{profile} graph needs config/{graph.parameter_file}"
    problems = check_parameters(graph, load_parameter_file(path), launch_overrides(profile))
    assert not problems, f"config/{graph.parameter_file}:\n" + "\n".join(problems)


@pytest.mark.parametrize("profile", PROFILES)
def test_launch_arguments_set_declared_parameters_of_graph_nodes(profile):
    assert set(ARGUMENTS) == set(PROFILES), f"launch arguments for {sorted(ARGUMENTS)}, profiles {PROFILES}"
    problems = check_launch_arguments(graph_for(profile), ARGUMENTS[profile])
    assert not problems, "\n".join(problems)


def test_each_launch_file_starts_the_profile_it_is_named_after():
    launch_files = sorted((ROOT / "launch").glob("*.launch.py"))
    assert {f.name for f in launch_files} >= {f"{p}.launch.py" for p in PROFILES}
    for path in launch_files:
        calls = [
            node for node in ast.walk(ast.parse(path.read_text(), str(path)))
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "graph_launch_description"
        ]  # fmt: skip
        profiles = [call.args[0].value for call in calls if call.args and isinstance(call.args[0], ast.Constant)]
        assert profiles == [path.name.removesuffix(".launch.py")], f"{path.name} builds the graphs {profiles}"


def test_installed_executables_match_the_graph():
    """After a build, each node's program is at ``lib/<package>/<executable>`` (what ros2 launch runs)."""
    from ament_index_python.packages import PackageNotFoundError, get_package_prefix

    checked = 0
    for profile, node in GRAPH_NODES:
        try:
            prefix = Path(get_package_prefix(node.package))
        except PackageNotFoundError:
            continue
        program = prefix / "lib" / node.package / node.executable
        assert program.is_file() and os.access(program, os.X_OK), f"{profile}: {program} missing (rebuild)"
        checked += 1
    if not checked:
        pytest.skip("no package of the graph is installed (colcon build first)")
