"""The 500/50/5 ramp: 500 ops/s for 5 minutes, then +50% every 5 minutes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flask_boiler.errors import UsageError
from flask_boiler.tasks.ramp import Ramp


def test_the_rule_in_numbers():
    ramp = Ramp()
    assert ramp.seconds_for(0) == 0 and ramp.seconds_for(500) == 1.0
    assert ramp.allowed_by(300) == 150_000  # five minutes at 500/s
    assert ramp.rate_at(299) == 500 and ramp.rate_at(300) == 750 and ramp.rate_at(600) == 1125
    assert ramp.seconds_for(150_000 + 750) == 301.0
    assert ramp.seconds_for(10_000) == 20.0  # a 10,000-view fan-out is spread over 20 seconds


@given(st.floats(min_value=0, max_value=1e8, allow_nan=False))
def test_seconds_for_inverts_allowed_by(operations):
    ramp = Ramp()
    seconds = ramp.seconds_for(operations)
    assert ramp.allowed_by(seconds) == pytest.approx(operations, rel=1e-9, abs=1e-6)


@given(st.floats(min_value=0, max_value=1e6), st.floats(min_value=0, max_value=1e6))
def test_more_work_never_starts_earlier(a, b):
    ramp = Ramp()
    low, high = sorted((a, b))
    assert ramp.seconds_for(low) <= ramp.seconds_for(high)


@pytest.mark.parametrize("kwargs", [{"start": 0}, {"growth": 0.5}, {"period": -1}])
def test_nonsense_ramps_are_refused(kwargs):
    with pytest.raises(UsageError):
        Ramp(**kwargs)
