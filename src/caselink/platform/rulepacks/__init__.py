"""Rule packs: versioned, effective-dated rules kept as data files (see loader.py)."""

from caselink.platform.rulepacks.loader import (
    NoRulePackInForce,
    RulePack,
    RulePackFamily,
    RulePackSeries,
    load_all,
    pack_name_of,
    read_pack_file,
    register_family,
    registered_families,
)
from caselink.platform.rulepacks.reader import RulePackInvalid, RulePackProblem, TableReader

__all__ = [
    "NoRulePackInForce",
    "RulePack",
    "RulePackFamily",
    "RulePackInvalid",
    "RulePackProblem",
    "RulePackSeries",
    "TableReader",
    "load_all",
    "pack_name_of",
    "read_pack_file",
    "register_family",
    "registered_families",
]
