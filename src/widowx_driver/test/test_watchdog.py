"""The command watchdog: expires only after the timeout without a command."""

import pytest
from widowx_driver.watchdog import Watchdog


def test_expires_after_the_timeout_and_feeding_resets_it():
    watchdog = Watchdog(0.5)
    watchdog.feed(10.0)
    assert not watchdog.expired(10.4)
    assert watchdog.expired(10.6)
    watchdog.feed(10.6)
    assert not watchdog.expired(11.0)


def test_a_never_fed_watchdog_is_expired():
    assert Watchdog(1.0).expired(0.0)


@pytest.mark.parametrize("timeout", [0.0, -1.0, float("nan")])
def test_invalid_timeout_is_refused_naming_the_parameter(timeout):
    with pytest.raises(ValueError, match="watchdog_timeout"):
        Watchdog(timeout)
