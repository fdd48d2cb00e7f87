"""The offence finder: ranking, pagination, the API's problem details and the page."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.platform.errors import ValidationFailed
from caselink.reference.service import find_offences

pytestmark = pytest.mark.usefixtures("reference_loaded")


@pytest.mark.parametrize("text", ["TH68001", "th68001", "th 68001", "th68", "theft from the person", "theft person"])
async def test_theft_from_the_person_comes_first(db: AsyncSession, text: str) -> None:
    result = await find_offences(db, text)
    assert result.items[0].code == "TH68001"
    assert result.items[0].title == "Theft from the person of another"
    assert result.items[0].category_description == "Either Way"


async def test_exact_code_comes_before_codes_that_start_with_it(db: AsyncSession) -> None:
    result = await find_offences(db, "TH68001")
    assert [o.code for o in result.items] == ["TH68001", "TH68001A", "TH68001B", "TH68001C"]
    assert result.total == 4


async def test_code_prefix_lists_codes_in_order(db: AsyncSession) -> None:
    result = await find_offences(db, "th68", page_size=50)
    codes = [o.code for o in result.items]
    assert all(code.startswith("TH68") for code in codes)
    assert codes == sorted(codes)


async def test_every_word_must_appear_in_the_title(db: AsyncSession) -> None:
    result = await find_offences(db, "assault police", page_size=100)
    assert result.total > 0
    for offence in result.items:
        title = offence.title.lower()
        assert re.search(r"\bassault", title) and re.search(r"\bpolice", title)


async def test_a_misspelt_word_is_respelt_and_said_so(db: AsyncSession) -> None:
    result = await find_offences(db, "burgalry dwelling")
    assert result.corrected_query == "burglary dwelling"
    assert result.total > 0 and "burglary" in result.items[0].title.lower()


async def test_nothing_found(db: AsyncSession) -> None:
    result = await find_offences(db, "qqqzzzxxx")
    assert result.total == 0 and result.items == [] and result.corrected_query is None


async def test_pages_do_not_overlap_and_share_the_total(db: AsyncSession) -> None:
    first = await find_offences(db, "theft", page=1, page_size=10)
    second = await find_offences(db, "theft", page=2, page_size=10)
    assert first.total == second.total > 20
    assert first.pages == -(-first.total // 10)
    assert len(first.items) == len(second.items) == 10
    assert not {o.code for o in first.items} & {o.code for o in second.items}
    beyond = await find_offences(db, "theft", page=first.pages + 1, page_size=10)
    assert beyond.items == [] and beyond.total == first.total


async def test_the_service_refuses_a_one_character_search(db: AsyncSession) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await find_offences(db, "a")
    assert caught.value.errors[0].field == "q"


# -- API -------------------------------------------------------------------------------------------


async def test_api_finds_offences(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/reference/offences", params={"q": "theft from the person", "page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["items"][0]["code"] == "TH68001"
    assert body["page"] == 1 and body["page_size"] == 2 and len(body["items"]) == 2
    assert body["total"] >= 3 and body["pages"] == -(-body["total"] // 2)


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": " "}, {"q": "a"}])
async def test_api_refuses_an_empty_or_one_character_search(client: httpx.AsyncClient, params: dict[str, str]) -> None:
    response = await client.get("/api/v1/reference/offences", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422
    assert [e["field"] for e in problem["errors"]] == ["query.q"]


@pytest.mark.parametrize(("param", "value"), [("page", "0"), ("page_size", "101"), ("page", "two")])
async def test_api_refuses_bad_paging(client: httpx.AsyncClient, param: str, value: str) -> None:
    response = await client.get("/api/v1/reference/offences", params={"q": "theft", param: value})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [f"query.{param}"]


async def test_api_one_offence(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/reference/offences/th68001")
    assert response.status_code == 200
    assert response.json()["code"] == "TH68001"
    assert response.json()["home_office_class"] == "039/00"
    missing = await client.get("/api/v1/reference/offences/ZZ99999")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert "ZZ99999" in missing.json()["detail"]


async def test_api_small_lists(client: httpx.AsyncClient) -> None:
    verdicts = (await client.get("/api/v1/reference/lists/verdict")).json()
    assert {item["code"] for item in verdicts["items"]} == {"spi:C", "G", "NA", "NC", "NG"}
    categories = {
        i["code"]: i["description"]
        for i in (await client.get("/api/v1/reference/lists/offence-category")).json()["items"]
    }
    assert categories["CE"] == "Either Way"
    unknown = await client.get("/api/v1/reference/lists/no-such-list")
    assert unknown.status_code == 404
    assert "verdict" in unknown.json()["detail"]


async def test_openapi_documents_the_finder_with_an_example(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json()
    operation = spec["paths"]["/api/v1/reference/offences"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "page", "page_size"}
    schema = spec["components"]["schemas"]["OffenceSearchResult"]
    assert schema["examples"][0]["items"][0]["code"] == "TH68001"


# -- page ------------------------------------------------------------------------------------------


async def test_page_shows_the_search_form_and_the_nav_item(client: httpx.AsyncClient) -> None:
    response = await client.get("/reference/offences")
    assert response.status_code == 200
    assert 'name="q"' in response.text
    assert "govuk-error-summary" not in response.text
    # The service navigation has an "Offences" item, marked as the current page here.
    assert re.search(r'href="/reference/offences" aria-current="true">\s*<strong[^>]*>Offences<', response.text)


async def test_page_lists_results_in_a_table(client: httpx.AsyncClient) -> None:
    response = await client.get("/reference/offences", params={"q": "theft from the person"})
    assert response.status_code == 200
    html = response.text
    assert "govuk-table" in html
    assert html.index("TH68001") < html.index("TH68001A")
    assert "Theft from the person of another" in html and "Either Way (CE)" in html


async def test_empty_search_shows_a_govuk_error_summary(client: httpx.AsyncClient) -> None:
    response = await client.get("/reference/offences", params={"q": ""})
    assert response.status_code == 400
    html = response.text
    assert "govuk-error-summary" in html
    assert 'href="#q"' in html
    assert "Enter an offence code or words from its title" in html
    assert "govuk-input--error" in html
    assert "<title>Error:" in html


async def test_page_says_when_nothing_matches(client: httpx.AsyncClient) -> None:
    response = await client.get("/reference/offences", params={"q": "qqqzzzxxx"})
    assert response.status_code == 200
    assert "No offences match" in response.text
    assert "govuk-table" not in response.text


async def test_page_is_paginated(client: httpx.AsyncClient) -> None:
    response = await client.get("/reference/offences", params={"q": "theft", "page": "2"})
    html = response.text
    assert "govuk-pagination" in html
    assert re.search(r'href="/reference/offences\?q=theft&amp;page=3"', html)
    assert "page 2 of" in html
