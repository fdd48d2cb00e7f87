"""Browser fixtures: the app served by uvicorn on a free port, and Debian's Chromium driven by
Playwright. Playwright never downloads a browser here: it is given Chromium's path.

Playwright's async API runs on the suite's session event loop; its sync API would mark the main
thread as running a loop and break every asyncio fixture set up after it.

CASELINK_CHROMIUM may name another Chromium binary. Chromium missing: the tests skip with the
reason, except in CI (CI=true), where they fail, since `.ci/run` installs it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from caselink.config import PROJECT_ROOT, Settings
from caselink.db.embedded import free_port

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"


def _chromium_path() -> str | None:
    configured = os.environ.get("CASELINK_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    return next((path for path in CHROMIUM_CANDIDATES if Path(path).exists()), None)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = _chromium_path()
    if path is None:
        configured = os.environ.get("CASELINK_CHROMIUM")
        reason = (
            f"CASELINK_CHROMIUM names {configured}, which does not exist"
            if configured
            else f"Chromium is not installed (looked for {', '.join(CHROMIUM_CANDIDATES)})"
        ) + "; install Debian's chromium package to run the browser tests."
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def live_server(settings: Settings, reference_loaded: str) -> Iterator[str]:
    """The app on a free port, in a background thread, on the test database. It sees committed data
    only (the standing data loaded once for the run), not the rolled-back `db` of other tests. Its
    Database is made by the app's lifespan, inside the server's own event loop, and disposed there."""
    from caselink.app import create_app

    app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("The live server did not start; see the log above.")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture(scope="session")
async def browser(chromium_path: str) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        # launch() gives the browser a new temporary profile (user-data-dir), removed on close.
        chromium = await playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


@dataclass
class PageProblems:
    """What went wrong in the browser while a test used a page: console errors, uncaught script
    errors, and sub-resources (CSS, JS, fonts) that did not load."""

    console_errors: list[tuple[str, str]] = field(default_factory=list)  # (message, source URL)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    # Documents fetched with an error status on purpose (the 404 page): Chromium logs an error
    # for the document itself, which is what the test asked for.
    expected_error_urls: set[str] = field(default_factory=set)

    def unexpected_console_errors(self) -> list[str]:
        return [f"{message} ({url})" for message, url in self.console_errors if url not in self.expected_error_urls]

    def assert_none(self) -> None:
        assert self.unexpected_console_errors() == [], "console errors"
        assert self.page_errors == [], "uncaught script errors"
        assert self.failed_requests == [], "resources that did not load"


@dataclass
class BrowserPage:
    """A browser tab (Playwright's Page) and what went wrong in it."""

    tab: Any
    problems: PageProblems

    async def serious_accessibility_violations(self) -> list[str]:
        return await serious_accessibility_violations(self.tab)


@pytest.fixture
async def page(browser: Any, live_server: str) -> AsyncIterator[BrowserPage]:
    """A tab in a fresh browser context (no cookies carried between tests), recording problems."""
    context = await browser.new_context(base_url=live_server)
    problems = PageProblems()
    # Fail fast: every page here answers in well under a second on a working server.
    context.set_default_timeout(10_000)
    tab = await context.new_page()
    tab.on(
        "console",
        lambda msg: (
            problems.console_errors.append((msg.text, msg.location.get("url", ""))) if msg.type == "error" else None
        ),
    )
    tab.on("pageerror", lambda exc: problems.page_errors.append(str(exc)))
    tab.on("requestfailed", lambda req: problems.failed_requests.append(f"{req.url} ({req.failure})"))

    def on_response(response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            problems.failed_requests.append(f"{response.url} ({response.status})")

    tab.on("response", on_response)
    try:
        yield BrowserPage(tab, problems)
    finally:
        await context.close()


async def serious_accessibility_violations(tab: Any) -> list[str]:
    """Run axe-core on the page; return the serious and critical violations, one line each.

    axe is evaluated through the DevTools protocol rather than added as a <script>, so the app's
    strict CSP stays on during the test and any CSP breach of our own shows as a console error."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing; run `npm ci` (make install) to get axe-core.")
    await tab.evaluate(AXE_SCRIPT.read_text() + "\n;undefined")
    violations = await tab.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [
        f"{v['impact']}: {v['id']} – {v['help']} at {', '.join(v['targets'][:3])}"
        for v in violations
        if v["impact"] in {"serious", "critical"}
    ]
