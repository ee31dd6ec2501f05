"""`make bench`'s physics benchmark runs every configuration it can (the policy one included)."""

from __future__ import annotations

from sarl_sim.physics.benchmark import measure


def test_a_short_run_measures_each_configuration():
    results = measure(steps=2, size=32)
    assert {"physics", "physics+ik"} <= set(results)
    if "physics+ik+render32" in results:  # rendering needs EGL; without it the run says so and stops there
        assert "physics+ik+render32+policy" in results
    assert all(value > 0 for value in results.values())
