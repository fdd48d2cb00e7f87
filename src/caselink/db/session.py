"""The request-scoped database session, as a FastAPI dependency.

Services commit; an exception before the commit rolls everything back when the session closes,
so nothing half-written is kept.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.database.sessionmaker() as session:
        yield session


DbSession = Annotated[AsyncSession, Depends(get_db)]
