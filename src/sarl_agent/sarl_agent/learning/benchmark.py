"""Speed and memory numbers of the learning core, printed (not asserted).

Run: ``python -m sarl_agent.learning.benchmark`` (about a minute). Reports, on
this CPU:

* TD updates per second at batch 256 for the history and the image encoders
  (cache of 100 prompts), with the image/history ratio measured in the same run;
* policy decision latency p50/p99 with 100 candidates (history, image from a
  64x64 frame, image from a 640x480 camera frame that is resized first);
* replay buffer memory per 10k transitions with 64x64 images (preallocated
  bytes, and the resident memory actually added when the buffer is filled),
  against a history-only buffer.

Why a script and not a test: timings depend on the machine and its load;
asserting them makes tests flaky, printing them lets people compare.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable, Sequence

import numpy as np
import torch

from .config import SarlConfig
from .observation import Observation
from .prompt_cache import PromptCache
from .trainer import SarlAgentCore
from .transition import SemanticTransition

NUM_PROMPTS = 100
BATCH = 256
MAX_STEPS = 16


def _config(kind: Sequence[str], capacity: int = 4096) -> SarlConfig:
    return SarlConfig.from_dict(
        {
            "encoder": {"kind": list(kind), "max_steps": MAX_STEPS, "image_size": 64},
            "td": {"batch_size": BATCH, "min_replay": 1},
            "replay": {"capacity": capacity},
            "cache_capacity": NUM_PROMPTS,
        }
    )


def _agent(kind: Sequence[str], capacity: int = 4096) -> SarlAgentCore:
    cache = PromptCache(NUM_PROMPTS, [f"prompt number {i}" for i in range(1, NUM_PROMPTS)])
    return SarlAgentCore(_config(kind, capacity), cache)


class _TransitionFactory:
    """Random valid transitions; images come from a small pool so generating them is cheap."""

    def __init__(self, seed: int, image_shape: tuple[int, int] | None) -> None:
        self._rng = np.random.default_rng(seed)
        self._images = (
            [self._rng.integers(0, 256, size=(*image_shape, 3), dtype=np.uint8) for _ in range(16)]
            if image_shape
            else None
        )

    def observation(self, step: int, history: tuple[int, ...]) -> Observation:
        image = self._images[int(self._rng.integers(len(self._images)))] if self._images else None
        return Observation(step, history, self._rng.normal(size=7).astype(np.float32), image)

    def transition(self) -> SemanticTransition:
        rng = self._rng
        length = int(rng.integers(0, MAX_STEPS - 1))
        history = tuple(int(p) for p in rng.integers(0, NUM_PROMPTS, size=length))
        candidates = tuple(int(p) for p in rng.choice(NUM_PROMPTS, size=8, replace=False))
        action = candidates[int(rng.integers(len(candidates)))]
        terminal = bool(rng.random() < 0.1)
        next_candidates = () if terminal else tuple(int(p) for p in rng.choice(NUM_PROMPTS, size=8, replace=False))
        return SemanticTransition(
            self.observation(length, history), candidates, action, float(rng.random() < 0.2),
            self.observation(length + 1, (*history, action)), next_candidates, terminal, False,
        )


def _rate(step: Callable[[], object], seconds: float, warmup: int = 3) -> float:
    """Calls per second of ``step`` over at least ``seconds`` of wall time."""
    for _ in range(warmup):
        step()
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        step()
        calls += 1
    return calls / elapsed


def updates_per_second(kind: Sequence[str], seconds: float) -> float:
    agent = _agent(kind)
    factory = _TransitionFactory(0, (64, 64) if "image" in kind else None)
    agent.train_offline((factory.transition() for _ in range(2048)), num_updates=0)
    return _rate(agent.update, seconds)


def decision_latency_ms(
    kind: Sequence[str], image_shape: tuple[int, int] | None, decisions: int
) -> tuple[float, float]:
    """p50 and p99 of ``act`` with all 100 cache ids as candidates."""
    agent = _agent(kind, capacity=16)
    factory = _TransitionFactory(1, image_shape)
    candidates = list(range(NUM_PROMPTS))
    observations = [factory.observation(3, (1, 2, 3)) for _ in range(32)]
    for obs in observations[:5]:
        agent.act(obs, candidates)
    latencies = np.empty(decisions)
    for i in range(decisions):
        obs = observations[i % len(observations)]
        start = time.perf_counter()
        agent.act(obs, candidates)
        latencies[i] = time.perf_counter() - start
    return float(np.percentile(latencies, 50) * 1e3), float(np.percentile(latencies, 99) * 1e3)


def _resident_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def replay_memory(kind: Sequence[str], transitions: int = 10_000) -> tuple[int, int | None]:
    """(preallocated bytes, resident bytes added by filling it) for ``transitions`` slots."""
    agent = _agent(kind, capacity=transitions)
    factory = _TransitionFactory(2, (64, 64) if "image" in kind else None)
    try:
        before = _resident_bytes()
    except OSError:  # not Linux
        before = None
    for _ in range(transitions):
        agent.replay.add(factory.transition())
    added = None if before is None else _resident_bytes() - before
    return agent.replay.nbytes, added


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="wall time per throughput measurement")
    parser.add_argument("--decisions", type=int, default=500, help="decisions per latency measurement")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (1 suits these small nets)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"sarl learning-core benchmark: torch {torch.__version__}, numpy {np.__version__}, "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, torch threads {args.threads}, "
          f"load average {load:.2f} at start")
    print(f"cache {NUM_PROMPTS} prompts, max_steps {MAX_STEPS}, default network (q.hidden_sizes, ensemble) "
          f"= {_config(['history']).q.hidden_sizes}, {_config(['history']).q.ensemble_size}")
    total = time.perf_counter()

    print(f"\nTD updates per second, batch {BATCH}")
    rates = {}
    encoders = (
        ("history", ["history"]),
        ("image 64x64", ["image"]),
        ("history+proprio+image", ["history", "proprio", "image"]),
    )
    for name, kind in encoders:
        rates[name] = updates_per_second(kind, args.seconds)
        ratio = rates[name] / rates["history"]
        print(f"  {name:<24} {rates[name]:8.1f} updates/s   ({ratio:.3f}x history)")

    print(f"\npolicy decision latency, {NUM_PROMPTS} candidates, {args.decisions} decisions")
    base_p50 = None
    for name, kind, shape in (
        ("history", ["history"], None),
        ("image, 64x64 frame", ["image"], (64, 64)),
        ("image, 640x480 frame", ["image"], (480, 640)),
    ):
        p50, p99 = decision_latency_ms(kind, shape, args.decisions)
        base_p50 = base_p50 or p50
        print(f"  {name:<24} p50 {p50:7.3f} ms   p99 {p99:7.3f} ms   (p50 {p50 / base_p50:.2f}x history)")

    print("\nreplay memory per 10k transitions")
    history_bytes, history_rss = replay_memory(["history"])  # small arrays: may reuse heap pages already resident
    image_bytes, image_rss = replay_memory(["image"])
    rows = (("history only", history_bytes, history_rss), ("64x64 images", image_bytes, image_rss))
    for name, allocated, rss in rows:
        rss_text = "n/a" if rss is None else f"{rss / 2**20:7.1f} MiB"
        per_transition = allocated / 10_000 / 1024
        print(f"  {name:<24} preallocated {allocated / 2**20:7.1f} MiB ({per_transition:5.2f} KiB/transition)"
              f"   resident after filling {rss_text}")
    print(f"  images / history-only: {image_bytes / history_bytes:.1f}x preallocated "
          "(resident numbers of a few MiB are noise: small arrays reuse heap pages already resident)")
    print(f"\ntotal benchmark time {time.perf_counter() - total:.1f} s")


if __name__ == "__main__":
    main()
