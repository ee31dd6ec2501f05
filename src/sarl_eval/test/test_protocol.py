"""Hyperparameters are chosen on development seeds and results reported on disjoint test seeds."""

from __future__ import annotations

import pytest

from sarl_eval.cli import build_specs, parser
from sarl_eval.harness import EVAL_SEEDS, SEED_STRIDE, TRAIN_SEEDS
from sarl_eval.protocol import DEVELOPMENT_SEEDS, TEST_SEEDS, parse_seeds


def _layouts(seeds, base):
    return {(base + s * SEED_STRIDE) // SEED_STRIDE for s in seeds}


def test_test_seeds_are_at_least_five_and_share_no_seed_or_layout_block_with_development():
    assert len(TEST_SEEDS) >= 5
    assert not set(TEST_SEEDS) & set(DEVELOPMENT_SEEDS)
    test = _layouts(TEST_SEEDS, TRAIN_SEEDS) | _layouts(TEST_SEEDS, EVAL_SEEDS)
    dev = _layouts(DEVELOPMENT_SEEDS, TRAIN_SEEDS) | _layouts(DEVELOPMENT_SEEDS, EVAL_SEEDS)
    assert not test & dev


@pytest.mark.parametrize("text, seeds", [
    ("test", list(TEST_SEEDS)), ("dev", list(DEVELOPMENT_SEEDS)), ("test:2", list(TEST_SEEDS[:2])),
    ("dev:3", [0, 1, 2]), ("4,7", [4, 7]), ("9,", [9]),
])
def test_seed_options(text, seeds):
    assert parse_seeds(text) == seeds


@pytest.mark.parametrize("text", ["3", "test:0", "test:99", "dev:x", "a,b", ","])
def test_ambiguous_or_bad_seed_options_are_refused(text):
    with pytest.raises(ValueError, match="seeds"):
        parse_seeds(text)


def test_make_eval_and_its_quick_preset_report_on_test_seeds_with_the_realistic_vlm():
    full = build_specs(parser().parse_args([]))
    assert sorted({s.seed for s in full}) == list(TEST_SEEDS)
    assert {(s.proposer, s.vlm_quality) for s in full} == {("vlm", "realistic")}
    quick = build_specs(parser().parse_args(["--quick"]))
    assert {s.seed for s in quick} == {TEST_SEEDS[0]}
    assert {s.proposer for s in quick} == {"vlm"}
