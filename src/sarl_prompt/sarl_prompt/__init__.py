"""What may be sent to a VLA as a prompt: one rule set for proposer, agent, bridge and policy server."""

from sarl_prompt.rules import MAX_PROMPT_CHARS, MAX_PROMPT_WORDS, PromptRejected, check_prompt, prompt_problem

__all__ = ["MAX_PROMPT_CHARS", "MAX_PROMPT_WORDS", "PromptRejected", "check_prompt", "prompt_problem"]
