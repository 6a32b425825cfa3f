"""The policy rules engine (川委办〔2018〕19号, see rules.md).

``evaluate(as_of, region=None, rules=None)`` returns the findings of every rule (or
of the given codes) for the province or a region. The rule modules follow the
sections of rules.md and register their rules on import, in the document's order.
"""

from zhucun.policy import Thresholds

# The rule modules register on import; all_rules() orders them by registry.SECTIONS.
from . import (  # noqa: F401  (register)
    appointments,
    coverage,
    duties,
    focus_areas,
    guarantees,
    management,
    members,
    units,
)
from .engine import Context, RuleRun, evaluate, run_rules
from .findings import Finding
from .registry import Rule, all_rules, get_rule, rule_codes

__all__ = [
    "Context",
    "Finding",
    "Rule",
    "RuleRun",
    "Thresholds",
    "all_rules",
    "evaluate",
    "get_rule",
    "rule_codes",
    "run_rules",
]
