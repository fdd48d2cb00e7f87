"""API shapes of the reference context (documented in the OpenAPI description)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class OffenceOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "TH68010",
                    "title": "Theft from a shop",
                    "category": "CE",
                    "category_description": "Either Way",
                    "home_office_class": "046/00",
                    "recordable_on_pnc": True,
                    "notifiable_to_home_office": True,
                }
            ]
        },
        from_attributes=True,
    )

    code: str = Field(description="CJS offence code, e.g. TH68001")
    title: str
    category: str | None = Field(description="Offence category code: CE either way, CI indictable, CS summary ...")
    category_description: str | None = Field(description="The category's name from the standing data")
    home_office_class: str | None = Field(description="Home Office classification, e.g. 039/00")
    recordable_on_pnc: bool
    notifiable_to_home_office: bool


class OffenceSearchResult(BaseModel):
    """One page of offences, best match first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "query": "theft from the person",
                    "corrected_query": None,
                    "total": 3,
                    "page": 1,
                    "page_size": 20,
                    "pages": 1,
                    "items": [
                        {
                            "code": "TH68001",
                            "title": "Theft from the person of another",
                            "category": "CE",
                            "category_description": "Either Way",
                            "home_office_class": "039/00",
                            "recordable_on_pnc": True,
                            "notifiable_to_home_office": True,
                        }
                    ],
                }
            ]
        }
    )

    query: str = Field(description="The search text as received (spaces collapsed)")
    corrected_query: str | None = Field(
        description="Set when nothing matched the words as typed: the respelt words the results are for"
    )
    total: int = Field(description="Offences matching, across all pages")
    page: int
    page_size: int
    pages: int
    items: list[OffenceOut]


class CodeOut(BaseModel):
    code: str = Field(description="The CJS code; entries without one are keyed spi:<SPI code>")
    description: str
    attributes: dict[str, Any] = Field(description="The source row from the standing data, whole")


class CodeListOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "list_name": "plea-status",
                    "items": [
                        {
                            "code": "ADM",
                            "description": "Admits",
                            "attributes": {
                                "cjsCode": "ADM",
                                "description": "Admits",
                                "pncCode": "GUILTY",
                                "spiCode": "7",
                            },
                        },
                        {
                            "code": "CON",
                            "description": "Consents",
                            "attributes": {
                                "cjsCode": "CON",
                                "description": "Consents",
                                "pncCode": "CONSENTED",
                                "spiCode": "4",
                            },
                        },
                    ],
                }
            ]
        }
    )

    list_name: str
    items: list[CodeOut]
