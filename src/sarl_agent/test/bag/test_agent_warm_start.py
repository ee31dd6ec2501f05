"""The agent node warm-started from bags begins with their prompts and labelled transitions (issue 6).

In process, with a per-test Context: the node is built exactly as ``ros2 run sarl_agent agent`` builds it
(parameters, learning config, warm start) and its core inspected before any episode runs.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
import rclpy
from rclpy.context import Context
from rclpy.parameter import Parameter
from sarl_auth import load_or_create_secret

from sarl_agent.bag.synthetic import synthetic_messages, write_synthetic_bag
from sarl_agent.nodes.agent_node import AgentNode

COUNT, SEED, RUN = 150, 5, "run-warm"


def learnable_transitions_and_prompts() -> tuple[int, set[str]]:
    """Independently of the reader: transitions of episodes that end (the last one may be cut off),
    and every prompt text the bag names."""
    episodes: dict[int, list] = defaultdict(list)
    prompts: set[str] = set()
    for msg in synthetic_messages(COUNT, SEED, RUN, with_images=False):
        episodes[msg.episode].append(msg)
        prompts.update([*msg.candidates.prompts, *msg.next_candidates.prompts, msg.chosen_prompt])
    return sum(len(steps) for steps in episodes.values() if steps[-1].terminal), prompts


@pytest.fixture
def agent_node(tmp_path):
    """Builds an AgentNode with parameter overrides in its own Context; destroyed afterwards."""
    made: list[tuple[AgentNode, Context]] = []

    def build(**parameters) -> AgentNode:
        context = Context()
        rclpy.init(context=context)
        overrides = [Parameter(name, value=value) for name, value in {
            "run_id": "warm-test", "output_dir": str(tmp_path), "learning_config_file": "learning.yaml",
            **parameters}.items()]
        try:
            node = AgentNode(context=context, parameter_overrides=overrides)
        except BaseException:
            rclpy.shutdown(context=context)
            raise
        made.append((node, context))
        return node

    yield build
    for node, context in made:
        node.destroy_node()
        rclpy.shutdown(context=context)


def test_agent_warm_started_from_bags_has_their_prompts_and_transitions(agent_node, tmp_path, capfd):
    bags = tmp_path / "bags"
    write_synthetic_bag(bags / "run-warm_2025_01_01-10_00_00", COUNT, seed=SEED, run_id=RUN, with_images=False,
                        secret=load_or_create_secret())
    write_synthetic_bag(bags / "run-forged_2025_01_01-11_00_00", 40, seed=SEED + 1, run_id="run-forged",
                        with_images=False)  # unsigned: another writer's data, never learned from
    expected, prompts = learnable_transitions_and_prompts()

    core = agent_node(warm_start_bags=[str(bags)], warm_start_updates=7).core

    assert len(core.replay) == expected > 0
    known = {core.cache.prompt_of(i) for i in range(len(core.cache))}
    assert prompts <= known, f"prompts of the bag missing from the cache: {prompts - known}"
    assert core.counters == {"env_steps": 0, "episodes": 0, "updates": 7}  # offline: no online counter moves
    log = capfd.readouterr().err
    assert f"learning from {expected} of {COUNT} transitions; replay buffer {expected} transitions" in log
    assert "skipped 40 transitions (40 unsigned, 0 forged)" in log


def test_agent_without_warm_start_starts_empty_and_a_missing_bag_is_refused(agent_node, tmp_path):
    core = agent_node().core
    assert len(core.replay) == 0 and core.counters["updates"] == 0
    with pytest.raises(FileNotFoundError, match="no-such-bags"):
        agent_node(warm_start_bags=str(tmp_path / "no-such-bags"))  # one path as a plain string


def test_the_agent_never_sends_a_transition_the_recorder_would_refuse_and_names_it(agent_node, capfd):
    """Its own check, with the recorder's rules: a broken step (here a NaN Q-value) is named and not waited for."""
    import numpy as np

    from sarl_agent.episode.records import EpisodeResult, StepRecord
    from sarl_agent.episode.robot import Outcome
    from sarl_agent.learning.observation import Observation
    from sarl_agent.learning.transition import SemanticTransition as CoreTransition

    node = agent_node()
    obs = Observation(0, (), np.zeros(7, np.float32))

    def step(index: int, q_values: list[float]) -> StepRecord:
        transition = CoreTransition(obs, (0, 1), 1, 0.0, obs.then(1, np.zeros(7, np.float32)), (0, 1),
                                    terminal=False)
        return StepRecord(0, index, "task", transition, ("reset to home", "pick up the lid"),
                          ("reset to home", "pick up the lid"), 1, "pick up the lid", np.asarray(q_values),
                          np.asarray([0.5, 0.5]), 0.5, 0, 0.1, 1.0)

    node._publish_transitions(EpisodeResult(0, "task", Outcome.FAILURE, [step(0, [0.1, 0.2]),
                                                                          step(1, [0.1, float("nan")])]))
    assert node._ledger.never_stored() == [1, 2]  # nothing is acknowledged here (no recorder)
    assert node._ledger.pending_sequences() == [1]  # 2 is given up, not waited for or re-sent
    assert "transition 2 (episode 0, step 1) cannot be stored and is not sent: q_values holds a non-finite" \
        in capfd.readouterr().err
