"""Court pages for clerks and legal advisers: the daily list per courtroom, listing a hearing,
re-listing and adjourning, and results entry (pleas, outcomes, remands, trial effectiveness,
sentences). Every write goes through courts.service, which validates the whole input and writes
nothing when it refuses; its FieldErrors come back here as a GOV.UK error summary (status 400)
whose links point at this page's fields."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from caselink.courts import rules, service
from caselink.courts.schemas import (
    AdjournIn,
    ChargeResultIn,
    HearingListIn,
    HearingOut,
    PleaIn,
    PleasIn,
    RelistIn,
    RemandIn,
    ResultsIn,
    SentenceIn,
    TrialOutcomeIn,
)
from caselink.db.session import DbSession
from caselink.platform.access import Actor, requires
from caselink.platform.errors import FieldError, NotFound, ValidationFailed
from caselink.prosecution import service as prosecution_service
from caselink.reference import service as reference_service
from caselink.web.templating import NavItem, error_list, field_errors, register_nav_item, render

router = APIRouter(prefix="/courts", include_in_schema=False)

Lister = Annotated[Actor, Depends(requires("courts:list"))]
Reader = Annotated[Actor, Depends(requires("courts:read"))]
Writer = Annotated[Actor, Depends(requires("courts:results"))]


register_nav_item(NavItem("Court lists", "/courts/list", permission="courts:list", order=40))

HEARING_STATUS_TAGS = {
    "listed": ("Listed", "govuk-tag--blue"),
    "heard": ("Heard", "govuk-tag--green"),
    "adjourned": ("Adjourned", "govuk-tag--orange"),
    "vacated": ("Vacated", "govuk-tag--grey"),
}
READINESS_TAGS = {"ready": "govuk-tag--green", "at_risk": "govuk-tag--yellow", "not_ready": "govuk-tag--red"}


def label(value: str | None) -> str:
    return (value or "").replace("_", " ").capitalize()


def _options(values: list[tuple[str, str]], selected: str = "", blank: str | None = None) -> list[dict[str, Any]]:
    items = [{"value": "", "text": blank}] if blank is not None else []
    return items + [{"value": v, "text": t, "selected": v == selected} for v, t in values]


def _enum_options(kind: Any, selected: str = "", blank: str | None = None) -> list[dict[str, Any]]:
    return _options([(m.value, label(m.value)) for m in kind], selected, blank)


def _form_time(day: str, time: str, date_field: str, time_field: str) -> tuple[datetime | None, list[FieldError]]:
    """A London wall-clock date and time from the form, as an aware datetime."""
    errors = []
    try:
        on = date.fromisoformat(day.strip())
    except ValueError:
        errors.append(FieldError(date_field, "Enter the hearing date like 2025-03-10"))
    if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", time.strip()):
        errors.append(FieldError(time_field, "Enter the time like 10:00"))
    if errors:
        return None, errors
    hours, minutes = (int(p) for p in time.strip().split(":"))
    return datetime(on.year, on.month, on.day, hours, minutes, tzinfo=service.LONDON), []


def _int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() else None


def _moved(errors: list[FieldError], mapping: Callable[[str], str]) -> list[FieldError]:
    """The service's field paths (into its request body) as the ids of this page's fields."""
    return [FieldError(mapping(e.field), e.message) for e in errors]


def _pydantic_errors(exc: ValidationError) -> list[FieldError]:
    return [FieldError(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]


# -- the daily list ----------------------------------------------------------------------------------


async def _own_court(db: DbSession, actor: Actor) -> service.CourtUnit | None:
    """The actor's own court; None when their unit is not a court (e.g. a national role)."""
    if actor.unit_id is None:
        return None
    try:
        return await service.court_unit_by_id(db, actor.unit_id)
    except NotFound:
        return None


@router.get("/list")
async def my_court_list(request: Request, db: DbSession, actor: Lister) -> Response:
    """A member of court staff's own court is the default list."""
    unit = await _own_court(db, actor)
    if unit is not None:
        return RedirectResponse(f"/courts/{unit.code}/list", status_code=303)
    court = request.query_params.get("court", "").strip()
    if court:
        return RedirectResponse(f"/courts/{court.upper()}/list", status_code=303)
    return render(request, "courts/choose_court.html", {"page_title": "Court lists"})


async def _court(db: DbSession, court: str) -> service.CourtUnit:
    if court.isdigit():
        return await service.court_unit_by_id(db, int(court))
    return await service.court_unit(db, court, "court")


@router.get("/{court}/list")
async def daily_list(
    request: Request, db: DbSession, actor: Lister, court: str, date: str = "", page: int = 1
) -> Response:
    today = service.london_date(datetime.now(service.LONDON))
    errors: list[FieldError] = []
    sitting = today
    if date.strip():
        try:
            sitting = type(today).fromisoformat(date.strip())
        except ValueError:
            errors.append(FieldError("date", "Enter the date like 2025-03-10"))
    unit = await _court(db, court)
    result = await service.daily_list(db, actor, unit.id, sitting, max(1, page))
    rooms: dict[str, list[Any]] = {}
    for item in result.items:
        rooms.setdefault(item.courtroom, []).append(item)
    # Readiness is kept for each case's next hearing: shown for the hearings that are that one.
    by_case = await prosecution_service.readiness_for_cases(db, {i.case_id for i in result.items}, today)
    readiness = {
        i.hearing_id: found.status.value
        for i in result.items
        if (found := by_case.get(i.case_id)) is not None and found.hearing_id == i.hearing_id and found.status
    }
    base = f"/courts/{unit.code}/list"
    context: dict[str, Any] = {
        "page_title": f"{unit.name}: {sitting:%A} {sitting.day} {sitting:%B %Y}",
        "unit": unit,
        "sitting": sitting,
        "date_value": date if errors else sitting.isoformat(),
        "rooms": rooms,
        "result": result,
        "tags": HEARING_STATUS_TAGS,
        "readiness": readiness,
        "readiness_tags": READINESS_TAGS,
        "label": label,
        "unit_tz": service.LONDON,
        "previous_href": f"{base}?date={(sitting - timedelta(days=1)).isoformat()}",
        "next_href": f"{base}?date={(sitting + timedelta(days=1)).isoformat()}",
        "today_href": base,
        "more_href": f"{base}?date={sitting.isoformat()}&page={result.page + 1}"
        if result.page * result.page_size < result.total
        else None,
    }
    if errors:
        context.update(errors=error_list(errors), field_errors=field_errors(errors))
        return render(request, "courts/daily_list.html", context, status_code=400)
    return render(request, "courts/daily_list.html", context)


# -- listing a hearing --------------------------------------------------------------------------------


async def _listing_form(
    request: Request, db: DbSession, actor: Actor, form: dict[str, str], errors: list[FieldError] | None = None
) -> Response:
    hearing_types = await reference_service.list_codes(db, "type-of-hearing")
    if "court_unit_code" not in form and actor.unit_id is not None:
        own = await _own_court(db, actor)
        if own is not None:
            form["court_unit_code"] = own.code
    context: dict[str, Any] = {
        "page_title": "List a hearing",
        "form": form,
        "hearing_types": _options(
            [(c.code, f"{c.description} ({c.code})") for c in hearing_types],
            form.get("hearing_type_code", ""),
            "Choose a type of hearing",
        ),
        "field_errors": {},
    }
    if errors:
        context.update(errors=error_list(errors), field_errors=field_errors(errors))
        return render(request, "courts/list_hearing.html", context, status_code=400)
    return render(request, "courts/list_hearing.html", context)


@router.get("/hearings/new")
async def new_hearing(request: Request, db: DbSession, actor: Writer, case_id: str = "") -> Response:
    return await _listing_form(request, db, actor, {"case_id": case_id})


@router.post("/hearings/new")
async def create_hearing(request: Request, db: DbSession, actor: Writer) -> Response:
    raw = await request.form()
    form = {
        k: str(raw.get(k, "")) for k in ("case_id", "court_unit_code", "hearing_type_code", "day", "time", "courtroom")
    }
    errors: list[FieldError] = []
    # The field takes a case id (digits only) or the case's URN, which is what a clerk has to hand.
    case_id = _int(form["case_id"])
    if case_id is None and not form["case_id"].strip():
        errors.append(FieldError("case_id", "Enter the case's URN (like 01/AB/12345/24) or its case id"))
    elif case_id is None:
        try:
            case_id = await prosecution_service.case_id_for_urn(db, form["case_id"], "case_id")
        except ValidationFailed as exc:
            errors += exc.errors
    if not form["hearing_type_code"]:
        errors.append(FieldError("hearing_type_code", "Choose a type of hearing"))
    starts_at, time_errors = _form_time(form["day"], form["time"], "day", "time")
    errors += time_errors
    if errors:
        return await _listing_form(request, db, actor, form, errors)
    assert case_id is not None and starts_at is not None
    body = HearingListIn(
        case_id=case_id,
        court_unit_code=form["court_unit_code"],
        hearing_type_code=form["hearing_type_code"],
        starts_at=starts_at,
        courtroom=form["courtroom"],
    )
    try:
        hearing_id = await service.list_hearing(db, actor, body)
    except ValidationFailed as exc:
        return await _listing_form(
            request, db, actor, form, _moved(exc.errors, lambda f: "day" if f == "starts_at" else f)
        )
    return RedirectResponse(f"/courts/hearings/{hearing_id}?done=listed", status_code=303)


# -- a hearing and its results ------------------------------------------------------------------------


async def _readiness(db: DbSession, hearing: HearingOut) -> Any:
    """The prosecution's readiness for this hearing, when its type has a checklist."""
    if hearing.hearing_type == rules.HearingType.OTHER or hearing.status != rules.HearingStatus.LISTED:
        return None
    found = await prosecution_service.case_readiness(
        db, hearing.case_id, hearing.hearing_type, service.london_date(hearing.starts_at)
    )
    return found.readiness


async def _hearing_page(
    request: Request,
    db: DbSession,
    actor: Actor,
    hearing_id: int,
    errors: list[FieldError] | None = None,
    form: dict[str, str] | None = None,
    done: str = "",
) -> Response:
    hearing = await service.get_hearing(db, actor, hearing_id)
    plea_codes = await service.codes(db, "plea-status")
    remand_codes = await service.codes(db, "remand-status")
    convicted = {
        d.defendant_id: [c for c in d.charges if c.outcome and rules.ChargeOutcome(c.outcome).is_conviction]
        for d in hearing.defendants
    }
    before_court = [c for d in hearing.defendants for c in d.charges if c.before_court]
    context: dict[str, Any] = {
        "page_title": f"Hearing {hearing.id}: {hearing.urn}",
        "hearing": hearing,
        "readiness": await _readiness(db, hearing),
        "readiness_tags": READINESS_TAGS,
        "status_tag": HEARING_STATUS_TAGS.get(hearing.status, (label(hearing.status), "")),
        "can_write": service.can_enter_results(actor, hearing),
        "is_trial": hearing.hearing_type == rules.HearingType.TRIAL,
        "before_court": before_court,
        "convicted": convicted,
        "plea_options": [(code, f"{text} ({code})") for code, text in plea_codes.items()],
        "remand_options": [(code, f"{text} ({code})") for code, text in remand_codes.items()],
        "outcome_options": [(o.value, label(o.value)) for o in rules.ChargeOutcome],
        "reason_options": [(r.value, label(r.value)) for r in rules.DiscontinuanceReason],
        "adjourn_options": _enum_options(rules.AdjournmentReason, (form or {}).get("reason", ""), "Choose a reason"),
        "effectiveness_options": [(e.value, label(e.value)) for e in rules.TrialEffectiveness],
        "trial_reason_options": _enum_options(rules.TrialReason, (form or {}).get("trial_reason", ""), "No reason"),
        "relation_options": [(r.value, label(r.value)) for r in rules.TermRelation],
        "form": form or {},
        "field_errors": field_errors(errors or []),
        "label": label,
        "done": done,
    }
    if errors:
        context["errors"] = error_list(errors)
        return render(request, "courts/hearing.html", context, status_code=400)
    return render(request, "courts/hearing.html", context)


@router.get("/hearings/{hearing_id}")
async def hearing_page(request: Request, db: DbSession, actor: Reader, hearing_id: int, done: str = "") -> Response:
    return await _hearing_page(request, db, actor, hearing_id, done=done)


async def _submit(
    request: Request,
    db: DbSession,
    actor: Actor,
    hearing_id: int,
    form: dict[str, str],
    write: Callable[[], Any],
    to_page_field: Callable[[str], str],
    done: str,
    errors: list[FieldError] | None = None,
) -> Response:
    """Run a results write; on refusal show the hearing again with the errors on this page's fields.
    The service validates everything before it writes, so a refusal leaves nothing to roll back."""
    if not errors:
        try:
            await write()
        except ValidationFailed as exc:
            errors = exc.errors
        except ValidationError as exc:
            errors = _pydantic_errors(exc)
    if errors:
        return await _hearing_page(request, db, actor, hearing_id, _moved(errors, to_page_field), form)
    return RedirectResponse(f"/courts/hearings/{hearing_id}?done={done}", status_code=303)


async def _form(request: Request) -> dict[str, str]:
    raw = await request.form()
    return {k: str(v) for k, v in raw.items() if k != "csrf_token"}


def _indexed(prefix: str, rows: list[str]) -> Callable[[str], str]:
    """``prefix.N.field`` from the body (N counting only the rows sent) → ``prefix-ROW-field``."""

    def move(field: str) -> str:
        parts = field.split(".")
        if len(parts) >= 2 and parts[0] == prefix and parts[1].isdigit() and int(parts[1]) < len(rows):
            return "-".join([prefix, rows[int(parts[1])], *parts[2:]])
        return field

    return move


@router.post("/hearings/{hearing_id}/pleas")
async def post_pleas(request: Request, db: DbSession, actor: Writer, hearing_id: int) -> Response:
    form = await _form(request)
    rows = sorted({k.split("-")[1] for k in form if k.startswith("pleas-")}, key=int)
    sent = [r for r in rows if form.get(f"pleas-{r}-plea_code")]
    errors = [] if sent else [FieldError("pleas", "Choose a plea for at least one charge")]

    async def write() -> None:
        body = PleasIn(
            pleas=[
                PleaIn(
                    charge_id=_int(form.get(f"pleas-{r}-charge_id", "")) or 0, plea_code=form[f"pleas-{r}-plea_code"]
                )
                for r in sent
            ]
        )
        await service.record_pleas(db, actor, hearing_id, body)

    return await _submit(request, db, actor, hearing_id, form, write, _indexed("pleas", sent), "pleas", errors)


@router.post("/hearings/{hearing_id}/outcomes")
async def post_outcomes(request: Request, db: DbSession, actor: Writer, hearing_id: int) -> Response:
    form = await _form(request)
    rows = sorted({k.split("-")[1] for k in form if k.startswith("results-")}, key=int)
    sent = [r for r in rows if form.get(f"results-{r}-outcome")]
    errors = [] if sent else [FieldError("results", "Choose an outcome for at least one charge")]

    async def write() -> None:
        body = ResultsIn(
            results=[
                ChargeResultIn(
                    charge_id=_int(form.get(f"results-{r}-charge_id", "")) or 0,
                    outcome=rules.ChargeOutcome(form[f"results-{r}-outcome"]),
                    reason=rules.DiscontinuanceReason(form[f"results-{r}-reason"])
                    if form.get(f"results-{r}-reason")
                    else None,
                )
                for r in sent
            ]
        )
        await service.record_outcomes(db, actor, hearing_id, body)

    return await _submit(request, db, actor, hearing_id, form, write, _indexed("results", sent), "outcomes", errors)


@router.post("/hearings/{hearing_id}/remands")
async def post_remand(request: Request, db: DbSession, actor: Writer, hearing_id: int) -> Response:
    form = await _form(request)
    defendant = form.get("defendant_id", "")
    errors = [] if form.get("remand_code") else [FieldError("remand_code", "Choose the remand decision")]

    async def write() -> None:
        body = RemandIn(
            defendant_id=_int(defendant) or 0,
            remand_code=form["remand_code"],
            conditions=form.get("conditions") or None,
        )
        await service.record_remand(db, actor, hearing_id, body)

    def move(field: str) -> str:
        return f"remand-{defendant}-{field}"

    return await _submit(request, db, actor, hearing_id, form, write, move, "remand", errors)


@router.post("/hearings/{hearing_id}/trial")
async def post_trial(request: Request, db: DbSession, actor: Writer, hearing_id: int) -> Response:
    form = await _form(request)
    errors = [] if form.get("effectiveness") else [FieldError("effectiveness", "Say whether the trial was effective")]

    async def write() -> None:
        body = TrialOutcomeIn(
            effectiveness=rules.TrialEffectiveness(form["effectiveness"]),
            reason=rules.TrialReason(form["trial_reason"]) if form.get("trial_reason") else None,
        )
        await service.record_trial_outcome(db, actor, hearing_id, body)

    def move(field: str) -> str:
        return f"trial-{field}"

    return await _submit(request, db, actor, hearing_id, form, write, move, "trial", errors)


@router.post("/hearings/{hearing_id}/adjourn")
async def post_adjourn(request: Request, db: DbSession, actor: Writer, hearing_id: int) -> Response:
    form = await _form(request)
    errors: list[FieldError] = []
    if not form.get("reason"):
        errors.append(FieldError("reason", "Choose why the hearing was adjourned"))
    relist: RelistIn | None = None
    if form.get("relist_day") or form.get("relist_time"):
        starts_at, time_errors = _form_time(
            form.get("relist_day", ""), form.get("relist_time", ""), "relist.day", "relist.time"
        )
        errors += time_errors
        if starts_at is not None:
            relist = RelistIn(starts_at=starts_at, courtroom=form.get("relist_courtroom", ""))

    async def write() -> None:
        body = AdjournIn(reason=rules.AdjournmentReason(form["reason"]), note=form.get("note") or None, relist=relist)
        await service.adjourn_hearing(db, actor, hearing_id, body)

    def move(field: str) -> str:
        field = field.replace("relist.starts_at", "relist.day")
        return f"adjourn-{field.replace('.', '_')}"

    return await _submit(request, db, actor, hearing_id, form, write, move, "adjourned", errors)


@router.post("/hearings/{hearing_id}/relist")
async def post_relist(request: Request, db: DbSession, actor: Writer, hearing_id: int) -> Response:
    form = await _form(request)
    starts_at, errors = _form_time(form.get("relist_day", ""), form.get("relist_time", ""), "day", "time")

    def move(field: str) -> str:
        return "relist-" + ("day" if field == "starts_at" else field)

    if errors or starts_at is None:
        return await _submit(request, db, actor, hearing_id, form, _noop, move, "relisted", errors)
    body = RelistIn(
        starts_at=starts_at, courtroom=form.get("relist_courtroom", ""), court_unit_code=form.get("court") or None
    )
    try:
        new_id = await service.relist_hearing(db, actor, hearing_id, body)
    except ValidationFailed as exc:
        return await _hearing_page(request, db, actor, hearing_id, _moved(exc.errors, move), form)
    return RedirectResponse(f"/courts/hearings/{new_id}?done=relisted", status_code=303)


async def _noop() -> None:
    return None


# -- sentences -----------------------------------------------------------------------------------------

# Requirement fields on the sentence form: (kind, the form field that turns it on, body fields).
REQUIREMENT_FIELDS: list[tuple[rules.RequirementKind, str, dict[str, str]]] = [
    (rules.RequirementKind.UNPAID_WORK, "unpaid_work_hours", {"hours": "unpaid_work_hours"}),
    (rules.RequirementKind.REHABILITATION_ACTIVITY, "rar_days", {"days": "rar_days"}),
    (rules.RequirementKind.PROGRAMME, "programme_days", {"days": "programme_days", "detail": "programme_name"}),
    (
        rules.RequirementKind.CURFEW,
        "curfew_hours",
        {"hours_per_day": "curfew_hours", "days_per_week": "curfew_days", "period": "curfew_months"},
    ),
    (
        rules.RequirementKind.EXCLUSION,
        "exclusion_months",
        {"period": "exclusion_months", "detail": "exclusion_place"},
    ),
    (rules.RequirementKind.DRUG_REHABILITATION, "drug_months", {"period": "drug_months"}),
    (rules.RequirementKind.ALCOHOL_TREATMENT, "alcohol_months", {"period": "alcohol_months"}),
]


def _months(value: str) -> dict[str, int]:
    return {"months": _int(value) or 0}


def sentence_body(form: dict[str, str], charge_ids: list[int]) -> tuple[dict[str, Any], Callable[[str], str]]:
    """The sentence request body from the simple form, and how its field paths map back to the
    form's fields. One kind of sentence per submission; terms, fines and discharges per charge."""
    d = form.get("defendant_id", "")
    kind = form.get("kind", "")

    def fid(name: str) -> str:
        return f"s{d}-{name}"

    requirements: list[dict[str, Any]] = []
    requirement_fields: list[dict[str, str]] = []
    for req_kind, trigger, fields in REQUIREMENT_FIELDS:
        if not form.get(trigger, "").strip():
            continue
        req: dict[str, Any] = {"kind": req_kind.value}
        for key, name in fields.items():
            value = form.get(name, "")
            req[key] = _months(value) if key == "period" else value.strip() if key == "detail" else _int(value) or 0
        requirements.append(req)
        requirement_fields.append(fields)
    term_charges = [c for c in charge_ids if form.get(f"term-{c}-months", "").strip()]
    terms = [
        {
            "charge_id": c,
            "length": _months(form[f"term-{c}-months"]),
            "relation": form.get(f"term-{c}-relation") or "concurrent",
            "consecutive_to": _int(form.get(f"term-{c}-after", "")),
        }
        for c in term_charges
    ]
    per_charge: list[int] = []
    disposals: list[dict[str, Any]]
    if kind == "custodial":
        disposals = [{"kind": "custodial", "terms": terms}]
    elif kind == "suspended":
        disposals = [
            {
                "kind": "suspended",
                "terms": terms,
                "operational_period": _months(form.get("operational_months", "")),
                "requirements": requirements,
            }
        ]
    elif kind == "community_order":
        disposals = [
            {
                "kind": "community_order",
                "charge_ids": charge_ids,
                "length": _months(form.get("order_months", "")),
                "requirements": requirements,
            }
        ]
    elif kind == "fine":
        per_charge = [c for c in charge_ids if form.get(f"fine-{c}", "").strip()]
        disposals = [{"kind": "fine", "charge_id": c, "amount_pence": _pence(form[f"fine-{c}"])} for c in per_charge]
    elif kind == "discharge":
        per_charge = [c for c in charge_ids if form.get(f"discharge-{c}")]
        disposals = [
            {
                "kind": "discharge",
                "charge_id": c,
                "discharge": form[f"discharge-{c}"],
                "period": _months(form.get(f"discharge-{c}-months", "")),
            }
            for c in per_charge
        ]
    else:
        disposals = []

    def move(field: str) -> str:
        parts = field.split(".")
        if parts[:1] != ["disposals"] or len(parts) < 3 or not parts[1].isdigit():
            return fid("kind")
        i, rest = int(parts[1]), parts[2:]
        if rest[0] == "terms" and len(rest) >= 3 and int(rest[1]) < len(term_charges):
            charge = term_charges[int(rest[1])]
            return fid(f"term-{charge}-after" if rest[2] == "consecutive_to" else f"term-{charge}-months")
        if rest[0] == "terms":
            return fid(f"term-{charge_ids[0]}-months") if charge_ids else fid("kind")
        if rest[0] == "requirements" and len(rest) >= 3 and int(rest[1]) < len(requirement_fields):
            fields = requirement_fields[int(rest[1])]
            return fid(fields.get(rest[2], next(iter(fields.values()))))
        if rest[0] == "requirements":
            return fid("unpaid_work_hours")
        if rest[0] == "operational_period":
            return fid("operational_months")
        if rest[0] == "length":
            return fid("order_months")
        if kind == "fine" and i < len(per_charge):
            return fid(f"fine-{per_charge[i]}")
        if kind == "discharge" and i < len(per_charge):
            return fid(f"discharge-{per_charge[i]}-months" if rest[0] == "period" else f"discharge-{per_charge[i]}")
        return fid("kind")

    return {"defendant_id": _int(d) or 0, "disposals": disposals}, move


def _pence(pounds: str) -> int:
    try:
        return round(float(pounds.strip().lstrip("£").replace(",", "")) * 100)
    except ValueError:
        return -1  # refused by the schema: "Input should be greater than or equal to 0"


@router.post("/hearings/{hearing_id}/sentences")
async def post_sentence(request: Request, db: DbSession, actor: Writer, hearing_id: int) -> Response:
    form = await _form(request)
    charge_ids = sorted(
        {int(m.group(1)) for k in form if (m := re.fullmatch(r"charge-(\d+)", k))},
    )
    body, move = sentence_body(form, charge_ids)
    d = form.get("defendant_id", "")
    errors = [] if form.get("kind") else [FieldError(f"s{d}-kind", "Choose the kind of sentence")]

    async def write() -> None:
        await service.impose_sentence(db, actor, hearing_id, SentenceIn.model_validate(body))

    return await _submit(
        request, db, actor, hearing_id, form, write, lambda f: f if f.startswith("s") else move(f), "sentence", errors
    )
