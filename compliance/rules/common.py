"""Querysets, filters and finding builders the rule modules share."""

import datetime

from django.db.models import Q

from teams.models import Membership, Team
from zhucun.queries import active_on

from .engine import Context, team_fields
from .registry import Rule

# The first secretary (第一书记) role, which several rules single out.
FS = Membership.Role.FIRST_SECRETARY
MEMBER_FIELDS = ("id", "person__name", *team_fields("team__"))
VILLAGE_FIELDS = ("id", "name", "township__name", "county_id")


def active_teams(ctx: Context):
    """Teams in post on the day, in the region."""
    return Team.objects.order_by().filter(
        active_on(ctx.as_of), ctx.village_q("village__")
    )


def active_members(ctx: Context):
    """Memberships in force on the day, on teams in the region."""
    return Membership.objects.order_by().filter(
        active_on(ctx.as_of), ctx.village_q("team__village__")
    )


def members_on(day: datetime.date, prefix: str = "memberships__") -> Q:
    """Filter for ``Count``: the team's memberships in force on ``day``."""
    return active_on(day, prefix)


def member_finding(rule: Rule, ctx: Context, row: dict, message: str, **extra):
    """A finding about the membership of ``row`` (``MEMBER_FIELDS``)."""
    return rule.finding(
        object_id=row["id"],
        label=row["person__name"],
        county_code=ctx.county_code(row["team__village__county_id"]),
        message=message,
        **extra,
    )


def team_finding(rule: Rule, ctx: Context, row: dict, message: str, **extra):
    """A finding about the team of ``row`` (``id`` and ``team_fields()``)."""
    return rule.finding(
        object_id=row["id"],
        label=ctx.team_label(row),
        county_code=ctx.county_code(row["village__county_id"]),
        message=message,
        **extra,
    )


def village_finding(rule: Rule, ctx: Context, row: dict, message: str, **extra):
    """A finding about the village of ``row`` (``VILLAGE_FIELDS``)."""
    return rule.finding(
        object_id=row["id"],
        label=ctx.village_label(row["county_id"], row["township__name"], row["name"]),
        county_code=ctx.county_code(row["county_id"]),
        message=message,
        **extra,
    )


def latest_per_person(rows) -> list[dict]:
    """One row per ``person_id``: the membership that started last."""
    chosen: dict[int, dict] = {}
    for row in rows:
        kept = chosen.get(row["person_id"])
        if kept is None or (row["start_date"], row["id"]) > (
            kept["start_date"],
            kept["id"],
        ):
            chosen[row["person_id"]] = row
    return list(chosen.values())
