"""`POST /api/v1/people/import`: a batch of legacy rows through the match-before-create rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from caselink.db.session import DbSession
from caselink.people import importer
from caselink.platform.access import Actor, requires
from caselink.platform.openapi import PROBLEM

router = APIRouter(tags=["people"])
Writer = Annotated[Actor, Depends(requires("people:write"))]


class ImportRow(BaseModel):
    """One legacy record; the same columns as `caselink people import` (docs/people-import.md)."""

    model_config = ConfigDict(extra="forbid")

    given_name: str = Field(default="", max_length=200)
    middle_names: str = Field(default="", max_length=300)
    family_name: str = Field(default="", max_length=200)
    date_of_birth: str = Field(default="", max_length=20, description="YYYY-MM-DD or DD/MM/YYYY")
    sex: str = Field(default="", max_length=20)
    aliases: str = Field(default="", max_length=1000, description='Other names, "Given Family" separated by ";"')
    address_line1: str = Field(default="", max_length=300)
    town: str = Field(default="", max_length=200)
    postcode: str = Field(default="", max_length=20)
    pnc: str = Field(default="", max_length=60)
    cro: str = Field(default="", max_length=60)
    prison_number: str = Field(default="", max_length=60)
    crn: str = Field(default="", max_length=60)
    asn: str = Field(default="", max_length=60)
    nino: str = Field(default="", max_length=60)
    source_ref: str = Field(default="", max_length=100, description="The legacy system's reference, echoed back")


class ImportBatch(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "rows": [
                        {
                            "given_name": "Jordan",
                            "family_name": "Ellis",
                            "date_of_birth": "14/07/1989",
                            "sex": "M",
                            "aliases": "Jay Ellis",
                            "address_line1": "14 Mill Lane",
                            "town": "Leeds",
                            "postcode": "LS6 2BQ",
                            "pnc": "2019/0123456E",
                            "cro": "065656/91H",
                            "crn": "X123456",
                            "source_ref": "LEGACY-000417",
                        }
                    ],
                    "dry_run": True,
                    "source": "import",
                }
            ]
        },
        extra="forbid",
    )

    rows: list[ImportRow] = Field(min_length=1, max_length=importer.MAX_API_ROWS)
    dry_run: bool = False
    source: str = Field(default="import", max_length=32, description="Recorded as the identifiers' source")


class RowResult(BaseModel):
    row_number: int
    decision: str = Field(description="link, review, new or error")
    person_id: int | None
    score: float | None
    reasons: list[str]
    errors: list[str]
    source_ref: str | None


class ImportResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "dry_run": True,
                    "counts": {"link": 1},
                    "rows": [
                        {
                            "row_number": 1,
                            "decision": "link",
                            "person_id": 4211,
                            "score": 1.0,
                            "reasons": ["same PNC ID 2019/0123456E"],
                            "errors": [],
                            "source_ref": "LEGACY-000417",
                        }
                    ],
                }
            ]
        }
    )

    dry_run: bool
    counts: dict[str, int]
    rows: list[RowResult]


@router.post(
    "/people/import",
    response_model=ImportResult,
    summary="Import a batch of legacy person records, matching each before creating anyone",
    responses={422: {**PROBLEM, "description": "The batch is malformed (unknown field, too many rows)"}},
)
async def import_people(db: DbSession, actor: Writer, body: ImportBatch) -> ImportResult:
    """Each row: `link` (an existing person: its new identifiers added), `review` (created, and queued
    for a data quality officer), `new`, or `error` with reasons (nothing of that row written)."""
    reports = await importer.import_rows(
        db, actor, [row.model_dump() for row in body.rows], dry_run=body.dry_run, source=body.source
    )
    return ImportResult(
        dry_run=body.dry_run,
        counts=importer.count_decisions(reports),
        rows=[RowResult(**r.as_dict()) for r in reports],
    )
