"""A robot with a wrist camera: every transition the agent publishes carries the wrist frames of s and s'
(issue 16: "a wrist camera ... recorded like the first"), signed with the rest of the transition."""

from __future__ import annotations

import numpy as np
from sarl_agent.bag.transition_mac import sign_transition, transition_verifies
from sarl_agent.episode.robot import RobotObservation
from sarl_agent.episode.runner import EpisodeRunner, RunnerConfig
from sarl_agent.jpeg import decode_image
from sarl_agent.learning.trainer import SarlAgentCore
from sarl_agent.learning_config_file import load_learning_config
from sarl_agent.nodes.messages import transition_msg
from sarl_agent.proposer.cached import CachedProposer
from sarl_eval.scene_proposer import SceneAwareProposer
from sarl_eval.sim_robot import SimSemanticRobot
from sarl_sim.semantic_env import SemanticEnv
from sarl_sim.tasks import get_task

SECRET = b"s" * 32


class WristRobot(SimSemanticRobot):
    """The simulator with a second camera: its wrist frame is the third-person one flipped, so it differs."""

    frames: list[np.ndarray]

    def observe(self) -> RobotObservation:
        seen = super().observe()
        wrist = np.ascontiguousarray(self.env.render()[::-1])
        self.frames.append(wrist)
        return RobotObservation(seen.proprio, seen.image, wrist)


def test_each_transition_carries_the_wrist_frames_before_and_after_its_step():
    task = get_task("pot_lid_to_towel")
    env = SemanticEnv(task)
    core = SarlAgentCore(load_learning_config("learning.yaml", 0))
    robot = WristRobot(env, CachedProposer(SceneAwareProposer(lambda: env.world, pool=task.candidates, seed=0),
                                           core.cache), with_images=True)
    robot.frames = []
    result = EpisodeRunner(core, robot, RunnerConfig(max_steps=4)).run_episode(0)

    assert result.steps
    for index, record in enumerate(result.steps):
        assert record.wrist_image is robot.frames[index] and record.next_wrist_image is robot.frames[index + 1]
        msg = sign_transition(SECRET, transition_msg(record, "run-wrist", index))
        before, after = decode_image(msg.observation.wrist_image), decode_image(msg.next_observation.wrist_image)
        assert before.shape == after.shape == robot.frames[index].shape
        assert np.abs(before.astype(int) - robot.frames[index]).mean() < 8, "the JPEG of that very frame"
        assert np.abs(before.astype(int) - decode_image(msg.observation.image)).mean() > 8, "not the main camera"
        assert transition_verifies(SECRET, msg)
