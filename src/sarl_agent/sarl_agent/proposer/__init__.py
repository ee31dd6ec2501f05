"""ROS-free prompt proposers for the vlm_proposer node: Gemini, offline, and the prompt-cache rule."""

from .base import PromptProposer, Proposal, ProposerError
from .cached import CachedProposer, load_cache
from .config import ProposerConfig, build_proposer
from .offline import OfflineProposer

__all__ = [
    "CachedProposer",
    "OfflineProposer",
    "PromptProposer",
    "Proposal",
    "ProposerConfig",
    "ProposerError",
    "build_proposer",
    "load_cache",
]
