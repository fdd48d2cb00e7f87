"""The layout's cached fragments (web/templating.py cached_fragment) still show each person the
navigation they may use, with the current page marked, and templates are compiled once."""

from __future__ import annotations

import re

import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from tests.accounts.accounts_helpers import make_staff, session_for

from caselink.organisations.models import OrganisationUnit
from caselink.web.templating import templates


def _render(source: str, **context: object) -> str:
    return templates.env.from_string(source).render(**context)


def test_a_fragment_is_kept_per_key_and_escaped_once() -> None:
    source = '{% call cached_fragment("test-fragment", key) %}<b>{{ text }}</b>{% endcall %}'
    assert _render(source, key=["a"], text="one & two") == "<b>one &amp; two</b>"
    # Same key: the first rendering is reused; another key renders afresh.
    assert _render(source, key=["a"], text="changed") == "<b>one &amp; two</b>"
    assert _render(source, key=["b"], text="<i>") == "<b>&lt;i&gt;</b>"


def test_templates_are_not_checked_for_changes_on_every_use() -> None:
    assert templates.env.auto_reload is False


def _active_item(html: str) -> str | None:
    """The text of the navigation item marked as the current page."""
    found = re.search(r'govuk-service-navigation__active-fallback">([^<]+)<', html)
    return found.group(1).strip() if found else None


async def test_each_role_sees_its_own_navigation_with_the_page_marked(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    unit = OrganisationUnit(
        code="TST-WEB-NAV",
        name="Test navigation unit",
        agency="probation",
        kind="probation_delivery_unit",
        source="caselink",
        active=True,
    )
    db.add(unit)
    await db.flush()
    practitioner = await make_staff(db, "nav.practitioner", ["probation_practitioner"], unit)
    pom = await make_staff(db, "nav.pom", ["prison_offender_manager"], unit)

    await session_for(client, db, practitioner)
    caseload = (await client.get("/probation/caseload")).text
    tasks = (await client.get("/tasks")).text
    assert _active_item(caseload) == "Caseload"
    assert 'href="/probation/caseload"' in tasks and _active_item(tasks) != "Caseload"
    assert 'href="/custody/offender-management"' not in tasks

    await session_for(client, db, pom)
    tasks = (await client.get("/tasks")).text
    assert 'href="/custody/offender-management"' in tasks
    assert 'href="/probation/caseload"' not in tasks
