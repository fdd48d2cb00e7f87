"""Probation: cases, allocation, tier (models/service), supervision, enforcement and recall."""

from caselink.probation import supervision_rules as _supervision_rules  # noqa: F401  (registers probation.enforcement)
