"""Assessments of risk and needs (pure): RoSH areas and levels, criminogenic need sections and
scores, the status flow draft -> submitted -> countersigned -> completed, and when a senior
officer must countersign. A simplification of OASys: one score per need section (0 no problem,
1 some problems, 2 significant problems) and an OGRS-like likelihood score in percent."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from caselink.platform.errors import FieldError


class AssessmentStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # waiting for a senior officer's countersignature
    COUNTERSIGNED = "countersigned"
    COMPLETED = "completed"


class RoshLevel(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"


# Risk of serious harm to each group, in the order the form shows them.
ROSH_AREAS: dict[str, str] = {
    "rosh_public": "the public",
    "rosh_known_adult": "a known adult",
    "rosh_children": "children",
    "rosh_staff": "staff",
    "rosh_prisoners": "prisoners",
}


class NeedSection(enum.StrEnum):
    ACCOMMODATION = "accommodation"
    EDUCATION_EMPLOYMENT = "education_employment"
    FINANCE = "finance"
    RELATIONSHIPS = "relationships"
    LIFESTYLE = "lifestyle"
    DRUGS = "drugs"
    ALCOHOL = "alcohol"
    EMOTIONAL_WELLBEING = "emotional_wellbeing"
    THINKING_BEHAVIOUR = "thinking_behaviour"
    ATTITUDES = "attitudes"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


NEED_SCORES = (0, 1, 2)


def draft_errors(content: Mapping[str, Any]) -> list[FieldError]:
    """Problems with what a draft holds (blanks are allowed in a draft)."""
    errors: list[FieldError] = []
    for area in ROSH_AREAS:
        value = content.get(area)
        if value is not None and value not in {lv.value for lv in RoshLevel}:
            errors.append(FieldError(area, "Risk of serious harm must be low, medium, high or very high"))
    score = content.get("reoffending_score")
    if score is not None and not (isinstance(score, int) and 0 <= score <= 100):
        errors.append(FieldError("reoffending_score", "Likelihood of reoffending must be a whole number from 0 to 100"))
    needs = content.get("needs") or {}
    for section, value in needs.items():
        if section not in {s.value for s in NeedSection}:
            errors.append(FieldError(f"needs.{section}", f"{section} is not a criminogenic needs section"))
        elif value not in NEED_SCORES:
            errors.append(FieldError(f"needs.{section}", "Score each needs section 0, 1 or 2"))
    return errors


def submission_errors(content: Mapping[str, Any]) -> list[FieldError]:
    """A submitted assessment must be complete: every RoSH area, the score and every needs section."""
    errors = draft_errors(content)
    for area, group in ROSH_AREAS.items():
        if content.get(area) is None:
            errors.append(FieldError(area, f"Enter the risk of serious harm to {group}"))
    if content.get("reoffending_score") is None:
        errors.append(FieldError("reoffending_score", "Enter the likelihood of reoffending score"))
    needs = content.get("needs") or {}
    for section in NeedSection:
        if section.value not in needs:
            errors.append(FieldError(f"needs.{section.value}", f"Score the {section.label.lower()} section"))
    return errors


def countersignature_required(content: Mapping[str, Any]) -> bool:
    """A senior officer countersigns an assessment with a high or very high risk of serious harm
    to anyone (as OASys requires for high RoSH)."""
    return any(content.get(area) in (RoshLevel.HIGH, RoshLevel.VERY_HIGH) for area in ROSH_AREAS)
