"""Helpers for sharing tests: API clients with tokens, events put through the sharing handler, and a
real webhook receiver (a small asyncio HTTP server on 127.0.0.1) that can be up, down, slow or failing."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from caselink.accounts import service as accounts
from caselink.accounts.schemas import ClientCreate
from caselink.platform.access.actor import SYSTEM
from caselink.platform.events.service import emit, get_event
from caselink.sharing import service


@dataclass
class ApiUser:
    client_id: str
    client_pk: int
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def api_user(http: httpx.AsyncClient, db: AsyncSession, *scopes: str, name: str = "Supplier system") -> ApiUser:
    new = await accounts.create_client(db, SYSTEM, ClientCreate(name=name, scopes=list(scopes)))
    response = await http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(new.client.client_id, new.secret)
    )
    assert response.status_code == 200, response.text
    return ApiUser(new.client.client_id, new.client.id, response.json()["access_token"])


async def publish(
    db: AsyncSession, event_type: str, person: int | None = None, data: dict[str, Any] | None = None
) -> str:
    """Emit an event and hand it to the sharing handler, as the relay would; returns its id."""
    emitted = await emit(
        db,
        event_type,
        f"thing/{person}",
        person_ids={"person": person} if person is not None else None,
        data=data,
        detail_url=f"/api/v1/people/{person}" if person is not None else None,
    )
    await service.enqueue_event(db, await get_event(db, emitted.id))
    await db.commit()
    return str(emitted.id)


def same_connection_sessions(db: AsyncSession) -> async_sessionmaker[AsyncSession]:
    """Sessions on the test's connection, inside its rolled-back transaction (for the worker)."""
    return async_sessionmaker(bind=db.bind, expire_on_commit=False, join_transaction_mode="create_savepoint")


@dataclass
class Receipt:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers every POST with ``status`` after ``delay`` seconds; keeps every raw receipt."""

    status: int = 204
    delay: float = 0.0
    receipts: list[Receipt] = field(default_factory=list)
    server: asyncio.Server | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.receipts.append(Receipt(headers, body))
                if self.delay:
                    await asyncio.sleep(self.delay)
                writer.write(f"HTTP/1.1 {self.status} X\r\ncontent-length: 0\r\n\r\n".encode())
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


def developers_verify_code(page_html: str) -> str:
    """The verification example exactly as the /developers page shows it."""
    import html

    blocks = re.findall(r'<pre class="app-code"><code>(.*?)</code></pre>', page_html, re.S)
    examples = [html.unescape(b) for b in blocks if "def verify_webhook" in html.unescape(b)]
    assert len(examples) == 1, "the verification example is not on /developers"
    return examples[0]
