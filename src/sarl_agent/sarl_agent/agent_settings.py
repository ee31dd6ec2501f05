"""Settings of the agent node, validated in one place.

Built from ROS parameters by the node (``from_parameters``) and usable without
ROS (tests, the evaluation); a wrong value is refused with the parameter name
and what is allowed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

REWARD_SOURCES = ("sim", "operator")


@dataclass(frozen=True)
class AgentSettings:
    run_id: str = ""
    """Unique id of this run (empty: ``run-<UTC time>``); names bags, checkpoints and logs."""
    task_name: str = "pot_lid_to_towel"
    """Simulator task slug (reward_source=sim); the scene is reset to it each episode."""
    task: str = ""
    """Task instruction on the real robot (reward_source=operator)."""
    reward_source: str = "sim"
    """Who labels episodes: ``sim`` (the simulator's success detector) or ``operator`` (label_episode)."""
    episodes: int = 30
    """Labelled (SUCCESS/FAILURE) episodes to run, then the node writes its outputs and exits (0 = run until
    stopped). Aborted episodes are not learned from and do not count."""
    max_semantic_steps: int = 6
    """Semantic steps per episode."""
    steps_per_prompt: int = 20
    """Control steps the VLA runs for each prompt (ExecutePrompt.max_steps)."""
    offer_reset_to_home: bool = True
    """Offer the reserved reset-to-home action at every step."""
    seed: int = 0
    """Seeds the learner and the simulator layouts (episode e uses seed + e)."""
    learning_config_file: str = ""
    """YAML file with the learning-core configuration (SarlConfig); empty = defaults."""
    checkpoint_path: str = ""
    """Checkpoint to write (and to resume from when ``resume``); empty = <output_dir>/<run_id>/checkpoint.pt."""
    resume: bool = False
    """Start from ``checkpoint_path`` if it exists."""
    checkpoint_every: int = 5
    """Write the checkpoint every N episodes (and at the end)."""
    warm_start_bags: tuple[str, ...] = ()
    """Bags (directories, ``.mcap`` files or folders of bags) whose labelled episodes fill the prompt cache
    and the replay buffer before the first episode, read as ``replay`` reads them; with ``resume``, on top
    of the checkpoint."""
    warm_start_updates: int = 0
    """TD updates on the warm-start data before the first episode (0 = only fill the replay buffer)."""
    output_dir: str = "runs"
    """Folder for per-run outputs: checkpoint, episodes.csv, learning_curve.png."""
    server_timeout: float = 30.0
    """[s] how long to wait for each service / action server at start-up."""
    propose_timeout: float = 30.0
    """[s] deadline of one propose_prompts call."""
    execute_timeout: float = 120.0
    """[s] deadline of one execute_prompt or reset_to_home goal."""
    label_timeout: float = 0.0
    """[s] how long to wait for the operator's label before the episode counts as ABORT (0 = forever)."""
    failure_backoff: float = 2.0
    """[s] pause after an episode the robot side could not execute (policy server down, driver, timeout),
    doubled for each further one in a row up to 30 s, so a dead peer does not burn through the run."""
    max_consecutive_failures: int = 20
    """Episodes in a row the robot side could not execute before the agent stops with an error (0 = never)."""
    max_unacknowledged: int = 10
    """[transitions] hold before the next episode while more than this many are not stored by the recorder
    (see bag/backlog.py); go on once it has stored everything."""
    max_unacknowledged_age: float = 10.0
    """[s] hold before the next episode while a transition has waited longer than this to be stored."""

    def __post_init__(self) -> None:
        if self.reward_source not in REWARD_SOURCES:
            raise ValueError(f"reward_source must be one of {REWARD_SOURCES}, got {self.reward_source!r}")
        if isinstance(self.warm_start_bags, str):  # one path given as a plain string
            object.__setattr__(self, "warm_start_bags", (self.warm_start_bags,) if self.warm_start_bags else ())
        object.__setattr__(self, "warm_start_bags", tuple(str(path) for path in self.warm_start_bags))
        if any(not path.strip() for path in self.warm_start_bags):
            raise ValueError(f"warm_start_bags must name bag paths, got {list(self.warm_start_bags)}")
        if self.warm_start_updates and not self.warm_start_bags:
            raise ValueError("warm_start_updates needs warm_start_bags (the bags to learn from)")
        for key in ("episodes", "seed", "warm_start_updates"):
            if getattr(self, key) < 0:
                raise ValueError(f"{key} must be >= 0, got {getattr(self, key)}")
        for key in ("max_semantic_steps", "steps_per_prompt", "checkpoint_every"):
            if getattr(self, key) < 1:
                raise ValueError(f"{key} must be >= 1, got {getattr(self, key)}")
        for key in ("server_timeout", "propose_timeout", "execute_timeout"):
            if not getattr(self, key) > 0:
                raise ValueError(f"{key} must be > 0 seconds, got {getattr(self, key)}")
        for key in ("label_timeout", "failure_backoff", "max_consecutive_failures"):
            if getattr(self, key) < 0:
                raise ValueError(f"{key} must be >= 0, got {getattr(self, key)}")
        if self.max_unacknowledged < 1:
            raise ValueError(f"max_unacknowledged must be >= 1, got {self.max_unacknowledged}")
        if not self.max_unacknowledged_age > 0:
            raise ValueError(f"max_unacknowledged_age must be > 0 seconds, got {self.max_unacknowledged_age}")
        if self.reward_source == "operator" and not self.task.strip():
            raise ValueError("task (the instruction) must be set when reward_source is 'operator'")
        if self.reward_source == "sim" and not self.task_name:
            raise ValueError("task_name must be set when reward_source is 'sim'")
        if not self.run_id:
            object.__setattr__(self, "run_id", time.strftime("run-%Y%m%d-%H%M%S", time.gmtime()))

    @property
    def run_dir(self) -> Path:
        return Path(self.output_dir) / self.run_id

    @property
    def checkpoint(self) -> Path:
        return Path(self.checkpoint_path) if self.checkpoint_path else self.run_dir / "checkpoint.pt"

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Parameter names and defaults, for declaring ROS parameters."""
        return {f.name: f.default for f in fields(cls)}
