"""Smoke tests in a real browser: the pages render with their styles and scripts, log no errors,
and axe-core finds no serious or critical accessibility problems."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


async def assert_gov_uk_page(tab: Any) -> None:
    """The GOV.UK template is whole: its styles applied, its scripts ran (under our CSP), a skip link."""
    assert "GDS Transport" in await tab.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert await tab.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert await tab.locator("a.govuk-skip-link").get_attribute("href") == "#main-content"


async def test_start_page(page: Any) -> None:
    response = await page.tab.goto("/")

    assert response.status == 200
    assert await page.tab.locator("h1").inner_text() == "Caselink"
    await assert_gov_uk_page(page.tab)
    assert await page.serious_accessibility_violations() == []
    page.problems.assert_none()


async def test_offence_finder_finds_theft_from_the_person(page: Any) -> None:
    tab = page.tab
    await tab.goto("/")
    await tab.get_by_role("link", name="Find an offence code").click()
    await tab.wait_for_url("**/reference/offences")
    assert await page.serious_accessibility_violations() == []

    search = tab.locator("input[name='q']")
    await search.fill("theft from the person")
    await search.press("Enter")
    await tab.wait_for_url("**/reference/offences?*q=theft*")

    results = await tab.locator("main").inner_text()
    assert "TH68001" in results
    assert "Theft from the person of another" in results
    await assert_gov_uk_page(tab)
    assert await page.serious_accessibility_violations() == []
    page.problems.assert_none()


async def test_page_not_found(page: Any, live_server: str) -> None:
    url = f"{live_server}/no-such-page"
    page.problems.expected_error_urls.add(url)
    response = await page.tab.goto(url)

    assert response.status == 404
    assert await page.tab.locator("h1").inner_text() == "Page not found"
    await assert_gov_uk_page(page.tab)
    assert await page.serious_accessibility_violations() == []
    page.problems.assert_none()
