"""Start the sarl graph as separate processes where ``ros2 launch`` is not installed.

Reads the same graph description (``graph.py``) and parameter files as the
launch files. Stops every process with SIGTERM when the main node exits, when
any required process dies (then it fails loudly, naming it), or on Ctrl-C.
A process marked ``respawn`` (the recorder) is restarted instead, up to
``MAX_RESPAWNS`` times. Before starting, it creates the run secret
(``sarl_auth``: ``$SARL_SECRET_FILE`` or ``~/.config/sarl/secret``, mode 600)
that the agent and the recorder sign with; it never travels over DDS.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sarl_auth import SecretError, default_secret_path, load_or_create_secret

from .graph import PROFILES, SIM_POLICY_SERVER, GraphSpec, NodeSpec, graph_for, with_policy_port


def executable_path(node: NodeSpec) -> Path:
    """``<prefix>/lib/<package>/<executable>`` of an installed ament package."""
    from ament_index_python.packages import PackageNotFoundError, get_package_prefix

    try:
        prefix = Path(get_package_prefix(node.package))
    except PackageNotFoundError:
        raise FileNotFoundError(f"package {node.package!r} is not installed: build the workspace first") from None
    path = prefix / "lib" / node.package / node.executable
    if not path.is_file():
        raise FileNotFoundError(f"executable {node.executable!r} of package {node.package!r} not found at {path}")
    return path


def parameter_file(graph: GraphSpec, override: str | None) -> Path:
    if override:
        return Path(override)
    from ament_index_python.packages import get_package_share_directory

    return Path(get_package_share_directory("sarl_bringup")) / "config" / graph.parameter_file


def command_for(node: NodeSpec, params: Path, overrides: dict[str, list[str]]) -> list[str]:
    command = [str(executable_path(node))]
    if not node.is_ros_node:
        return [*command, *node.arguments]
    command += ["--ros-args", "-r", f"__node:={node.name}", "--params-file", str(params)]
    for assignment in overrides.get(node.name, []):
        command += ["-p", assignment]
    return command


def parse_overrides(items: list[str], graph: GraphSpec) -> dict[str, list[str]]:
    """``node.param=value`` → {node: ["param:=value"]}, refusing unknown node names."""
    names = {node.name for node in graph.nodes}
    overrides: dict[str, list[str]] = {}
    for item in items:
        target, _, value = item.partition("=")
        node, _, param = target.partition(".")
        if not value or not param or node not in names:
            raise ValueError(f"--set {item!r}: expected NODE.PARAM=VALUE with NODE one of {sorted(names)}")
        overrides.setdefault(node, []).append(f"{param}:={value}")
    return overrides


MAX_RESPAWNS = 5
"""Restarts of one ``respawn`` process per run; a process that keeps dying is a fault to report, not retry."""

PR_SET_PDEATHSIG = 1
"""prctl(2) option: the signal a process receives when its parent dies."""


def _parent_death_signal() -> Callable[[], None] | None:
    """A function for ``preexec_fn`` that makes the child get SIGTERM when the launcher dies, even by SIGKILL.

    An orphaned driver or agent would go on commanding the arm with nobody to stop it. The libc
    function is looked up here, in the parent: the child between fork and exec must not load
    libraries. Linux only; None elsewhere.
    """
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Graph:
    """The running processes of one graph."""

    def __init__(self, graph: GraphSpec, params: Path, overrides: dict[str, list[str]], log_dir: Path) -> None:
        self._graph = graph
        self._processes: dict[str, subprocess.Popen] = {}
        self._commands = {node.name: command_for(node, params, overrides) for node in graph.nodes}
        self._log_dir = log_dir
        self._preexec = _parent_death_signal()
        self.departed: dict[str, int] = {}
        """Processes that are not required and ended while the graph ran (their exit codes)."""
        self.restarts: dict[str, int] = {}
        """How often each ``respawn`` process was restarted."""

    def start(self) -> None:
        self._log_dir.mkdir(parents=True, exist_ok=True)
        for node in self._graph.nodes:
            self._start(node.name)

    def _start(self, name: str, restart: int = 0) -> None:
        process = subprocess.Popen(self._commands[name], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=dict(os.environ, PYTHONUNBUFFERED="1"),
                                   preexec_fn=self._preexec)
        self._processes[name] = process
        threading.Thread(target=self._relay, args=(name, process, restart > 0), daemon=True).start()

    def _relay(self, name: str, process: subprocess.Popen, append: bool = False) -> None:
        """Prefix each output line with the node name, and keep a per-node log file (a restart appends)."""
        with (self._log_dir / f"{name}.log").open("ab" if append else "wb") as log:
            for line in iter(process.stdout.readline, b""):
                log.write(line)
                log.flush()
                sys.stdout.write(f"[{name}] {line.decode(errors='replace')}")
                sys.stdout.flush()

    def wait(self, stop: threading.Event) -> int:
        """Block until the main node exits, a required node dies, or ``stop`` is set; returns the exit code."""
        required = {node.name for node in self._graph.nodes if node.required}
        respawn = {node.name for node in self._graph.nodes if node.respawn}
        while not stop.is_set():
            for name, process in list(self._processes.items()):
                code = process.poll()
                if code is None:
                    continue
                if name == self._graph.main_node:
                    return code
                if name in respawn and self.restarts.get(name, 0) < MAX_RESPAWNS:
                    self.restarts[name] = self.restarts.get(name, 0) + 1
                    print(f"[local_launch] {name} died with exit code {code}; restarting it "
                          f"({self.restarts[name]}/{MAX_RESPAWNS})", file=sys.stderr)
                    self._start(name, self.restarts[name])
                    continue
                if name in required:
                    print(f"[local_launch] required process {name} died with exit code {code}; stopping the graph",
                          file=sys.stderr)
                    return 1
                if name not in self.departed:
                    self.departed[name] = code
                    print(f"[local_launch] {name} exited with code {code}; not required, the graph goes on",
                          file=sys.stderr)
            time.sleep(0.1)
        return 0

    def stop(self, timeout: float = 10.0) -> dict[str, int]:
        """SIGTERM to all (reverse start order), SIGKILL to stragglers; returns exit codes."""
        for process in reversed(list(self._processes.values())):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        codes = {}
        for name, process in self._processes.items():
            try:
                codes[name] = process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                codes[name] = process.wait()
        return codes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=PROFILES, default="sim")
    parser.add_argument("--params-file", help="parameter file (default: the profile's file in sarl_bringup/config)")
    parser.add_argument("--set", action="append", default=[], metavar="NODE.PARAM=VALUE",
                        help="override one parameter (repeatable), e.g. sarl_agent.episodes=10")
    parser.add_argument("--log-dir", default="log/graph", help="per-node log files")
    parser.add_argument("--sim-policy-port", type=int, default=None,
                        help="port of the simulator's policy server (0 = any free port; lets runs share a machine)")
    args = parser.parse_args(argv)

    graph_spec = graph_for(args.profile)
    if args.sim_policy_port is not None and SIM_POLICY_SERVER in graph_spec.nodes:
        port = args.sim_policy_port or free_port()
        graph_spec = with_policy_port(graph_spec, port)
        args.set.append(f"vla_bridge.policy_port={port}")
    try:
        secret_path = default_secret_path()
        load_or_create_secret(secret_path)
        graph = Graph(graph_spec, parameter_file(graph_spec, args.params_file),
                      parse_overrides(args.set, graph_spec), Path(args.log_dir))
    except (OSError, ValueError, SecretError) as error:
        print(f"[local_launch] {error}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print(f"[local_launch] starting the {args.profile} graph: {', '.join(n.name for n in graph_spec.nodes)} "
          f"(run secret {secret_path})")
    graph.start()
    code = graph.wait(stop)
    codes = graph.stop()
    bad = {name: c for name, c in codes.items()
           if c not in (0, -signal.SIGTERM, 128 + signal.SIGTERM) and name not in graph.departed}
    print(f"[local_launch] stopped; exit codes {codes}")
    if bad and code == 0 and not stop.is_set():
        print(f"[local_launch] processes ended badly on shutdown: {bad}", file=sys.stderr)
        code = 1
    return code


if __name__ == "__main__":
    sys.exit(main())
