"""API shapes of the organisations context."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class UnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str = Field(description="OU code for police and courts (01ZD00, B01AF00), NOMIS code for prisons (BXI)")
    name: str
    agency: str = Field(description="police, cps, courts, prison or probation")
    kind: str
    region: str | None
    parent_code: str | None
    parent_name: str | None
    source: str = Field(description="standing_data (CJS standing data) or caselink (Caselink's own list)")


class UnitPageOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "total": 1,
                    "page": 1,
                    "page_size": 50,
                    "pages": 1,
                    "items": [
                        {
                            "id": 7001,
                            "code": "BXI",
                            "name": "HMP Brixton",
                            "agency": "prison",
                            "kind": "prison",
                            "region": "London",
                            "parent_code": "HMPS-NAT",
                            "parent_name": "HM Prison Service – national",
                            "source": "caselink",
                        }
                    ],
                }
            ]
        }
    )

    total: int
    page: int
    page_size: int
    pages: int
    items: list[UnitOut]
