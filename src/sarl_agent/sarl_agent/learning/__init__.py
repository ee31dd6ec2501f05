"""ROS-free SARL learning core: prompt cache, state encoders, semantic Q-network,
softmax policy, replay buffer, TD backups, trainer and checkpoints.

Imports only the standard library, numpy and torch, so it runs in tests,
benchmarks and offline tools without ROS. The agent node wires it to topics.
"""

import importlib
from typing import Any

# Lazy exports (PEP 562): importing the prompt cache (the proposer node does) must not pull in torch.
_EXPORTS = {
    "EncoderConfig": "config", "PolicyConfig": "config", "QConfig": "config", "ReplayConfig": "config",
    "SarlConfig": "config", "TdConfig": "config",
    "Observation": "observation", "ObservationBatch": "observation", "ObservationSpec": "observation",
    "Decision": "policy",
    "RESET_TO_HOME": "prompt_cache", "RESET_TO_HOME_ID": "prompt_cache", "PromptCache": "prompt_cache",
    "normalize": "prompt_cache",
    "ReplayBatch": "replay_buffer", "ReplayBuffer": "replay_buffer",
    "RngBundle": "seeding", "seed_everything": "seeding",
    "SarlAgentCore": "trainer",
    "SemanticTransition": "transition",
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)


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
