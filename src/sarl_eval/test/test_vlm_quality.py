"""One knob sets the stand-in VLM's error rates; every setting's rates can be printed."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from sarl_eval.vlm_quality import PRESETS, main, vlm_quality

ERRORS = ("miss_object", "position_noise", "drop_subgoal", "extra_subgoal", "wrong_order", "unseen_object")


def test_presets_get_worse_from_near_oracle_to_poor_and_near_oracle_makes_no_error():
    near, real, poor = PRESETS["near_oracle"], PRESETS["realistic"], PRESETS["poor"]
    for rate in ERRORS:
        assert getattr(near, rate) <= getattr(real, rate) < getattr(poor, rate), rate
    assert all(getattr(near, rate) == 0.0 for rate in ERRORS if rate != "position_noise")


def test_a_number_interpolates_between_the_presets_and_half_is_realistic():
    for value, name in ((0.0, "poor"), (0.5, "realistic"), (1.0, "near_oracle")):
        assert {k: v for k, v in asdict(vlm_quality(value)).items() if k != "name"} == \
               {k: v for k, v in asdict(PRESETS[name]).items() if k != "name"}
    between = vlm_quality("0.75")
    for rate in ERRORS:
        assert getattr(PRESETS["near_oracle"], rate) <= getattr(between, rate) <= getattr(PRESETS["realistic"], rate)
    assert between.drop_subgoal == pytest.approx(0.075)


@pytest.mark.parametrize("value", ["great", 1.5, -0.1, None])
def test_an_unknown_quality_is_refused_naming_the_choices(value):
    with pytest.raises(ValueError, match="near_oracle"):
        vlm_quality(value)


def test_the_rates_of_every_preset_are_printed(capsys):
    assert main([]) == 0
    printed = capsys.readouterr().out
    assert "drop_subgoal" in printed.splitlines()[0]
    assert "| poor | 0.15 | 0.025 | 0.35 | 0.5 | 0.3 | 0.3 | 2 | 2 |" in printed
    assert "| realistic | 0.05 | 0.01 | 0.15 | 0.2 | 0.1 | 0.1 | 2 | 1 |" in printed
    assert "| near_oracle | 0 | 0.003 | 0 | 0 | 0 | 0 | 2 | 1 |" in printed
