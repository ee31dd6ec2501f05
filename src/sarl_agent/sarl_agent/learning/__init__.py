"""ROS-free SARL learning core: prompt cache, state encoders, semantic Q-network,
softmax policy, replay buffer, TD backups, trainer and checkpoints.

Imports only the standard library, numpy and torch, so it runs in tests,
benchmarks and offline tools without ROS. The agent node wires it to topics.
"""

from .config import EncoderConfig, PolicyConfig, QConfig, ReplayConfig, SarlConfig, TdConfig
from .observation import Observation, ObservationBatch, ObservationSpec
from .policy import Decision
from .prompt_cache import RESET_TO_HOME, RESET_TO_HOME_ID, PromptCache, normalize
from .replay_buffer import ReplayBatch, ReplayBuffer
from .seeding import RngBundle, seed_everything
from .trainer import SarlAgentCore
from .transition import SemanticTransition

__all__ = [
    "RESET_TO_HOME",
    "RESET_TO_HOME_ID",
    "Decision",
    "EncoderConfig",
    "Observation",
    "ObservationBatch",
    "ObservationSpec",
    "PolicyConfig",
    "PromptCache",
    "QConfig",
    "ReplayBatch",
    "ReplayBuffer",
    "ReplayConfig",
    "RngBundle",
    "SarlAgentCore",
    "SarlConfig",
    "SemanticTransition",
    "TdConfig",
    "normalize",
    "seed_everything",
]
