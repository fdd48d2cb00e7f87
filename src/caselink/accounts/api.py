"""JSON API: staff accounts, training completions, API clients and who-am-I under /api/v1, and
the OAuth 2.0 token endpoint (client credentials) at /oauth/token."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse

from caselink.accounts import service
from caselink.accounts.schemas import (
    ClientCreate,
    ClientCreated,
    ClientOut,
    MeOut,
    StaffCreate,
    StaffCreated,
    StaffOut,
    StaffPage,
    StaffUpdate,
    SuspendRequest,
    TokenResponse,
    TrainingCompletionIn,
)
from caselink.db.session import DbSession
from caselink.platform.access import PUBLIC, Actor, requires
from caselink.platform.openapi import example_response

router = APIRouter(tags=["staff"])
oauth_router = APIRouter(tags=["oauth"])

StaffReader = Annotated[Actor, Depends(requires("staff:read"))]
StaffManager = Annotated[Actor, Depends(requires("staff:manage"))]


@router.get("/me", response_model=MeOut, dependencies=[Depends(requires("account:self"))])
async def me(request: Request) -> MeOut:
    actor: Actor = request.state.actor
    assert actor.id is not None
    return MeOut(
        id=actor.id,
        username=actor.name,
        display_name=actor.display_name or actor.name,
        unit_code=actor.unit_code,
        agency=actor.agency,
        roles=sorted(actor.roles),
    )


@router.get("/staff", response_model=StaffPage)
async def list_staff(
    db: DbSession,
    actor: StaffReader,
    q: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> StaffPage:
    listing = await service.list_staff(db, actor, q, page, page_size)
    return StaffPage(items=listing.items, page=listing.page, page_size=listing.page_size, total=listing.total)


@router.post("/staff", response_model=StaffCreated, status_code=201)
async def create_staff(request: Request, db: DbSession, actor: StaffManager, body: StaffCreate) -> StaffCreated:
    created, token = await service.create_staff(db, actor, body)
    setup_url = str(request.url_for("setup_form").include_query_params(token=token)) if token else ""
    return StaffCreated(**created.model_dump(), setup_url=setup_url)


@router.get("/staff/{staff_id}", response_model=StaffOut)
async def get_staff(db: DbSession, actor: StaffReader, staff_id: int) -> StaffOut:
    return await service.get_staff(db, actor, staff_id)


@router.patch("/staff/{staff_id}", response_model=StaffOut)
async def update_staff(db: DbSession, actor: StaffManager, staff_id: int, body: StaffUpdate) -> StaffOut:
    return await service.update_staff(db, actor, staff_id, body)


@router.post("/staff/{staff_id}/suspend", response_model=StaffOut)
async def suspend_staff(db: DbSession, actor: StaffManager, staff_id: int, body: SuspendRequest) -> StaffOut:
    return await service.set_staff_status(db, actor, staff_id, suspend=True, reason=body.reason)


@router.post("/staff/{staff_id}/reactivate", response_model=StaffOut)
async def reactivate_staff(db: DbSession, actor: StaffManager, staff_id: int) -> StaffOut:
    return await service.set_staff_status(db, actor, staff_id, suspend=False)


@router.post("/training/completions", status_code=201, responses=example_response({"status": "recorded"}, 201))
async def record_training(
    db: DbSession, actor: Annotated[Actor, Depends(requires("training:record"))], body: TrainingCompletionIn
) -> dict[str, str]:
    await service.record_completion(db, actor, body.username, body.module_code, body.completed_on)
    return {"status": "recorded"}


ClientManager = Annotated[Actor, Depends(requires("clients:manage"))]


def _client_out(client: object) -> ClientOut:
    return ClientOut.model_validate(client, from_attributes=True)


@router.get("/clients", response_model=list[ClientOut])
async def list_clients(db: DbSession, actor: ClientManager) -> list[ClientOut]:
    return [_client_out(c) for c in await service.list_clients(db)]


@router.post("/clients", response_model=ClientCreated, status_code=201)
async def create_client(db: DbSession, actor: ClientManager, body: ClientCreate) -> ClientCreated:
    created = await service.create_client(db, actor, body)
    return ClientCreated(**_client_out(created.client).model_dump(), client_secret=created.secret)


@router.post("/clients/{client_id}/revoke", response_model=ClientOut)
async def revoke_client(db: DbSession, actor: ClientManager, client_id: str) -> ClientOut:
    return _client_out(await service.revoke_client(db, actor, client_id))


# -- OAuth 2.0 token endpoint --------------------------------------------------------------


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="caselink"'
    return JSONResponse({"error": error, "error_description": description}, status_code=status, headers=headers)


def _basic_credentials(header: str) -> tuple[str, str] | None:
    if header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    # RFC 6749 2.3.1: both parts are form-urlencoded before being joined.
    return (unquote(client_id), unquote(secret)) if sep else None


@oauth_router.post("/oauth/token", response_model=TokenResponse, dependencies=[Depends(requires(PUBLIC))])
async def token(
    request: Request,
    db: DbSession,
    grant_type: Annotated[str, Form()] = "",
    client_id: Annotated[str, Form()] = "",
    client_secret: Annotated[str, Form()] = "",
    scope: Annotated[str, Form()] = "",
) -> JSONResponse:
    """Client credentials by HTTP Basic or by the client_id and client_secret form fields."""
    basic = _basic_credentials(request.headers.get("authorization", ""))
    if basic is not None:
        client_id, client_secret = basic
    if grant_type != "client_credentials":
        return _oauth_error("unsupported_grant_type", "Only grant_type=client_credentials is supported.")
    if not client_id or not client_secret:
        return _oauth_error("invalid_client", "Give the client id and secret by HTTP Basic or as form fields.", 401)
    try:
        issued = await service.issue_token(db, client_id, client_secret, scope or None)
    except service.OAuthError as exc:
        return _oauth_error(exc.error, exc.description, exc.status)
    body = TokenResponse(access_token=issued.access_token, expires_in=issued.expires_in, scope=" ".join(issued.scopes))
    return JSONResponse(body.model_dump(), headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
