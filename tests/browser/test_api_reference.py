"""The interactive API reference renders in a real browser under the strict CSP: Swagger UI (from
our own assets) reads the OpenAPI description and lists the operations, with no console errors
(a CSP violation is one) and no resource that failed to load."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


async def test_api_reference_renders_the_operations_under_the_csp(page: Any) -> None:
    tab = page.tab
    response = await tab.goto("/developers/api")

    assert response.status == 200
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    await tab.locator("#swagger-ui .opblock").first.wait_for()
    text = await tab.locator("#swagger-ui").inner_text()
    assert "Caselink API" in text
    assert "/api/v1/people" in text
    page.problems.assert_none()
