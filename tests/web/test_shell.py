"""The GOV.UK shell: start page, error pages, assets, probes, request ids and security headers."""

from __future__ import annotations

import re

import httpx


async def test_start_page_has_the_govuk_shell(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    html = response.text
    assert 'class="govuk-skip-link"' in html
    assert "govuk-service-navigation" in html and "Caselink" in html
    assert "govuk-phase-banner" in html
    assert "govuk-footer" in html
    assert "Demonstration system" in html


async def test_unknown_page_is_a_govuk_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "govuk-footer" in response.text


async def test_unknown_api_path_is_problem_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


async def test_assets_are_fingerprinted_and_cached_for_a_year(client: httpx.AsyncClient) -> None:
    html = (await client.get("/")).text
    css = re.search(r'href="(/static/govuk-frontend\.min\.[0-9a-f]{12}\.css)"', html)
    assert css, "stylesheet link is not fingerprinted"
    response = await client.get(css.group(1))
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]
    assert response.headers["content-type"].startswith("text/css")
    assert (await client.get("/static/govuk-frontend.min.000000000000.css")).status_code == 404


async def test_security_headers_and_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/", headers={"X-Request-Id": "abc123"})
    assert response.headers["x-request-id"] == "abc123"
    csp = response.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce and f'nonce="{nonce.group(1)}"' in response.text
    assert response.headers["x-frame-options"] == "DENY"
    forged = await client.get("/", headers={"X-Request-Id": "bad\nid"})
    assert forged.headers["x-request-id"] != "bad\nid"


async def test_probes(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["migrations"] == "current"
