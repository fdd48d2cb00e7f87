"""Possible duplicates: recording the pairs batch linkage and imports find, the review queue of data
quality officers, and their decisions.

Each pair of the uncertain band gets one work-queue task (``people.duplicate_review``) owned by a
data quality officer, spread evenly over the active ones, due in ``REVIEW_DUE_WORKING_DAYS``. The
comparison page (``/people/review/{pair_id}``) records "same person" or "different people",
audits it and completes the task. Pairs linked automatically are recorded ``to_merge``; the merge
service (a later change of issue 4) acts on ``to_merge`` and ``same_person`` pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.people import limited_access
from caselink.people.linkage_models import LinkageRun, LinkPair, PairBand, PairDecision
from caselink.people.matching import IDENTIFIER_LABELS
from caselink.people.models import Person, PersonAddress, PersonIdentifier, PersonName
from caselink.platform.access.actor import SYSTEM, Actor
from caselink.platform.access.policy import check
from caselink.platform.audit.service import record
from caselink.platform.errors import Conflict, FieldError, NotFound, ValidationFailed

TASK_TYPE = "people.duplicate_review"
REVIEW_ROLE = "data_quality_officer"
REVIEW_DUE_WORKING_DAYS = 10
# Pairs are written in statements of this many rows.
CHUNK = 1_000


@dataclass(frozen=True)
class PairIn:
    person_a_id: int
    person_b_id: int
    match_probability: float
    band: str  # PairBand
    reasons: Sequence[str] = ()
    cluster_id: int | None = None


@dataclass
class RecordOutcome:
    auto_links: int = 0
    review_pairs: int = 0
    tasks_created: int = 0
    already_decided: int = 0
    reviewers: int = 0


async def review_owners(db: AsyncSession) -> list[int]:
    """Active data quality officers, by id."""
    rows = await db.execute(
        text("SELECT id FROM staff WHERE status = 'active' AND :role = ANY(roles) ORDER BY id"), {"role": REVIEW_ROLE}
    )
    return [int(r[0]) for r in rows]


async def _open_review_counts(db: AsyncSession, owners: Sequence[int]) -> dict[int, int]:
    rows = await db.execute(
        text(
            "SELECT owner_id, count(*) FROM tasks WHERE type = :type AND owner_type = 'staff' "
            "AND status IN ('open', 'in_progress') AND owner_id = ANY(:owners) GROUP BY owner_id"
        ),
        {"type": TASK_TYPE, "owners": list(owners)},
    )
    counts = dict.fromkeys(owners, 0)
    counts.update({int(r[0]): int(r[1]) for r in rows})
    return counts


async def start_run(db: AsyncSession, actor: Actor, model: dict[str, Any]) -> int:
    run = LinkageRun(started_by=actor.audit_label, model=model, people=0, pairs_scored=0)
    run.auto_links = run.review_pairs = run.clusters = 0
    db.add(run)
    await db.flush()
    return run.id


async def finish_run(
    db: AsyncSession,
    actor: Actor,
    run_id: int,
    *,
    people: int,
    pairs_scored: int,
    clusters: int,
    outcome: RecordOutcome,
    model: dict[str, Any],
) -> None:
    await db.execute(
        update(LinkageRun)
        .where(LinkageRun.id == run_id)
        .values(
            finished_at=datetime.now(UTC),
            people=people,
            pairs_scored=pairs_scored,
            auto_links=outcome.auto_links,
            review_pairs=outcome.review_pairs,
            clusters=clusters,
            model=model,
        )
    )
    await record(
        db,
        actor,
        "person.dedupe",
        "linkage_run",
        run_id,
        detail={
            "people": people,
            "pairs_scored": pairs_scored,
            "auto_links": outcome.auto_links,
            "review_pairs": outcome.review_pairs,
            "tasks_created": outcome.tasks_created,
        },
    )


async def record_pairs(
    db: AsyncSession,
    actor: Actor,
    pairs: Sequence[PairIn],
    *,
    source: str,
    run_id: int | None = None,
    today: date | None = None,
) -> RecordOutcome:
    """Store PAIRS (refreshing undecided ones, never reopening a decided one), mark auto-linked
    pairs to merge and give each review pair without a task one. Does not commit."""
    from caselink.platform.tasks.service import create_task

    outcome = RecordOutcome()
    now = datetime.now(UTC)
    ordered = [p for p in pairs if p.person_a_id != p.person_b_id]
    for start in range(0, len(ordered), CHUNK):
        rows = [
            {
                "person_a_id": min(p.person_a_id, p.person_b_id),
                "person_b_id": max(p.person_a_id, p.person_b_id),
                "source": source,
                "run_id": run_id,
                "match_probability": p.match_probability,
                "band": p.band,
                "cluster_id": p.cluster_id,
                "reasons": list(p.reasons),
                "decision": PairDecision.TO_MERGE.value if p.band == PairBand.AUTO_LINK else None,
                "decided_by": actor.audit_label if p.band == PairBand.AUTO_LINK else None,
                "decided_at": now if p.band == PairBand.AUTO_LINK else None,
            }
            for p in ordered[start : start + CHUNK]
        ]
        stmt = insert(LinkPair).values(rows)
        excluded = stmt.excluded
        stmt = stmt.on_conflict_do_update(
            index_elements=[LinkPair.person_a_id, LinkPair.person_b_id],
            set_={
                "run_id": excluded.run_id,
                "match_probability": excluded.match_probability,
                "band": excluded.band,
                "cluster_id": excluded.cluster_id,
                "reasons": excluded.reasons,
                "decision": excluded.decision,
                "decided_by": excluded.decided_by,
                "decided_at": excluded.decided_at,
                "updated_at": now,
            },
            # A person's decision stands: a later run never reopens it.
            where=LinkPair.decision.is_(None),
        )
        await db.execute(stmt)

    keys = [(min(p.person_a_id, p.person_b_id), max(p.person_a_id, p.person_b_id)) for p in ordered]
    stored: list[Any] = []
    for start in range(0, len(keys), CHUNK):
        part = keys[start : start + CHUNK]
        stored += (
            await db.execute(
                select(LinkPair.id, LinkPair.person_a_id, LinkPair.person_b_id, LinkPair.band, LinkPair.decision)
                .where(func.row(LinkPair.person_a_id, LinkPair.person_b_id).in_([func.row(a, b) for a, b in part]))
                .order_by(LinkPair.id)
            )
        ).all()
    wanted = {(p.person_a_id, p.person_b_id) for p in ordered}
    wanted |= {(b, a) for a, b in wanted}
    for row in stored:
        if row.decision is None and row.band == PairBand.REVIEW:
            outcome.review_pairs += 1
        elif row.decision == PairDecision.TO_MERGE and row.band == PairBand.AUTO_LINK:
            outcome.auto_links += 1
        else:
            outcome.already_decided += 1

    needing_task = (
        await db.execute(
            select(LinkPair.id, LinkPair.person_a_id, LinkPair.person_b_id, LinkPair.match_probability)
            .where(
                LinkPair.id.in_([r.id for r in stored]),
                LinkPair.band == PairBand.REVIEW.value,
                LinkPair.decision.is_(None),
                LinkPair.task_id.is_(None),
            )
            .order_by(LinkPair.id)
        )
    ).all()
    owners = await review_owners(db)
    outcome.reviewers = len(owners)
    if not owners or not needing_task:
        return outcome
    load = await _open_review_counts(db, owners)
    for pair in needing_task:
        owner = min(owners, key=lambda staff_id: (load[staff_id], staff_id))
        load[owner] += 1
        task = await create_task(
            db,
            actor,
            type=TASK_TYPE,
            title=f"Check whether person {pair.person_a_id} and person {pair.person_b_id} are the same person",
            description=(
                f"Batch matching scored these records {pair.match_probability:.0%} likely to be the same person. "
                f"Compare them at /people/review/{pair.id} and record your decision."
            ),
            subject_type="person",
            subject_id=pair.person_a_id,
            owner_type="staff",
            owner_id=owner,
            due_in_working_days=REVIEW_DUE_WORKING_DAYS,
            due_from=today,
            dedupe_key=f"people-duplicate-review:{pair.person_a_id}-{pair.person_b_id}",
            details={"pair_id": pair.id, "url": f"/people/review/{pair.id}"},
            commit=False,
        )
        await db.execute(update(LinkPair).where(LinkPair.id == pair.id).values(task_id=task.id))
        outcome.tasks_created += 1
    return outcome


# --- merging --------------------------------------------------------------------------------------


async def _merge_one(db: AsyncSession, actor: Actor, survivor_id: int, merged_id: int, reason: str) -> str | None:
    """Merge in a savepoint (a refused merge changes nothing); None when merged, else why not."""
    from caselink.people.merge import merge_people
    from caselink.platform.errors import CaselinkError

    savepoint = await db.begin_nested()
    try:
        await merge_people(db, actor, survivor_id, merged_id, reason, commit=False)
    except CaselinkError as exc:
        if savepoint.is_active:
            await savepoint.rollback()
        return exc.detail
    await savepoint.commit()
    return None


async def merge_auto_links(db: AsyncSession, actor: Actor, run_id: int) -> tuple[int, int]:
    """Merge the run's ``to_merge`` pairs, each cluster into its lowest person id (the earliest
    record). Returns (records merged, records refused); a refused merge is noted on its pair and
    stays ``to_merge`` for a person to resolve. Does not commit."""
    rows = (
        await db.execute(
            select(LinkPair.id, LinkPair.person_a_id, LinkPair.person_b_id, LinkPair.cluster_id)
            .where(LinkPair.run_id == run_id, LinkPair.decision == PairDecision.TO_MERGE.value)
            .order_by(LinkPair.person_a_id, LinkPair.person_b_id)
        )
    ).all()
    members: dict[int, set[int]] = {}
    for row in rows:
        root = row.cluster_id or row.person_a_id
        members.setdefault(root, set()).update({row.person_a_id, row.person_b_id})
    merged = refused = 0
    for root, people in sorted(members.items()):
        for person_id in sorted(people - {root}):
            why_not = await _merge_one(
                db, actor, root, person_id, f"Batch de-duplication run {run_id} linked these records automatically."
            )
            touching = [r.id for r in rows if person_id in (r.person_a_id, r.person_b_id)]
            if why_not is None:
                merged += 1
                await db.execute(
                    update(LinkPair)
                    .where(LinkPair.id.in_(touching))
                    .values(decision=PairDecision.MERGED.value, updated_at=datetime.now(UTC))
                )
            else:
                refused += 1
                await db.execute(
                    update(LinkPair).where(LinkPair.id.in_(touching)).values(note=f"Not merged: {why_not}"[:1000])
                )
    return merged, refused


# --- the comparison page ------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    person_id: int
    rows: dict[str, str]  # label -> value as shown


@dataclass(frozen=True)
class PairComparison:
    pair: LinkPair
    a: Side
    b: Side
    labels: list[str]

    def differs(self, label: str) -> bool:
        return self.a.rows.get(label, "") != self.b.rows.get(label, "")


async def _side(db: AsyncSession, person_id: int) -> Side:
    person = await db.get(Person, person_id)
    if person is None:
        raise NotFound(f"There is no person with id {person_id}.")
    names = (
        await db.execute(select(PersonName).where(PersonName.person_id == person_id).order_by(PersonName.id))
    ).scalars()
    identifiers = (
        await db.execute(
            select(PersonIdentifier)
            .where(PersonIdentifier.person_id == person_id)
            .order_by(PersonIdentifier.type, PersonIdentifier.id)
        )
    ).scalars()
    addresses = (
        await db.execute(
            select(PersonAddress)
            .where(PersonAddress.person_id == person_id)
            .order_by(PersonAddress.is_current.desc(), PersonAddress.id)
        )
    ).scalars()
    rows: dict[str, str] = {
        "Given name": person.given_name,
        "Middle names": person.middle_names or "",
        "Family name": person.family_name,
        "Date of birth": f"{person.date_of_birth:%d/%m/%Y}" if person.date_of_birth else "Not recorded",
        "Sex": person.sex.replace("_", " ").capitalize(),
        "Other names": ", ".join(
            f"{n.given_name} {n.family_name} ({n.name_type.lower()})" for n in names if n.name_type != "PRIMARY"
        ),
    }
    for ident in identifiers:
        label = IDENTIFIER_LABELS.get(ident.type, ident.type)
        key = label[:1].upper() + label[1:]
        value = ident.value if ident.valid else f"{ident.raw_value} (not valid)"
        rows[key] = f"{rows[key]}, {value}" if key in rows else value
    address_rows = list(addresses)
    current = next((a for a in address_rows if a.is_current), None)
    rows["Current address"] = (
        ", ".join(x for x in [current.line1, current.town, current.postcode] if x) if current else "Not recorded"
    )
    rows["Previous postcodes"] = ", ".join(a.postcode for a in address_rows if not a.is_current and a.postcode)
    return Side(person_id, rows)


async def get_pair(db: AsyncSession, actor: Actor, pair_id: int) -> PairComparison:
    """The two records of a pair side by side; audited as a read of both people."""
    check(actor, "people:merge")
    pair = await db.get(LinkPair, pair_id)
    if pair is None:
        raise NotFound(f"There is no possible duplicate {pair_id}.")
    # Side by side shows both records whole: a reviewer blocked from either sees neither (audited).
    for person_id in (pair.person_a_id, pair.person_b_id):
        await limited_access.ensure_may_see(db, actor, person_id, "person.duplicate_review.read")
    a, b = await _side(db, pair.person_a_id), await _side(db, pair.person_b_id)
    labels = list(dict.fromkeys([*a.rows, *b.rows]))
    await record(db, actor, "person.duplicate_review.read", "person_link_pair", pair_id)
    await db.commit()
    return PairComparison(pair, a, b, labels)


DECISIONS = {"same": PairDecision.SAME_PERSON, "different": PairDecision.DIFFERENT_PEOPLE}


async def decide(db: AsyncSession, actor: Actor, pair_id: int, decision: str, note: str | None = None) -> LinkPair:
    """Record a reviewer's decision on a pair of the review band: audited, its task completed; the
    same person is merged into the earlier record at once (when the merge is refused, for example
    both records hold a live registration of one type, the decision stands and the note says why)."""
    from caselink.platform.tasks.service import complete_task

    check(actor, "people:merge")
    chosen = DECISIONS.get(decision)
    if chosen is None:
        raise ValidationFailed([FieldError("decision", "Choose ‘same person’ or ‘different people’")])
    note = (note or "").strip() or None
    if note and len(note) > 1000:
        raise ValidationFailed([FieldError("note", "Note must be 1,000 characters or fewer")])
    pair = await db.scalar(select(LinkPair).where(LinkPair.id == pair_id).with_for_update())
    if pair is None:
        raise NotFound(f"There is no possible duplicate {pair_id}.")
    for person_id in (pair.person_a_id, pair.person_b_id):
        await limited_access.ensure_may_see(db, actor, person_id, "person.duplicate_review.decide")
    if pair.decision is not None:
        raise Conflict(f"This pair was already decided ({pair.decision.replace('_', ' ')}) by {pair.decided_by}.")
    now = datetime.now(UTC)
    pair.decision = chosen.value
    pair.decided_by = actor.audit_label
    pair.decided_at = now
    pair.updated_at = now
    pair.note = note
    await record(
        db,
        actor,
        "person.duplicate_review.decide",
        "person_link_pair",
        pair_id,
        detail={
            "decision": chosen.value,
            "person_a_id": pair.person_a_id,
            "person_b_id": pair.person_b_id,
            "match_probability": pair.match_probability,
            "note": note,
        },
    )
    await db.flush()
    if chosen is PairDecision.SAME_PERSON:
        why_not = await _merge_one(
            db, actor, pair.person_a_id, pair.person_b_id, note or "Confirmed the same person on the duplicate review."
        )
        if why_not is None:
            pair.decision = PairDecision.MERGED.value
        else:
            pair.note = f"{note + ' — ' if note else ''}Not merged yet: {why_not}"[:1000]
        await db.flush()
    task_id = pair.task_id
    if task_id is not None and await db.scalar(
        text("SELECT status IN ('open', 'in_progress') FROM tasks WHERE id = :id"), {"id": task_id}
    ):
        # Any data quality officer may decide; the task is completed on their behalf.
        label = "the same person" if chosen is PairDecision.SAME_PERSON else "different people"
        await complete_task(db, SYSTEM, task_id, f"Decided by {actor.audit_label}: {label}.")
    else:
        await db.commit()
    return pair
