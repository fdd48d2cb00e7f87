"""Reading standing-data rows and search text (pure rules)."""

from __future__ import annotations

from caselink.reference.rules import (
    EMPTY_QUERY_MESSAGE,
    SHORT_QUERY_MESSAGE,
    code_records,
    offence_records,
    parse_offence_query,
    query_problem,
    title_words,
)


def test_an_entry_without_a_cjs_code_is_keyed_by_its_spi_code() -> None:
    rows = [
        {"cjsCode": "", "description": "Caution", "pncCode": "", "spiCode": "C"},
        {"cjsCode": "G", "description": "Guilty", "pncCode": "GUILTY", "spiCode": "G"},
    ]
    records, skipped = code_records("verdict", rows)
    assert [r.code for r in records] == ["spi:C", "G"]
    assert records[0].attributes["spiCode"] == "C"
    assert skipped == 0


def test_rows_sharing_a_code_keep_every_source_value() -> None:
    rows = [
        {"cjsCode": "G", "description": "Guilty", "spiCode": "1"},
        {"cjsCode": "G", "description": "Guilty", "spiCode": "6"},
    ]
    records, _ = code_records("plea-status", rows)
    assert len(records) == 1
    assert records[0].attributes["spiCode"] == "1"
    assert records[0].attributes["also"] == [rows[1]]


def test_an_entry_with_no_code_at_all_is_skipped_and_counted() -> None:
    records, skipped = code_records("verdict", [{"cjsCode": "", "description": "Nothing"}])
    assert records == [] and skipped == 1


def test_offence_rows_are_normalised() -> None:
    [offence] = offence_records(
        [
            {
                "cjsCode": "th68001 ",
                "offenceTitle": "Theft  from the person of another",
                "offenceCategory": "",
                "homeOfficeClassification": "039/00",
                "recordableOnPnc": True,
                "notifiableToHo": False,
            }
        ]
    )
    assert offence.code == "TH68001"
    assert offence.title == "Theft from the person of another"
    assert offence.category is None


def test_search_text_is_read_as_a_code_and_as_words() -> None:
    query = parse_offence_query("  th 68001 ")
    assert query.code == "TH68001"
    assert query.words == ("th", "68001")
    assert parse_offence_query("Theft theft person").words == ("theft", "person")


def test_search_text_problems() -> None:
    assert query_problem(None) == EMPTY_QUERY_MESSAGE
    assert query_problem("   ") == EMPTY_QUERY_MESSAGE
    assert query_problem("a") == SHORT_QUERY_MESSAGE
    assert query_problem("--") == EMPTY_QUERY_MESSAGE
    assert query_problem("th") is None


def test_title_words_count_titles_not_occurrences() -> None:
    assert title_words(["Theft by theft", "Theft"]) == {"theft": 2, "by": 1}
