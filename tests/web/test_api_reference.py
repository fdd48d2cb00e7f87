"""The interactive API reference (/developers/api): Swagger UI from our own fingerprinted assets,
under the strict CSP, public like the OpenAPI description; FastAPI's CDN-loaded docs stay off."""

from __future__ import annotations

import re

import httpx


async def test_api_reference_is_public_and_served_from_our_own_assets(client: httpx.AsyncClient) -> None:
    response = await client.get("/developers/api")

    assert response.status_code == 200
    html = response.text
    assert '<h1 class="govuk-heading-xl">API reference</h1>' in html
    assert 'data-openapi-url="/api/v1/openapi.json"' in html
    nonce = re.search(r"'nonce-([^']+)'", response.headers["content-security-policy"])
    assert nonce
    # Every script is ours, fingerprinted, and carries the request's nonce; nothing from another site.
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts
    assert all(f'nonce="{nonce.group(1)}"' in attrs for attrs in scripts)
    assert not re.search(r"""src="(https?:)?//""", html)
    assert all(href.startswith("/static/") for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', html))
    for name, content_type in [
        ("swagger-ui-bundle", "text/javascript"),
        ("api-reference", "text/javascript"),
        ("swagger-ui", "text/css"),
    ]:
        url = re.search(rf'"(/static/{name}\.[0-9a-f]{{12}}\.(js|css))"', html)
        assert url, f"{name} is not linked with a fingerprint"
        asset = await client.get(url.group(1))
        assert asset.status_code == 200
        assert asset.headers["content-type"].startswith(content_type)
        assert "immutable" in asset.headers["cache-control"]


async def test_fastapis_cdn_docs_are_off(client: httpx.AsyncClient) -> None:
    for path in ("/docs", "/redoc", "/api/v1/docs", "/api/v1/redoc"):
        assert (await client.get(path)).status_code == 404, path


async def test_the_developers_guide_links_to_the_reference(client: httpx.AsyncClient) -> None:
    html = (await client.get("/developers")).text
    assert 'href="/developers/api"' in html
