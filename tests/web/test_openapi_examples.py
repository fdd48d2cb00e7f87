"""Every /api/v1 operation documents its JSON with an example, and the examples stay true.

Integrators read the API reference (/developers/api) and copy its examples. So every JSON request
body and every 2xx JSON response of an /api/v1 operation must show an example, on the media type or
on the (referenced) schema; and every example of a request or response model must still validate
against that model, so a renamed field or a tightened rule cannot leave a stale example behind.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Iterator
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, TypeAdapter

from caselink.people import rules as identifier_rules

HTTP_METHODS = {"get", "put", "post", "patch", "delete"}


def _has_example(node: dict[str, Any], schemas: dict[str, Any], seen: frozenset[str] = frozenset()) -> bool:
    """An example on this node, or on the schema it refers to (one level of $ref at a time)."""
    if node.get("example") is not None or node.get("examples"):
        return True
    if node.get("type") == "array" and "items" in node:
        # Swagger UI shows a list of the item's example.
        return _has_example(node["items"], schemas, seen)
    ref = node.get("$ref")
    if ref and ref not in seen:
        return _has_example(schemas[ref.rsplit("/", 1)[-1]], schemas, seen | {ref})
    return False


def _json_bodies(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(operation and part, JSON media type object) for each request body and 2xx response."""
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/v1"):
            continue
        for method, operation in operations.items():
            if method not in HTTP_METHODS:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                yield f"{method.upper()} {path} request body", body
            for status, response in operation.get("responses", {}).items():
                media = response.get("content", {}).get("application/json")
                if str(status).startswith("2") and media is not None:
                    yield f"{method.upper()} {path} {status} response", media


async def test_every_api_operation_shows_an_example_of_its_json(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json()
    schemas = spec.get("components", {}).get("schemas", {})

    bodies = list(_json_bodies(spec))
    missing = [
        where
        for where, media in bodies
        if not (_has_example(media, schemas) or _has_example(media.get("schema", {}), schemas))
    ]

    assert len(bodies) > 150, "the walk found too few operations: has the API moved from /api/v1?"
    assert missing == [], f"{len(missing)} of {len(bodies)} JSON bodies have no example"


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for argument in typing.get_args(annotation):
        yield from _models(argument)


def _api_models(app: FastAPI) -> dict[type[BaseModel], set[str]]:
    """Each request and response model of the /api/v1 routes, with the operations using it."""
    found: dict[type[BaseModel], set[str]] = {}
    for context in iter_route_contexts(app.routes):
        route = context.route
        if not (context.path or "").startswith("/api/v1") or not getattr(route, "include_in_schema", False):
            continue
        name = f"{sorted(context.methods or ['?'])[0]} {context.path}"
        body_field = getattr(route, "body_field", None)
        annotations = [body_field.field_info.annotation if body_field else None, getattr(route, "response_model", None)]
        for annotation in annotations:
            for model in _models(annotation):
                found.setdefault(model, set()).add(name)
    return found


def test_every_model_example_validates_against_its_model() -> None:
    from caselink.app import create_app

    models = _api_models(create_app())
    assert len(models) > 100

    problems = []
    checked = 0
    for model, operations in models.items():
        for example in model.model_json_schema().get("examples", []):
            checked += 1
            try:
                TypeAdapter(model).validate_python(example)
            except ValueError as error:
                problems.append(f"{model.__module__}.{model.__qualname__} (used by {sorted(operations)[0]}): {error}")
    assert checked > 100
    assert problems == []


def _strings(value: Any) -> Iterator[tuple[str, str]]:
    """(key, string) for every string value in a nested example; an identifier written as
    {"type": "PNC", "value": "..."} comes out as ("pnc", "...")."""
    if isinstance(value, dict):
        if isinstance(value.get("type"), str) and isinstance(value.get("value"), str):
            yield value["type"], value["value"]
        for key, item in value.items():
            if isinstance(item, str):
                yield key, item
            else:
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


async def test_identifiers_in_examples_are_real_format_with_correct_check_characters(
    client: httpx.AsyncClient,
) -> None:
    """An integrator testing against the API gets 422 for a PNC with a wrong check letter: the
    examples they copy must pass the same rules (caselink.people.rules)."""
    spec = (await client.get("/api/v1/openapi.json")).json()
    kinds = {"pnc": "PNC", "cro": "CRO", "asn": "ASN", "crn": "CRN", "prison_number": "PRISON_NUMBER", "nino": "NINO"}
    examples: list[Any] = [s.get("examples") or s.get("example") for s in spec["components"]["schemas"].values()]
    for _, media in _json_bodies(spec):
        examples.append(media.get("example"))
    seen = 0
    for key, value in _strings(examples):
        kind = kinds.get(key.lower())
        if kind:
            seen += 1
            assert identifier_rules.is_valid(kind, value), f"{key}={value!r} is not a valid {kind}"
    assert seen > 5
