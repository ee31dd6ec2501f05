"""The proposer tests' Gemini endpoint: the shared local stand-in (tests/support/fake_gemini.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.fake_gemini import FakeGemini, running_fake_gemini


@pytest.fixture
def fake_gemini() -> Iterator[FakeGemini]:
    with running_fake_gemini() as fake:
        yield fake
