"""Speed of the simulator: semantic episodes per second and openpi round-trip latency.

Usage::

    python -m sarl_sim.benchmark [--episodes 200] [--requests 300]

1. Episodes/s of the bare :class:`SemanticEnv` with the stand-in VLA in the
   loop, for 4 prompts x 20 control steps, pinned to one CPU core (target >= 50).
2. openpi round trip of a 256x256 observation over loopback with the real
   ``WebsocketClientPolicy`` against ``python -m sarl_sim.policy_server`` in a
   separate process (pinned to another core when there is one), p50/p99,
   versus calling ``StandinVLA.infer`` in-process.

Numbers depend on the machine and on whatever else runs on it; this script
prints them, tests do not assert them.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from sarl_sim.camera import render
from sarl_sim.semantic_env import SemanticEnv

EPISODE_PROMPTS = ("pick up the hammer", "put it on the plate", "pick up the toadstool", "open the gripper")
"""The 4 prompts of one benchmark episode (20 control steps each)."""


_CPUS = sorted(os.sched_getaffinity(0))


def _pin(cpu_index: int, pid: int = 0) -> str:
    cpu = _CPUS[cpu_index % len(_CPUS)]
    os.sched_setaffinity(pid, {cpu})
    return f"cpu {cpu}"


def _percentiles(samples_ms: list[float]) -> str:
    p50, p99 = np.percentile(samples_ms, [50, 99])
    return f"p50 {p50:7.3f} ms   p99 {p99:7.3f} ms   (n={len(samples_ms)})"


def bench_episodes(episodes: int) -> None:
    env = SemanticEnv("hammer_plate_mushroom")
    env.reset(0)
    for prompt in EPISODE_PROMPTS:  # warm the prompt cache and code paths
        env.execute(prompt, max_steps=20)
    start, cpu_start = time.perf_counter(), time.process_time()
    steps = 0
    for seed in range(episodes):
        env.reset(seed)
        for prompt in EPISODE_PROMPTS:
            steps += env.execute(prompt, max_steps=20).steps
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    print(
        f"semantic env, 4 prompts x 20 steps, policy in the loop: {episodes / elapsed:7.1f} episodes/s wall, "
        f"{episodes / cpu:.1f} per CPU-second ({steps / elapsed:,.0f} control steps/s wall)"
    )
    start = time.perf_counter()
    for _ in range(200):
        render(env.world)
    print(f"camera render (only when asked): {(time.perf_counter() - start) / 200 * 1000:.3f} ms/image")


def bench_latency(requests: int) -> None:
    from openpi_client.websocket_client_policy import WebsocketClientPolicy

    env = SemanticEnv("hammer_plate_mushroom")
    env.reset(0)
    obs = env.observation("pick up the hammer", with_image=True)

    local = []
    for k in range(requests + 20):
        start = time.perf_counter()
        env.policy.infer(obs)
        if k >= 20:
            local.append((time.perf_counter() - start) * 1000)
    print(f"in-process StandinVLA.infer:            {_percentiles(local)}")

    src = Path(__file__).resolve().parents[1]
    path = os.pathsep.join([str(src), str(src.parent / "reset_controller"), os.environ.get("PYTHONPATH", "")])
    proc = subprocess.Popen(
        [sys.executable, "-m", "sarl_sim.policy_server", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ, PYTHONPATH=path),
        text=True,
    )
    try:
        server_cpu = _pin(1, proc.pid)
        line = proc.stdout.readline()
        if not line.startswith("listening on"):
            raise RuntimeError(f"policy server did not start: {line!r}")
        port = int(line.strip().rsplit(":", 1)[1])
        client = WebsocketClientPolicy(host="127.0.0.1", port=port)
        remote, server_ms = [], []
        for k in range(requests + 20):
            start = time.perf_counter()
            result = client.infer(obs)
            if k >= 20:
                remote.append((time.perf_counter() - start) * 1000)
                server_ms.append(result["server_timing"]["infer_ms"])
        print(f"openpi websocket round trip (loopback): {_percentiles(remote)}   server on {server_cpu}")
        print(f"  of which server-side infer:           {_percentiles(server_ms)}")
        payload = sum(v.nbytes if isinstance(v, np.ndarray) else len(str(v)) for v in obs.values())
        print(f"  request payload ~{payload / 1024:.0f} KiB (256x256x3 uint8 image + state + scene + prompt)")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark the sarl simulator.")
    parser.add_argument("--episodes", type=int, default=200)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args(argv)
    if args.episodes < 1 or args.requests < 1:
        parser.error("--episodes and --requests must be >= 1")
    print(f"pinned to {_pin(0)}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    bench_episodes(args.episodes)
    bench_latency(args.requests)


if __name__ == "__main__":
    main()
