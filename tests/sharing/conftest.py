"""Fixtures for sharing tests (helpers are in sharing_helpers.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from tests.sharing.sharing_helpers import Receiver


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = Receiver()
    await r.start()
    try:
        yield r
    finally:
        await r.stop()
