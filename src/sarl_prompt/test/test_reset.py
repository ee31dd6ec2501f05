"""Reset-to-home is recognised in the wordings a VLM uses, and only there."""

import pytest
from sarl_prompt import MAX_PROMPT_CHARS, is_reset_to_home, vla_prompt_problem


@pytest.mark.parametrize("text", [
    "reset to home", "Reset to home.", "go back home", "Go home!", "return to the home pose", "return home",
    "move back to the home position", "go to the starting position", "back to home", "reset", "reset the arm",
    "bring the arm back to its home pose", "please return to the initial pose", "home", "head home",
    "move to the neutral position", "go back to the rest pose",
])
def test_reset_to_home_variants_are_recognised_and_refused_as_vla_prompts(text):
    assert is_reset_to_home(text)
    assert "reset to home" in vla_prompt_problem(text)


@pytest.mark.parametrize("text", [
    "pick up the banana", "put it in the pot", "go to the pot", "put the banana back in the bowl",
    "move the home plate", "open the gripper", "reset the banana on the towel and go home",
])
def test_ordinary_prompts_are_not_taken_for_reset(text):
    assert not is_reset_to_home(text)
    assert vla_prompt_problem(text) is None


def test_the_length_rules_still_apply():
    assert "characters" in vla_prompt_problem("x" * (MAX_PROMPT_CHARS + 1))
    assert not is_reset_to_home(None) and "must be text" in vla_prompt_problem(None)
