"""Helpers for the OpenAPI description (/api/v1/openapi.json).

Request and response models carry their examples in ``model_config`` (``json_schema_extra``). A
route that answers with a plain dict (no response model) documents its answer with
``responses=example_response(EXAMPLE)``, which FastAPI merges into the operation's success
response. tests/web/test_openapi_examples.py fails when an operation has no example.
"""

from __future__ import annotations

from typing import Any

# The body of an error answer in a route's ``responses=``: RFC 9457 problem details.
PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {"schema": {"type": "object"}}}}


def example_response(example: Any, status_code: int = 200, description: str | None = None) -> dict[int | str, Any]:
    """``responses=`` entry giving the JSON success response of a route an example."""
    entry: dict[str, Any] = {"content": {"application/json": {"example": example}}}
    if description:
        entry["description"] = description
    return {status_code: entry}
