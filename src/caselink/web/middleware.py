"""One pure-ASGI middleware for what every request needs: a request id, early refusal when the
process is over capacity (503 with Retry-After rather than a pile-up of time-outs), security
headers with a per-request CSP nonce, and an access log line."""

from __future__ import annotations

import logging
import secrets
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from caselink.platform.logging import request_id_var

access_log = logging.getLogger("caselink.access")

# Probes must answer even when the process is saturated.
UNLIMITED_PATHS = ("/healthz", "/readyz")


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ]
    )


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, max_in_flight: int = 200, retry_after_seconds: int = 5) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.retry_after = retry_after_seconds
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        # Accept a caller's id only if it is short and plain, so it cannot forge log lines.
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.replace("-", "").isalnum() else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})
        scope["state"]["request_id"] = request_id
        scope["state"]["csp_nonce"] = nonce
        path: str = scope.get("path", "")
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                extra = [
                    (b"x-request-id", request_id.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                existing = {k.lower() for k, _ in message.get("headers", [])}
                if b"content-security-policy" not in existing:
                    extra.append((b"content-security-policy", content_security_policy(nonce).encode()))
                if scope.get("scheme") == "https":
                    extra.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        limited = not path.startswith(UNLIMITED_PATHS)
        try:
            if limited and self.in_flight >= self.max_in_flight:
                await self._overloaded(scope, send_with_headers)
                return
            if limited:
                self.in_flight += 1
            try:
                await self.app(scope, receive, send_with_headers)
            finally:
                if limited:
                    self.in_flight -= 1
        finally:
            if not path.startswith(UNLIMITED_PATHS):
                access_log.info(
                    "%s %s %s",
                    scope.get("method"),
                    path,
                    status_holder["status"],
                    extra={
                        "method": scope.get("method"),
                        "path": path,
                        "status": status_holder["status"],
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    },
                )
            request_id_var.reset(token)

    async def _overloaded(self, scope: Scope, send: Send) -> None:
        from caselink.web.errors import overloaded_body

        content_type, body = overloaded_body(scope.get("path", ""))
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", content_type.encode()),
                    (b"retry-after", str(self.retry_after).encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
