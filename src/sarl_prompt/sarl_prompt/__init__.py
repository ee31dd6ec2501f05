"""What may be sent to a VLA as a prompt: one rule set for proposer, agent, bridge and policy server."""

from sarl_prompt.reset import RESET_TO_HOME, is_reset_to_home, vla_prompt_problem
from sarl_prompt.rules import MAX_PROMPT_CHARS, MAX_PROMPT_WORDS, PromptRejected, check_prompt, prompt_problem

__all__ = [
    "MAX_PROMPT_CHARS",
    "MAX_PROMPT_WORDS",
    "RESET_TO_HOME",
    "PromptRejected",
    "check_prompt",
    "is_reset_to_home",
    "prompt_problem",
    "vla_prompt_problem",
]
