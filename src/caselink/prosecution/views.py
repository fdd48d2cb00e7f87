"""Prosecution pages: the police case builder's files and the case file form (matching suspects
before creating them), the CPS lawyer's and area's case lists by next hearing with readiness, the
case page with its actions (allocation, IDPC, disclosure, readiness ticks, discontinuance) and the
charging decision form. Thin: parse the form, call the service, render."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from caselink.courts import service as courts_service
from caselink.courts.rules import DiscontinuanceReason
from caselink.db.session import DbSession
from caselink.organisations.models import OrganisationUnit
from caselink.people.rules import urn_display
from caselink.people.timeline import register_timeline_link
from caselink.platform.access import Actor, requires
from caselink.platform.access.policy import has_permission
from caselink.platform.errors import Conflict, FieldError, ValidationFailed
from caselink.prosecution import rules, service
from caselink.prosecution.models import DisclosureStep
from caselink.prosecution.schemas import (
    AllocationIn,
    AreaChecklistChangeIn,
    CaseFileIn,
    ChargingDecisionIn,
    DisclosureStepIn,
    DiscontinuanceIn,
    ServedIn,
)
from caselink.web.pagination import pagination
from caselink.web.templating import NavItem, error_list, field_errors, register_nav_item, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, Depends(requires("prosecution:read"))]
Filer = Annotated[Actor, Depends(requires("prosecution:file"))]
Charger = Annotated[Actor, Depends(requires("prosecution:charge"))]
Manager = Annotated[Actor, Depends(requires("prosecution:manage"))]
Configurer = Annotated[Actor, Depends(requires("prosecution:configure"))]

OFFENCE_ROWS = 3  # blank offence rows on the case file form; empty rows are ignored
CUSTODY_LABELS = {
    "in_custody": "In custody",
    "conditional_bail": "Conditional bail",
    "unconditional_bail": "Unconditional bail",
    "released_under_investigation": "Released under investigation",
    "not_arrested": "Not arrested",
}
READINESS_TAGS = {
    rules.ReadinessStatus.READY: ("Ready", "govuk-tag--green"),
    rules.ReadinessStatus.AT_RISK: ("At risk", "govuk-tag--yellow"),
    rules.ReadinessStatus.NOT_READY: ("Not ready", "govuk-tag--red"),
}


register_nav_item(NavItem("Cases", "/prosecution", permission="prosecution:read", order=20))
# Prosecution events on a person's timeline open the case page.
register_timeline_link("prosecution.", "/prosecution/cases/{caseId}")


def label(value: str | None) -> str:
    return (value or "").replace("_", " ").capitalize()


def readiness_tag(status: Any) -> dict[str, str] | None:
    if status is None:
        return None
    text, classes = READINESS_TAGS[rules.ReadinessStatus(status)]
    return {"text": text, "classes": classes}


HELPERS = {"label": label, "readiness_tag": readiness_tag, "urn_display": urn_display}


def _page_number(page: str) -> int:
    return int(page) if page.isdigit() and 0 < int(page) <= 10_000 else 1


def _errors(errors: list[FieldError]) -> dict[str, Any]:
    return {"errors": error_list(errors), "field_errors": field_errors(errors)}


def _pydantic_errors(exc: ValidationError) -> list[FieldError]:
    return [
        FieldError(".".join(str(p) for p in e["loc"]), e["msg"].removeprefix("Value error, ")) for e in exc.errors()
    ]


def _date(value: str, path: str, errors: list[FieldError]) -> str | None:
    """A date box (YYYY-MM-DD, or DD/MM/YYYY) as ISO text; empty is none."""
    text = value.strip()
    if not text:
        return None
    try:
        if "/" in text:
            day, month, year = (int(p) for p in text.split("/"))
            return date(year, month, day).isoformat()
        return date.fromisoformat(text).isoformat()
    except ValueError:
        errors.append(FieldError(path, "Enter a real date, like 27/3/2025"))
        return None


def _int(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


# --- landing and lists ---------------------------------------------------------------------------


@router.get("/prosecution")
async def landing(actor: Reader) -> Response:
    target = "/prosecution/case-files" if has_permission(actor, "prosecution:file") else "/prosecution/cases"
    return RedirectResponse(target, status_code=303)


@router.get("/prosecution/case-files")
async def case_files(request: Request, db: DbSession, actor: Reader, page: str = "1") -> Response:
    number = _page_number(page)
    try:
        files = await service.police_files(db, actor, number, 25)
    except ValidationFailed as exc:
        return render(request, "prosecution/case_files.html", {"page_title": "Case files", **_errors(exc.errors)}, 400)
    plans = await service.open_action_plans(db, actor)
    return render(
        request,
        "prosecution/case_files.html",
        {
            "page_title": "Case files",
            "files": files,
            "plans": plans,
            "can_file": has_permission(actor, "prosecution:file"),
            "pagination": pagination(request, files.page, files.pages),
            **HELPERS,
        },
    )


@router.get("/prosecution/cases")
async def cases(request: Request, db: DbSession, actor: Reader, scope: str = "mine", page: str = "1") -> Response:
    scope = "area" if scope == "area" else "mine"
    try:
        found = await service.lawyer_cases(db, actor, _page_number(page), 25, scope)
    except ValidationFailed as exc:
        context = {"page_title": "Cases", "scope": scope, **_errors(exc.errors)}
        return render(request, "prosecution/cases.html", context, 400)
    return render(
        request,
        "prosecution/cases.html",
        {
            "page_title": "My cases" if scope == "mine" else "Cases in my area",
            "scope": scope,
            "found": found,
            "pagination": pagination(request, found.page, found.pages),
            **HELPERS,
        },
    )


# --- case file form ------------------------------------------------------------------------------


async def _form_units(db: DbSession, actor: Actor) -> dict[str, Any]:
    """The CPS areas to choose from and the builder's own unit and force as defaults."""
    areas = (
        await db.execute(
            select(OrganisationUnit.id, OrganisationUnit.name)
            .where(OrganisationUnit.kind == "cps_area", OrganisationUnit.active.is_(True))
            .order_by(OrganisationUnit.name)
        )
    ).all()
    unit = await db.get(OrganisationUnit, actor.unit_id) if actor.unit_id else None
    force_id = None
    if unit is not None:
        force_id = unit.id if unit.kind == "police_force" else unit.parent_id
    return {
        "areas": [{"value": "", "text": "Choose the CPS area"}] + [{"value": str(a.id), "text": a.name} for a in areas],
        "default_unit": str(actor.unit_id or ""),
        "default_force": str(force_id or ""),
    }


def _blank_form(units: dict[str, Any]) -> dict[str, str]:
    return {"police_unit_id": units["default_unit"], "police_force_unit_id": units["default_force"]}


def _case_file_body(form: dict[str, str]) -> tuple[dict[str, Any], list[FieldError]]:
    """The form's flat fields as the API's case file body (one suspect, up to three offences, one
    witness, one victim, one material item; blank optional rows are left out)."""
    errors: list[FieldError] = []
    g = form.get
    offences = []
    for j in range(OFFENCE_ROWS):
        p = f"suspects.0.offences.{j}"
        code, wording = g(f"{p}.offence_code", "").strip(), g(f"{p}.wording", "").strip()
        start, end = g(f"{p}.offence_date_from", ""), g(f"{p}.offence_date_to", "")
        if j > 0 and not (code or wording or start.strip() or end.strip()):
            continue
        offences.append(
            {
                "offence_code": code,
                "wording": wording,
                "offence_date_from": _date(start, f"{p}.offence_date_from", errors),
                "offence_date_to": _date(end, f"{p}.offence_date_to", errors),
            }
        )
    suspect: dict[str, Any] = {
        "custody_status": g("suspects.0.custody_status", ""),
        "bail_conditions": g("suspects.0.bail_conditions", "").strip() or None,
        "offences": offences,
    }
    choice = g("suspects.0.choice", "")
    person_id = _int(choice) if choice not in ("", "new") else _int(g("suspects.0.person_id", ""))
    if person_id is not None:
        suspect["person_id"] = person_id
    else:
        suspect["new_person"] = {
            "given_name": g("suspects.0.new_person.given_name", ""),
            "family_name": g("suspects.0.new_person.family_name", ""),
            "date_of_birth": _date(
                g("suspects.0.new_person.date_of_birth", ""), "suspects.0.new_person.date_of_birth", errors
            ),
            "confirm_new": choice == "new",
            "reason": g("suspects.0.new_person.reason", "").strip() or None,
        }
    body: dict[str, Any] = {
        "urn": g("urn", ""),
        "police_force_unit_id": _int(g("police_force_unit_id", "")) or 0,
        "police_unit_id": _int(g("police_unit_id", "")) or 0,
        "cps_area_unit_id": _int(g("cps_area_unit_id", "")) or 0,
        "officer_in_case_name": g("officer_in_case_name", ""),
        "officer_in_case_number": g("officer_in_case_number", "").strip() or None,
        "summary": g("summary", "").strip() or None,
        "suspects": [suspect],
        "material": [],
        "witnesses": [],
        "victims": [],
    }
    if g("material.0.title", "").strip():
        body["material"].append(
            {"kind": g("material.0.kind", "other"), "title": g("material.0.title", ""), "reference": None}
        )
    if g("witnesses.0.name", "").strip():
        measures = [m for m in form.get("witnesses.0.special_measures", "").split(",") if m]
        body["witnesses"].append(
            {
                "name": g("witnesses.0.name", ""),
                "kind": g("witnesses.0.kind", "civilian"),
                "special_measures": measures,
                "dates_to_avoid": g("witnesses.0.dates_to_avoid", "").strip() or None,
            }
        )
    if g("victims.0.name", "").strip():
        body["victims"].append(
            {
                "name": g("victims.0.name", ""),
                "contact": g("victims.0.contact", "").strip() or None,
                "vulnerable_or_intimidated": g("victims.0.vulnerable_or_intimidated") == "yes",
            }
        )
    return body, errors


def _form_context(units: dict[str, Any], form: dict[str, str]) -> dict[str, Any]:
    return {
        "page_title": "Submit a case file",
        "form": form,
        "offence_rows": range(OFFENCE_ROWS),
        "custody_items": [{"value": k, "text": v} for k, v in CUSTODY_LABELS.items()],
        "material_kinds": sorted(service.MATERIAL_KINDS),
        "witness_kinds": sorted(service.WITNESS_KINDS),
        "special_measures": sorted(service.SPECIAL_MEASURES),
        **units,
        **HELPERS,
    }


@router.get("/prosecution/case-files/new")
async def new_case_file(request: Request, db: DbSession, actor: Filer) -> Response:
    units = await _form_units(db, actor)
    return render(request, "prosecution/case_file_form.html", _form_context(units, _blank_form(units)))


@router.post("/prosecution/case-files/new")
async def submit_case_file(request: Request, db: DbSession, actor: Filer) -> Response:
    raw = await request.form()
    form = {k: str(v) for k, v in raw.items() if k != "csrf_token"}
    form["witnesses.0.special_measures"] = ",".join(str(v) for v in raw.getlist("witnesses.0.special_measures"))
    units = await _form_units(db, actor)
    body, errors = _case_file_body(form)
    try:
        if errors:
            raise ValidationFailed(errors)
        try:
            parsed = CaseFileIn.model_validate(body)
        except ValidationError as exc:
            raise ValidationFailed(_pydantic_errors(exc)) from None
        case_id = await service.submit_case_file(db, actor, parsed)
    except ValidationFailed as exc:
        return render(
            request, "prosecution/case_file_form.html", {**_form_context(units, form), **_errors(exc.errors)}, 400
        )
    except Conflict as exc:
        candidates = [c for s in exc.extra.get("suspects", []) for c in s["candidates"]]  # type: ignore[attr-defined]
        names = await courts_service.person_names(db, (c["person_id"] for c in candidates))
        matches = [
            {
                "person_id": c["person_id"],
                "name": names.get(c["person_id"], "Name not known"),
                "score": c["score"],
                "reasons": c["reasons"],
            }
            for c in candidates
        ]
        return render(
            request,
            "prosecution/case_file_form.html",
            {**_form_context(units, form), "matches": matches, "conflict": exc.detail},
            409,
        )
    return RedirectResponse(f"/prosecution/cases/{case_id}", status_code=303)


# --- the case page and its actions ---------------------------------------------------------------


async def _case_page(
    request: Request,
    db: DbSession,
    actor: Actor,
    case_id: int,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Response:
    found = await service.get_case(db, actor, case_id)
    hearings = await courts_service.case_hearings(db, case_id)
    names = {d.id: name for d, name in found.defendants}
    return render(
        request,
        "prosecution/case.html",
        {
            "page_title": f"Case {urn_display(found.case.urn)}",
            "r": found,
            "c": found.case,
            "names": names,
            "hearings": hearings,
            "readiness_status": found.readiness.readiness.status if found.readiness else None,
            "can_manage": has_permission(actor, "prosecution:manage"),
            "can_charge": has_permission(actor, "prosecution:charge"),
            "disclosure_items": [{"value": s.value, "text": s.label} for s in DisclosureStep],
            "reason_items": [{"value": r.value, "text": label(r.value)} for r in DiscontinuanceReason],
            **HELPERS,
            **_errors(errors or []),
        },
        status_code,
    )


@router.get("/prosecution/cases/{case_id}")
async def case_page(request: Request, db: DbSession, actor: Reader, case_id: int) -> Response:
    return await _case_page(request, db, actor, case_id)


async def _act(request: Request, db: DbSession, actor: Actor, case_id: int, action: Any) -> Response:
    """Run one case action; on bad input show the case page again with the error summary."""
    try:
        await action()
    except ValidationFailed as exc:
        await db.rollback()
        return await _case_page(request, db, actor, case_id, exc.errors, 400)
    except ValidationError as exc:
        return await _case_page(request, db, actor, case_id, _pydantic_errors(exc), 400)
    return RedirectResponse(f"/prosecution/cases/{case_id}", status_code=303)


async def _fields(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items() if k != "csrf_token"}


@router.post("/prosecution/cases/{case_id}/allocation")
async def allocate(request: Request, db: DbSession, actor: Manager, case_id: int) -> Response:
    f = await _fields(request)

    async def run() -> None:
        body = AllocationIn(lawyer_id=_int(f.get("lawyer_id", "")), paralegal_id=_int(f.get("paralegal_id", "")))
        await service.allocate(db, actor, case_id, body)

    return await _act(request, db, actor, case_id, run)


@router.post("/prosecution/cases/{case_id}/idpc")
async def idpc(request: Request, db: DbSession, actor: Manager, case_id: int) -> Response:
    f = await _fields(request)

    async def run() -> None:
        errors: list[FieldError] = []
        served_on = _date(f.get("served_on", ""), "served_on", errors)
        if errors:
            raise ValidationFailed(errors)
        body = ServedIn.model_validate({"served_on": served_on, "note": f.get("note") or None})
        await service.record_idpc_served(db, actor, case_id, body)

    return await _act(request, db, actor, case_id, run)


@router.post("/prosecution/cases/{case_id}/pre-sentence-report")
async def pre_sentence_report(request: Request, db: DbSession, actor: Manager, case_id: int) -> Response:
    f = await _fields(request)

    async def run() -> None:
        errors: list[FieldError] = []
        requested_on = _date(f.get("requested_on", ""), "requested_on", errors)
        if errors:
            raise ValidationFailed(errors)
        body = ServedIn.model_validate({"served_on": requested_on})
        try:
            await service.record_pre_sentence_report_requested(db, actor, case_id, body)
        except ValidationFailed as exc:  # the service names the shared date field served_on
            raise ValidationFailed([FieldError("requested_on", e.message) for e in exc.errors]) from None

    return await _act(request, db, actor, case_id, run)


@router.post("/prosecution/cases/{case_id}/antecedents")
async def antecedents(request: Request, db: DbSession, actor: Manager, case_id: int) -> Response:
    async def run() -> None:
        await service.record_antecedents_served(db, actor, case_id, ServedIn())

    return await _act(request, db, actor, case_id, run)


@router.post("/prosecution/cases/{case_id}/victims/{victim_id}/personal-statement")
async def victim_personal_statement(
    request: Request, db: DbSession, actor: Manager, case_id: int, victim_id: int
) -> Response:
    f = await _fields(request)

    async def run() -> None:
        await service.record_victim_personal_statement(db, actor, victim_id, f.get("personal_statement", ""))

    return await _act(request, db, actor, case_id, run)


@router.post("/prosecution/cases/{case_id}/disclosure")
async def disclosure(request: Request, db: DbSession, actor: Manager, case_id: int) -> Response:
    f = await _fields(request)

    async def run() -> None:
        errors: list[FieldError] = []
        done_on = _date(f.get("done_on", ""), "done_on", errors)
        if errors:
            raise ValidationFailed(errors)
        body = DisclosureStepIn.model_validate({"step": f.get("step", ""), "done_on": done_on})
        await service.record_disclosure_step(db, actor, case_id, body)

    return await _act(request, db, actor, case_id, run)


@router.post("/prosecution/cases/{case_id}/readiness-ticks")
async def tick(request: Request, db: DbSession, actor: Manager, case_id: int) -> Response:
    f = await _fields(request)

    async def run() -> None:
        await service.tick_readiness_item(
            db, actor, case_id, f.get("hearing_type", ""), f.get("item_id", ""), f.get("ticked") != "no"
        )

    return await _act(request, db, actor, case_id, run)


@router.post("/prosecution/cases/{case_id}/witnesses/{witness_id}/warned")
async def witness_warned(request: Request, db: DbSession, actor: Manager, case_id: int, witness_id: int) -> Response:
    async def run() -> None:
        await service.update_witness(db, actor, witness_id, warned=True)

    return await _act(request, db, actor, case_id, run)


@router.post("/prosecution/cases/{case_id}/charges/{charge_id}/discontinuance")
async def discontinue(request: Request, db: DbSession, actor: Charger, case_id: int, charge_id: int) -> Response:
    f = await _fields(request)

    async def run() -> None:
        body = DiscontinuanceIn.model_validate(
            {"outcome": f.get("outcome", ""), "reason": f.get("reason", ""), "note": f.get("note") or None}
        )
        await service.stop_charge(db, actor, charge_id, body)

    return await _act(request, db, actor, case_id, run)


# --- charging decision ---------------------------------------------------------------------------


def _decision_context(found: service.CaseRecord, form: dict[str, str]) -> dict[str, Any]:
    names = {d.id: name for d, name in found.defendants}
    proposed = [
        {"value": str(ch.id), "text": f"{names.get(ch.defendant_id, '')}: {ch.offence_code} {title or ''}".strip()}
        for ch, title in found.charges
        if ch.status == "proposed"
    ]
    return {
        "page_title": f"Charging decision: {urn_display(found.case.urn)}",
        "c": {"id": found.case.id, "urn": found.case.urn},  # plain values: they outlive a rollback
        "proposed": proposed,
        "form": form,
        "outcome_items": [{"value": o.value, "text": label(o.value)} for o in rules.ChargingOutcome],
        "nfa_items": [{"value": "", "text": "Not applicable"}]
        + [{"value": n.value, "text": label(n.value)} for n in rules.NfaReason],
        "disposal_items": [{"value": "", "text": "Not applicable"}]
        + [{"value": d.value, "text": label(d.value)} for d in rules.OutOfCourtDisposal],
        **HELPERS,
    }


@router.get("/prosecution/cases/{case_id}/charging-decision")
async def decision_form(request: Request, db: DbSession, actor: Charger, case_id: int) -> Response:
    found = await service.get_case(db, actor, case_id)
    return render(request, "prosecution/charging_decision.html", _decision_context(found, {}))


def _decision_body(found: service.CaseRecord, f: dict[str, str]) -> tuple[dict[str, Any], list[FieldError]]:
    """One proposed offence per submission: the page lists what is still awaiting a decision."""
    errors: list[FieldError] = []
    charge_id = _int(f.get("proposed_charge_id", ""))
    defendant_id = next((ch.defendant_id for ch, _ in found.charges if ch.id == charge_id), 0)
    if charge_id is None:
        errors.append(FieldError("proposed_charge_id", "Choose the offence you are deciding on"))
    laid = []
    if f.get("charge_code", "").strip() or f.get("charge_wording", "").strip():
        laid.append({"offence_code": f.get("charge_code", ""), "wording": f.get("charge_wording", "")})
    offence = {
        "proposed_charge_id": charge_id or 0,
        "evidential": f.get("evidential", ""),
        "public_interest": f.get("public_interest", ""),
        "outcome": f.get("outcome", ""),
        "charges": laid,
        "nfa_reason": f.get("nfa_reason") or None,
        "action_plan_due": _date(f.get("action_plan_due", ""), "action_plan_due", errors),
        "action_plan_actions": [a for a in f.get("action_plan_actions", "").splitlines() if a.strip()],
        "disposal": f.get("disposal") or None,
    }
    body = {"reasons": f.get("reasons", ""), "suspects": [{"defendant_id": defendant_id, "offences": [offence]}]}
    return body, errors


# The service's paths name the nested body; the form's fields are flat.
_DECISION_FIELDS = {
    "suspects.0.defendant_id": "proposed_charge_id",
    "suspects.0.offences.0.proposed_charge_id": "proposed_charge_id",
    "suspects.0.offences.0.charges.0.offence_code": "charge_code",
    "suspects.0.offences.0.charges.0.wording": "charge_wording",
    "suspects.0.offences.0.charges": "charge_code",
}


def _flat(errors: list[FieldError]) -> list[FieldError]:
    flat = []
    for e in errors:
        name = _DECISION_FIELDS.get(e.field, e.field.removeprefix("suspects.0.offences.0."))
        flat.append(FieldError(name, e.message))
    return flat


@router.post("/prosecution/cases/{case_id}/charging-decision")
async def record_decision(request: Request, db: DbSession, actor: Charger, case_id: int) -> Response:
    f = await _fields(request)
    found = await service.get_case(db, actor, case_id)
    body, errors = _decision_body(found, f)
    # Built now: the rollback after a refusal expires the case's rows.
    context = _decision_context(found, f)
    try:
        if errors:
            raise ValidationFailed(errors)
        try:
            parsed = ChargingDecisionIn.model_validate(body)
        except ValidationError as exc:
            raise ValidationFailed(_pydantic_errors(exc)) from None
        await service.record_charging_decision(db, actor, case_id, parsed)
    except ValidationFailed as exc:
        await db.rollback()
        return render(request, "prosecution/charging_decision.html", {**context, **_errors(_flat(exc.errors))}, 400)
    return RedirectResponse(f"/prosecution/cases/{case_id}", status_code=303)


# --- readiness checklists per CPS area -----------------------------------------------------------


register_nav_item(
    NavItem("Readiness checklists", "/prosecution/readiness-config", permission="prosecution:configure", order=95)
)


async def _areas_in_reach(db: DbSession, actor: Actor) -> list[OrganisationUnit]:
    """The CPS areas an administrator may configure: those of their own region (or their own unit)."""
    where = OrganisationUnit.id == actor.unit_id
    if actor.region is not None:
        where = where | (OrganisationUnit.region == actor.region)
    return list(
        (
            await db.scalars(
                select(OrganisationUnit)
                .where(OrganisationUnit.kind == "cps_area", OrganisationUnit.active.is_(True), where)
                .order_by(OrganisationUnit.name)
            )
        ).all()
    )


async def _config_page(
    request: Request,
    db: DbSession,
    actor: Actor,
    area_id: int | None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Response:
    areas = await _areas_in_reach(db, actor)
    if area_id is None:
        if not areas:
            return render(
                request, "prosecution/readiness_config.html", {"page_title": "Readiness checklists", "area": None}
            )
        area_id = areas[0].id
    area, checklists = await service.area_readiness_config(db, actor, area_id)
    return render(
        request,
        "prosecution/readiness_config.html",
        {
            "page_title": f"Readiness checklists: {area.name}",
            "area": area,
            "areas": [{"value": a.id, "text": a.name, "selected": a.id == area.id} for a in areas],
            "checklists": checklists,
            **HELPERS,
            **_errors(errors or []),
        },
        status_code,
    )


@router.get("/prosecution/readiness-config")
async def readiness_config(request: Request, db: DbSession, actor: Configurer, area: str = "") -> Response:
    return await _config_page(request, db, actor, _int(area))


@router.post("/prosecution/readiness-config/{area_id}/{hearing_type}")
async def change_readiness_config(
    request: Request, db: DbSession, actor: Configurer, area_id: int, hearing_type: str
) -> Response:
    f = await _fields(request)
    days = f.get("not_ready_within_days", "").strip()
    try:
        if days and not days.isdigit():
            raise ValidationFailed(FieldError("not_ready_within_days", "Enter a whole number of days, like 7"))
        body = AreaChecklistChangeIn.model_validate(
            {
                "action": f.get("action", ""),
                "item_id": f.get("item_id") or None,
                "text": f.get("text") or None,
                "not_ready_within_days": int(days) if days else None,
            }
        )
        await service.change_area_checklist(db, actor, area_id, hearing_type, body)
    except (ValidationFailed, ValidationError) as exc:
        await db.rollback()
        found = exc.errors if isinstance(exc, ValidationFailed) else _pydantic_errors(exc)
        # Each hearing type has its own form: point the error summary at this one's fields.
        moved = [FieldError(f"{e.field.split('.')[-1]}-{hearing_type}", e.message) for e in found]
        return await _config_page(request, db, actor, area_id, moved, 400)
    return RedirectResponse(f"/prosecution/readiness-config?area={area_id}#{hearing_type}", status_code=303)
