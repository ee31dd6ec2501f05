"""Each middleware test talks to its peer in a namespace of its own.

Why: a server left behind by another test file in the same DDS domain (a
crashed peer, a node not yet destroyed) must never answer this test's goals.
"""

import uuid

import pytest


@pytest.fixture
def namespace() -> str:
    return f"/mw_{uuid.uuid4().hex[:8]}"


@pytest.fixture
def ns_args(namespace: str) -> list[str]:
    """Arguments that put a peer process's node into ``namespace``."""
    return ["--ros-args", "-r", f"__ns:={namespace}"]
