"""``sarl doctor``: check a deployment before the first episode and say how to fix what is wrong.

    ros2 run sarl_bringup doctor [--profile real_widowx] [--skip-vlm] [--only nodes,camera]
    sarl doctor ...                      (the same, through the sarl command)

Checks, in order: parameter file against the nodes' declared parameters, Python
environment (numpy < 2, client libraries), disk space for bags, ROS graph nodes
present, camera frames arriving, arm state fresh, policy server (/healthz, a
warm-up, one timed inference through the real openpi-client), VLM key and one
test call (or offline mode). Prints a table; exits 1 if any check failed.
Settings come from the profile's parameter file plus the launch arguments'
defaults, exactly what the launch file would give the nodes.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .doctor_arm import PROFILE_REGISTER, check_arm_motion, check_motor_profile, xs_sdk_node
from .doctor_checks import (
    CheckResult,
    Status,
    check_arm_state,
    check_disk,
    check_frames,
    check_nodes,
    check_python_env,
    exit_code,
    render,
)
from .graph import PROFILES, GraphSpec, graph_for
from .parameter_schema import check_parameters, launch_overrides, load_parameter_file, node_parameters

CHECKS = ("parameters", "contract", "python", "disk", "nodes", "camera", "arm_state", "policy", "vlm")
CAMERA_TOPIC = "camera/image_raw"
ARM_STATE_TOPIC = "arm_state"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="sarl doctor", description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=PROFILES, default=os.environ.get("SARL_PROFILE", "real_widowx"),
                        help="graph profile (default: $SARL_PROFILE or real_widowx)")  # fmt: skip
    parser.add_argument("--params-file", help="parameter file (default: the profile's file in sarl_bringup/config)")
    parser.add_argument("--namespace", default="", help="namespace the graph was launched in")
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(CHECKS)}")
    parser.add_argument("--skip-vlm", action="store_true", help="do not call the VLM (key presence still checked)")
    parser.add_argument("--skip-policy", action="store_true", help="do not contact the policy server")
    parser.add_argument("--policy-host", help="override vla_bridge.policy_host")
    parser.add_argument("--policy-port", type=int, help="override vla_bridge.policy_port")
    parser.add_argument("--timeout", type=float, default=5.0, help="[s] per ROS wait (discovery, each topic)")
    parser.add_argument("--bag-dir", help="where bags and checkpoints go (default: from the parameter file)")
    parser.add_argument("--min-free-gb", type=float, default=5.0, help="free disk space required there")
    parser.add_argument("--quiet", action="store_true", help="print only failures and warnings")
    args = parser.parse_args(argv)
    selected = CHECKS if not args.only else tuple(c.strip() for c in args.only.split(",") if c.strip())
    unknown = sorted(set(selected) - set(CHECKS))
    if unknown:
        parser.error(f"--only: unknown checks {unknown}; choose from {list(CHECKS)}")
    args.checks = selected
    return args


class Deployment:
    """What the nodes will be configured with: the parameter file plus launch-argument defaults."""

    def __init__(self, graph: GraphSpec, params_file: str | None) -> None:
        self.graph = graph
        self.path = Path(params_file) if params_file else _installed_config(graph.parameter_file)
        self.error = ""
        self.sections: dict[str, dict[str, Any]] = {}
        try:
            self.sections = load_parameter_file(self.path)
        except (OSError, ValueError) as error:
            self.error = str(error)
        self.overrides = launch_overrides(graph.profile)

    def node(self, name: str) -> dict[str, Any]:
        return node_parameters(self.sections, name, self.overrides)

    def check(self) -> CheckResult:
        if self.error:
            return CheckResult("parameters", Status.FAIL, self.error, "pass --params-file, or rebuild the workspace")
        problems = check_parameters(self.graph, self.sections, self.overrides)
        if problems:
            return CheckResult("parameters", Status.FAIL, "; ".join(problems), f"edit {self.path}")
        return CheckResult("parameters", Status.PASS, f"{self.path} ({len(self.sections)} sections) valid")


def _installed_config(name: str) -> Path:
    try:
        from ament_index_python.packages import get_package_share_directory

        return Path(get_package_share_directory("sarl_bringup")) / "config" / name
    except (ImportError, LookupError, ValueError):
        return Path("config") / name


def _config_or_default(build: Callable[[], Any], default: Callable[[], Any]) -> Any:
    """The node's config from the deployment, or its defaults when the section is invalid (reported elsewhere)."""
    try:
        return build()
    except (ValueError, TypeError):
        return default()


def run_checks(args: argparse.Namespace, environ: Mapping[str, str] = os.environ) -> list[CheckResult]:
    from sarl_vla_bridge.config import BridgeConfig
    from widowx_driver.driver_config import DriverConfig

    graph = graph_for(args.profile)
    deployment = Deployment(graph, args.params_file)
    driver = _config_or_default(lambda: DriverConfig.from_parameters(deployment.node("widowx_driver")), DriverConfig)
    bridge = _config_or_default(lambda: BridgeConfig.from_mapping(deployment.node("vla_bridge")), BridgeConfig)
    proposer = deployment.node("vlm_proposer")
    agent = deployment.node("sarl_agent")
    results: list[CheckResult] = []
    wanted = set(args.checks)

    if "parameters" in wanted:
        results.append(deployment.check())
    if "contract" in wanted:
        from .doctor_contract import check_bridge_fits_driver

        results.append(check_bridge_fits_driver(bridge, driver))
    if "python" in wanted:
        results.append(check_python_env(driver.backend == "interbotix", proposer.get("backend") == "gemini"))
    if "disk" in wanted:
        results.append(check_disk(args.bag_dir or _output_dir(deployment, agent), args.min_free_gb))
    ros_checks = wanted & {"nodes", "camera", "arm_state"}
    if ros_checks:
        results += _ros_checks(args, graph, driver, ros_checks)
    if "policy" in wanted:
        results.append(_policy_check(args, bridge, environ))
    if "vlm" in wanted:
        from .doctor_vlm import check_vlm

        results.append(check_vlm(proposer, str(agent.get("task") or agent.get("task_name") or ""), args.skip_vlm,
                                 environ))  # fmt: skip
    order = {name: i for i, name in enumerate(CHECKS)}
    return sorted(results, key=lambda r: order.get(r.name, len(order)))


def _output_dir(deployment: Deployment, agent: Mapping[str, Any]) -> str:
    """Where the bags go (the recorder's bag_dir), else where the agent writes its run outputs."""
    from .parameter_schema import RECORDER_DEFAULTS

    if any(node.name == "recorder" for node in deployment.graph.nodes):
        return str(deployment.node("recorder").get("bag_dir") or RECORDER_DEFAULTS["bag_dir"])
    return str(agent.get("output_dir") or "runs")


def _ros_checks(args: argparse.Namespace, graph: GraphSpec, driver: Any, wanted: set[str]) -> list[CheckResult]:
    try:
        from .doctor_ros import GraphProbe
    except ImportError as error:
        fix = "source /opt/ros/<distro>/setup.bash and the workspace's install/setup.bash (or sarl_env.sh)"
        return [CheckResult(name, Status.FAIL, f"rclpy/messages not importable: {error}", fix) for name in wanted]
    namespace = "/" + args.namespace.strip("/") if args.namespace.strip("/") else ""
    expected = [f"{namespace}/{node.name}" for node in graph.nodes if node.is_ros_node]
    interbotix = driver.backend == "interbotix"
    if interbotix:
        expected.append(f"/{driver.robot_model}/xs_sdk")
    results = []
    with GraphProbe(namespace) as probe:
        if "nodes" in wanted:
            found = probe.node_names(expected, args.timeout)
            if interbotix:  # the simulated xs_sdk (use_sim:=true) is named xs_sdk_sim
                expected[-1] = xs_sdk_node(driver.robot_model, found)
            results.append(check_nodes(expected, found, f"ros2 launch sarl_bringup {graph.profile}.launch.py"))
        if "camera" in wanted:
            results.append(check_frames(probe.frames(CAMERA_TOPIC, args.timeout), args.timeout, CAMERA_TOPIC))
        if "arm_state" in wanted:
            sample = probe.arm_state(ARM_STATE_TOPIC, args.timeout)
            results.append(check_arm_state(sample, args.timeout, max(2.0, 3.0 / driver.rate_hz),
                                           driver.workspace_min, driver.workspace_max))  # fmt: skip
            if sample is not None:
                results.append(check_arm_motion(probe.arm_motion(ARM_STATE_TOPIC, args.timeout)))
            if interbotix:
                results.append(_motor_profile_check(probe, driver, args.timeout))
    return results


def _motor_profile_check(probe: Any, driver: Any, timeout: float) -> CheckResult:
    try:
        values = probe.motor_registers(driver.robot_model, PROFILE_REGISTER, timeout)
    except ImportError as error:
        return CheckResult("motor_profile", Status.FAIL, f"interbotix_xs_msgs not importable: {error}",
                           "source the Interbotix install (install/setup.bash) in this shell")  # fmt: skip
    return check_motor_profile(values, driver.rate_hz, driver.robot_model)


def _policy_check(args: argparse.Namespace, bridge: Any, environ: Mapping[str, str]) -> CheckResult:
    if args.skip_policy:
        return CheckResult("policy", Status.SKIP, "not contacted (--skip-policy)")
    from .doctor_policy import PolicyTarget, check_policy_server

    try:
        api_key = bridge.api_key(environ)
    except ValueError as error:
        return CheckResult("policy", Status.FAIL, str(error), f"export {bridge.api_key_env}=... before starting")
    host = args.policy_host or bridge.policy_host
    port = args.policy_port if args.policy_port is not None else bridge.policy_port
    target = PolicyTarget(
        host=host,
        port=None if port == 0 else port,
        api_key=api_key,
        connect_timeout=bridge.connect_timeout,
        inference_timeout=bridge.inference_timeout,
        chunk_duration=bridge.loop().steps_per_query / bridge.loop().control_rate_hz,
        scene=_dummy_scene() if bridge.scene_topic else None,
        profile=bridge.policy_profile,
        image_size=bridge.image_size,
    )
    return check_policy_server(target)


def _dummy_scene() -> Any:
    """One object on the table, for the simulator's stand-in VLA (it reads the layout instead of the image)."""
    import numpy as np
    from sarl_sim.scene import SCENE_COLUMNS

    scene = np.zeros((1, len(SCENE_COLUMNS)), dtype=np.float32)
    scene[0, SCENE_COLUMNS.index("x")] = 0.3
    scene[0, SCENE_COLUMNS.index("support")] = -1.0
    return scene


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"sarl doctor: profile {args.profile}, checks {', '.join(args.checks)}", flush=True)
    results = run_checks(args)
    print(render(results, quiet=args.quiet))
    return exit_code(results)


if __name__ == "__main__":
    sys.exit(main())
