"""What the ROS graph adds per semantic step, against the ROS-free loop in the same run. Prints numbers.

    python -m sarl_eval.graph_benchmark [--episodes 6] [--task pot_lid_to_towel]

* **baseline** — the ROS-free loop (``sarl_eval.harness``): the same agent core, scene-aware proposer,
  stand-in VLA and simulator called in one process; seconds per semantic step.
* **graph** — the simulated graph as separate processes (``make demo``'s launcher); per semantic step
  from its bag: the step period (from the agent's episode-status stamps: execution, observation,
  success check, the propose_prompts service and the choice), the choosing part alone, and the
  execute_prompt goal time (20 control steps paced at the sim's 50 Hz: openpi queries, DDS, driver).

The graph's execution is paced on purpose (the robot's control rate); the pacing floor
``steps_per_prompt / control_rate_hz`` is printed and subtracted to give the overhead.
Not asserted anywhere: speed targets live here, not in tests.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from .graph_run import run_graph, run_ros_free, sim_parameters

RESET = "reset to home"


def percentiles(values: list[float]) -> str:
    if not values:
        return "n/a"
    p50, p95 = np.percentile(values, [50, 95])
    return f"p50 {1000 * p50:7.1f} ms   p95 {1000 * p95:7.1f} ms   (n={len(values)})"


def graph_step_times(bag_dir: Path) -> dict[str, list[float]]:
    """Per semantic step, from the agent's ``sarl/episode_status`` stream in the bag (its own stamps).

    ``period_prompt`` / ``period_reset``: from the start of step k (EXECUTING / RESETTING) to the start
    of step k+1 — execution, observation, success check, propose_prompts and the choice.
    ``choosing``: from CHOOSING to EXECUTING of the same step — the propose_prompts call and the choice.
    ``execution_*``: the goal times the transitions carry.
    """
    from rclpy.serialization import deserialize_message
    from sarl_agent.bag.reader import STATUS_TYPE, BagSet, find_bags
    from sarl_interfaces.msg import EpisodeStatus, SemanticTransition

    bags = BagSet(find_bags([bag_dir]))
    times: dict[str, list[float]] = defaultdict(list)
    for item in bags.transitions():
        msg = deserialize_message(item.raw, SemanticTransition)
        times["execution_reset" if msg.chosen_prompt == RESET else "execution_prompt"].append(msg.execution_time)
    acting = (EpisodeStatus.PHASE_EXECUTING, EpisodeStatus.PHASE_RESETTING)
    started: dict[tuple[int, int], tuple[float, int]] = {}
    choosing: dict[tuple[int, int], float] = {}
    for item in bags.messages((STATUS_TYPE,)):
        status = deserialize_message(item.raw, EpisodeStatus)
        stamp = status.header.stamp.sec + status.header.stamp.nanosec * 1e-9
        key = (status.episode, status.step)
        if status.phase == EpisodeStatus.PHASE_CHOOSING:
            choosing.setdefault(key, stamp)
        elif status.phase in acting and key not in started:
            started[key] = (stamp, status.phase)
            if key in choosing:
                times["choosing"].append(stamp - choosing[key])
    for (episode, step), (stamp, phase) in started.items():
        following = started.get((episode, step + 1))
        if following is not None:
            kind = "reset" if phase == EpisodeStatus.PHASE_RESETTING else "prompt"
            times[f"period_{kind}"].append(following[0] - stamp)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="pot_lid_to_towel")
    parser.add_argument("--episodes", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    started = time.monotonic()
    result = run_ros_free(args.task, args.seed, args.episodes)
    baseline = result.seconds / max(1, result.train_steps)
    print(f"ROS-free loop: {result.train_steps} semantic steps in {result.seconds:.1f} s "
          f"-> {1000 * baseline:.1f} ms per step (all compute, no pacing)")

    with tempfile.TemporaryDirectory(prefix="sarl-graph-bench-") as work:
        graph = run_graph(args.task, args.seed, args.episodes, Path(work), "graph-bench")
        times = graph_step_times(graph.bag_dir)
    params = sim_parameters()  # the pacing floor of one prompt, from the graph's own settings
    steps_per_prompt, rate_hz = params["sarl_agent"]["steps_per_prompt"], params["vla_bridge"]["control_rate_hz"]
    floor = steps_per_prompt / rate_hz
    print(f"ROS graph ({args.episodes} episodes, {time.monotonic() - started:.0f} s in all):")
    print(f"  choosing (propose_prompts + choice)             {percentiles(times['choosing'])}")
    print(f"  execute_prompt goal                             {percentiles(times['execution_prompt'])}")
    print(f"  reset_to_home goal                              {percentiles(times['execution_reset'])}")
    print(f"  semantic step, prompt (start to next start)     {percentiles(times['period_prompt'])}")
    print(f"  semantic step, reset to home                    {percentiles(times['period_reset'])}")
    prompt_periods = times["period_prompt"]
    if prompt_periods:
        p50 = float(np.median(prompt_periods))
        overhead = p50 - floor
        print(f"  pacing floor of one prompt: {steps_per_prompt} steps / {rate_hz:.0f} Hz "
              f"= {1000 * floor:.0f} ms")
        print(f"  graph overhead per prompt step (p50 period - floor): {1000 * overhead:.1f} ms "
              f"= {overhead / baseline:.2f}x the ROS-free step's compute ({1000 * baseline:.1f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
