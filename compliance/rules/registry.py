"""The registry of policy rules: each rule is a small class registered by code.

A rule knows its stable ``code`` (as in rules.md), the ``clause`` of 川委办〔2018〕19号
it enforces, its ``severity``, the ``object_type`` it judges and a short Chinese
``title``; its docstring quotes the sentence of the policy. ``findings()`` judges the
whole province (or the context's region) in a fixed number of set-based queries.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from .findings import Finding

if TYPE_CHECKING:
    from .engine import Context

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)

VILLAGE = "village"
TEAM = "team"
MEMBER = "member"
UNIT = "unit"
COUNTY = "county"
PAIRING = "pairing"
OBJECT_TYPES = (VILLAGE, TEAM, MEMBER, UNIT, COUNTY, PAIRING)


class Rule(abc.ABC):
    """A rule of the policy; subclasses set the class attributes and ``findings``."""

    code: ClassVar[str]
    clause: ClassVar[str]
    severity: ClassVar[str]
    object_type: ClassVar[str]
    title: ClassVar[str]

    def __init__(self, ctx: Context):
        self.ctx = ctx

    @abc.abstractmethod
    def findings(self) -> Iterable[Finding]:
        """Every finding of this rule in the context's region."""

    def finding(
        self,
        *,
        object_id: int,
        label: str,
        message: str,
        county_code: str = "",
        period: str = "",
        severity: str | None = None,
    ) -> Finding:
        return Finding(
            rule=self.code,
            severity=severity or self.severity,
            object_type=self.object_type,
            object_id=object_id,
            label=label,
            county_code=county_code,
            period=period,
            message=message,
        )


_REGISTRY: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Add a rule to the registry (class decorator); its code must be new."""
    for attribute in ("code", "clause", "severity", "object_type", "title"):
        if not getattr(cls, attribute, None):
            raise TypeError(f"{cls.__name__} has no {attribute}")
    if cls.severity not in SEVERITIES:
        raise TypeError(f"{cls.__name__}: unknown severity {cls.severity!r}")
    if cls.object_type not in OBJECT_TYPES:
        raise TypeError(f"{cls.__name__}: unknown object type {cls.object_type!r}")
    if not (cls.__doc__ or "").strip():
        raise TypeError(f"{cls.__name__} must quote its policy sentence")
    if cls.code in _REGISTRY:
        raise TypeError(f"rule code {cls.code} registered twice")
    _REGISTRY[cls.code] = cls
    return cls


# The modules holding the rules, in the order of the sections of rules.md.
SECTIONS = (
    # Coverage and composition (一(二), 二), in five modules.
    "coverage",
    "members",
    "units",
    "focus_areas",
    "appointments",
    "duties",
    "management",
    "guarantees",
)


def _order(item: tuple[int, type[Rule]]) -> tuple[int, int]:
    index, cls = item
    module = cls.__module__.rsplit(".", 1)[-1]
    section = SECTIONS.index(module) if module in SECTIONS else len(SECTIONS)
    return section, index


def all_rules() -> list[type[Rule]]:
    """Every rule, in the order of rules.md (section, then order in the module)."""
    return [cls for _, cls in sorted(enumerate(_REGISTRY.values()), key=_order)]


def rule_codes() -> list[str]:
    return [cls.code for cls in all_rules()]


def get_rule(code: str) -> type[Rule]:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise KeyError(f"unknown rule code: {code}") from None
