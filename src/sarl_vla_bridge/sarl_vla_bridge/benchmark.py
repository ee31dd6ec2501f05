"""How much time the bridge adds per control step on top of the policy round trip. Prints numbers.

    python -m sarl_vla_bridge.benchmark [--steps 300] [--policy-ms 0 50] [--image 256x256]

Per pretend model time in ``--policy-ms``: one policy server process (the
simulator's openpi-protocol server around a fixed chunk, sleeping that long
to stand in for model time), two clients measured in alternating blocks
(``--rounds``; so both see the same background load on a shared machine):

* **bare**: a plain openpi-client loop as openpi's example clients run it
  (``examples/{droid,libero}/main.py``): ``resize_with_pad`` the latest
  camera frame to 224, then ``WebsocketClientPolicy.infer``, timed per query;
* **bridge**: the real ``vla_bridge`` node (its own process, as deployed) with
  ``steps_per_query=1``, its rate cap at the maximum and its default settle
  on, fed by a fake driver that behaves like ``widowx_driver`` towards the
  bridge: camera + ``arm_state`` at 30 Hz, and on every ``arm_command`` a
  ``commands_applied`` increment published at once in ``arm_state`` (with a
  camera frame), which is the confirmation the bridge waits for before its
  next query. Per step = time between consecutive ``arm_command`` arrivals
  at the driver (confirmation → ROS messages → openpi observation →
  websocket → action → arm_command, DDS delivery both ways included).

Overhead = bridge - bare at each percentile; ratio = bridge p50 / bare p50.
Not asserted anywhere: speed targets live here, not in unit tests.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time

import numpy as np
from sarl_auth import load_or_create_secret
from sarl_auth.prompt_goal import sign_goal

ROW = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0], dtype=np.float32)
HORIZON = 10


def serve(port: int, policy_ms: float) -> None:
    """Server mode (run in a child process): a fixed chunk, after ``policy_ms`` of pretend inference."""
    from sarl_sim.policy_server import PolicyServer

    chunk = np.tile(ROW, (HORIZON, 1))

    def infer(obs: dict) -> dict:
        if policy_ms:
            time.sleep(policy_ms / 1000.0)
        return {"actions": chunk}

    server = PolicyServer(infer, host="127.0.0.1", port=port)

    async def run() -> None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, server.stop)
        await server.run(on_ready=lambda p: print(f"listening on ws://127.0.0.1:{p}", flush=True))

    asyncio.run(run())


def start_server(policy_ms: float) -> tuple[subprocess.Popen, int]:
    args = [sys.executable, "-m", "sarl_vla_bridge.benchmark", "--serve", "--policy-ms", str(policy_ms)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    ready, _, _ = select.select([proc.stdout], [], [], 30.0)
    line = proc.stdout.readline() if ready else ""
    match = re.search(r":(\d+)\s*$", line)
    if not match:
        proc.terminate()
        raise RuntimeError(f"policy server did not start (got {line!r})")
    return proc, int(match.group(1))


class BareClient:
    """openpi's example client loop: ``resize_with_pad`` the latest frame to 224, then ``infer``; one connection."""

    def __init__(self, port: int, image: np.ndarray) -> None:
        from openpi_client.websocket_client_policy import WebsocketClientPolicy

        from .observation import build_observation
        from .profiles import Camera, RobotSnapshot, get_profile

        self._client = WebsocketClientPolicy("127.0.0.1", port)
        self._image = image
        snapshot = RobotSnapshot({Camera.THIRD_PERSON: image}, np.array([0.25, 0.05, 0.12, 0.0, 0.0, 0.0]), 1.0)
        self._obs = build_observation(get_profile("bridge_ee_delta"), snapshot, "pick up the banana")

    def run(self, steps: int) -> tuple[list[float], list[float]]:
        """Per-query seconds and the server's own infer_ms."""
        from openpi_client import image_tools

        times, server_ms = [], []
        for _ in range(steps):
            start = time.perf_counter()
            self._obs["observation/image"] = image_tools.resize_with_pad(self._image, 224, 224)
            response = self._client.infer(self._obs)
            times.append(time.perf_counter() - start)
            server_ms.append(response["server_timing"]["infer_ms"])
        return times, server_ms

    def close(self) -> None:
        self._client._ws.close()  # openpi-client has no close(); end the session politely


class BridgeRig:
    """The bridge as its own process, and a fake driver that confirms each command like ``widowx_driver``."""

    def __init__(self, port: int, image: np.ndarray) -> None:
        import rclpy
        from rclpy.action import ActionClient
        from rclpy.context import Context
        from rclpy.executors import MultiThreadedExecutor
        from rclpy.node import Node
        from rclpy.qos import QoSProfile, ReliabilityPolicy
        from sarl_interfaces.action import ExecutePrompt
        from sarl_interfaces.msg import ArmCommand, ArmState
        from sensor_msgs.msg import Image

        parameters = {"policy_port": port, "control_rate_hz": 1000.0, "steps_per_query": 1, "inference_timeout": 5.0}
        ros_args = [arg for name, value in parameters.items() for arg in ("-p", f"{name}:={value}")]
        self._bridge = subprocess.Popen(
            [sys.executable, "-m", "sarl_vla_bridge.bridge_node", "--ros-args", "--log-level", "warn", *ros_args]
        )
        self._rclpy, self._goal_type = rclpy, ExecutePrompt
        self._context = Context()
        rclpy.init(context=self._context)
        self._driver = driver = Node("benchmark_driver", context=self._context)
        self.arrivals: list[float] = []
        latest = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE)
        image_pub = driver.create_publisher(Image, "camera/image_raw", latest)
        state_pub = driver.create_publisher(ArmState, "arm_state", 10)
        height, width = image.shape[:2]
        image_msg = Image(height=height, width=width, encoding="rgb8", step=width * 3, data=image.tobytes())
        lock = threading.Lock()
        applied = [0]

        def publish_sensors() -> None:
            """As widowx_driver's _publish_locked: arm_state with the running counters, and a camera frame."""
            with lock:
                state_pub.publish(ArmState(x=0.25, y=0.05, z=0.12, gripper=1.0, commands_applied=applied[0]))
                image_pub.publish(image_msg)

        def on_command(_: ArmCommand) -> None:
            """As widowx_driver's arm_command_callback: apply, count, publish the state (the confirmation)."""
            self.arrivals.append(time.perf_counter())
            with lock:
                applied[0] += 1
            publish_sensors()

        driver.create_subscription(ArmCommand, "arm_command", on_command, 10)
        driver.create_timer(1.0 / 30.0, publish_sensors)
        self._client = ActionClient(driver, ExecutePrompt, "execute_prompt")
        self._executor = MultiThreadedExecutor(num_threads=2, context=self._context)
        self._executor.add_node(driver)
        threading.Thread(target=self._executor.spin, daemon=True).start()
        if not self._client.wait_for_server(timeout_sec=30.0):
            self.close()
            raise RuntimeError("vla_bridge action server not discovered")

    def run(self, steps: int) -> list[float]:
        """One goal of ``steps + 1`` steps; the seconds between its consecutive arm_command arrivals."""
        self.arrivals.clear()
        done = threading.Event()
        results: list = []

        def on_goal(future) -> None:
            handle = future.result()
            if not handle.accepted:
                results.append(None)
                done.set()
                return
            handle.get_result_async().add_done_callback(lambda f: (results.append(f.result()), done.set()))

        # Signed like the agent's goals: the bridge runs only goals signed with the run secret (sarl_auth).
        goal = self._goal_type.Goal(prompt="pick up the banana", max_steps=steps + 1)
        sign_goal(load_or_create_secret(), goal)
        self._client.send_goal_async(goal).add_done_callback(on_goal)
        if not done.wait(120.0):
            raise RuntimeError("benchmark goal did not finish within 120 s")
        if results[0] is None:
            raise RuntimeError("the bridge rejected the benchmark's goal (see its log above)")
        result = results[0].result
        if result.outcome != self._goal_type.Result.OUTCOME_COMPLETED:
            raise RuntimeError(f"benchmark goal failed: {result.message}")
        deadline = time.monotonic() + 5.0
        while len(self.arrivals) < steps + 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        return np.diff(np.array(self.arrivals)).tolist()

    def close(self) -> None:
        self._executor.shutdown(timeout_sec=2.0)
        self._driver.destroy_node()
        self._rclpy.shutdown(context=self._context)
        self._bridge.send_signal(signal.SIGTERM)
        self._bridge.wait(timeout=10)


def percentiles(values: np.ndarray) -> tuple[float, float]:
    return float(np.percentile(values, 50)), float(np.percentile(values, 99))


def measure(policy_ms: float, image: np.ndarray, steps: int, warmup: int, rounds: int) -> dict:
    """Bare loop and bridge in alternating blocks against one server process with ``policy_ms`` of model time.

    Alternating blocks (not one long run each) so both see the same background load on a shared machine.
    """
    proc, port = start_server(policy_ms)
    bare_client = rig = None
    try:
        bare_client, rig = BareClient(port, image), BridgeRig(port, image)
        bare_client.run(warmup)
        rig.run(warmup)
        bare, server_ms, bridge = [], [], []
        block = max(1, steps // rounds)
        for _ in range(rounds):
            times, infer_ms = bare_client.run(block)
            bare += times
            server_ms += infer_ms
            bridge += rig.run(block)
    finally:
        if bare_client is not None:
            bare_client.close()
        if rig is not None:
            rig.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    bare_p, bridge_p = percentiles(np.array(bare) * 1e3), percentiles(np.array(bridge) * 1e3)
    return {
        "bare openpi-client (resize + infer)": bare_p,
        "bridge step (msg -> arm_command)": bridge_p,
        "bridge overhead (bridge - bare)": (bridge_p[0] - bare_p[0], bridge_p[1] - bare_p[1]),
        "server-side infer_ms": percentiles(np.array(server_ms)),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=300, help="measured control steps per client")
    parser.add_argument("--warmup", type=int, default=20, help="steps dropped before measuring")
    parser.add_argument("--rounds", type=int, default=5, help="alternating bare / bridge blocks the steps are split in")
    parser.add_argument("--policy-ms", type=float, nargs="+", default=[0.0, 50.0],
                        help="pretend model times per query in the server, one measurement each")  # fmt: skip
    parser.add_argument("--image", default="256x256", help="camera frame HxW published by the fake driver")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.port, args.policy_ms[0])
        return
    os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
    os.environ.setdefault("ROS_DOMAIN_ID", str(100 + os.getpid() % 100))
    height, width = (int(v) for v in args.image.lower().split("x"))
    image = np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)
    print(
        f"vla_bridge benchmark: {args.steps} steps per client in {args.rounds} alternating blocks after "
        f"{args.warmup} warm-up, "
        f"camera {height}x{width} rgb8 (sent at 224x224, profile bridge_ee_delta), steps_per_query 1, "
        f"settle on (the fake driver confirms each command in arm_state), {os.cpu_count()} CPUs"
    )
    for policy_ms in args.policy_ms:
        rows = measure(policy_ms, image, args.steps, args.warmup, args.rounds)
        bare, bridge = rows["bare openpi-client (resize + infer)"], rows["bridge step (msg -> arm_command)"]
        print(f"\npretend model time {policy_ms:g} ms (load average {os.getloadavg()[0]:.1f})")
        print(f"{'':36s}{'p50 [ms]':>10s}{'p99 [ms]':>10s}")
        for name, (p50, p99) in rows.items():
            print(f"{name:36s}{p50:10.3f}{p99:10.3f}")
        print(f"ratio bridge/bare: p50 {bridge[0] / bare[0]:.2f}x, p99 {bridge[1] / bare[1]:.2f}x; "
              f"overhead p50 {bridge[0] - bare[0]:+.2f} ms")  # fmt: skip
    print("(bridge rate cap 1000 Hz = 1 ms floor per step; bridge steps include DDS delivery to the driver and back)")


if __name__ == "__main__":
    main()
