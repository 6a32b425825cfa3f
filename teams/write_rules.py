"""The domain rules of memberships, one function each (see ``zhucun.write_rules``).

``membership_create`` passes one proposal, the roster importer a whole sheet;
both get the same ``Refusal``s with the same Chinese message, so a bad write
reads the same on the page, the API, the admin, the import and the commands.
Each function reads the stored memberships it needs in a fixed number of
queries (one per 900 keys), whatever the number of proposals.

A proposal names its person and team by key: a stored row's pk, or any other
hashable for a person or team the caller is about to create (the importer's new
people and teams). A proposal that rewrites a stored membership names it in
``replaces``; that stored row is then judged as the proposal, not as itself.
"""

import datetime
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from teams.models import Membership, Person, Team
from villages.models import LIANGSHAN_CODE
from zhucun.policy import Thresholds
from zhucun.write_rules import Refusal

_CHUNK = 900  # keys per IN (…): SQLite's bound-parameter limit
_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class TeamFacts:
    """What the rules need of a team, stored or about to be created."""

    key: Hashable
    village: str
    county_code: str
    start: datetime.date
    end: datetime.date | None

    @property
    def is_liangshan(self) -> bool:
        return self.county_code.startswith(LIANGSHAN_CODE[:4])


def team_facts(team: Team) -> TeamFacts:
    """The facts of a stored team (its village and county loaded)."""
    return TeamFacts(
        key=team.pk,
        village=team.village.name,
        county_code=team.village.county.code,
        start=team.start_date,
        end=team.end_date,
    )


@dataclass(frozen=True)
class Proposal:
    """One membership as it will be written.

    ``item`` is what the refusals carry back (the importer's Row; None for a
    service); ``where`` names the proposal when another proposal clashes with it.
    """

    item: Any
    person: Hashable
    team: TeamFacts
    role: str
    start: datetime.date
    end: datetime.date | None
    replaces: int | None = None
    where: str = ""

    def overlaps(self, start: datetime.date, end: datetime.date | None) -> bool:
        return _overlap(self.start, self.end, start, end)


def proposal_of(membership: Membership) -> Proposal:
    """A stored membership being changed, as the proposal that rewrites it."""
    return Proposal(
        item=None,
        person=membership.person_id,
        team=team_facts(membership.team),
        role=membership.role,
        start=membership.start_date,
        end=membership.end_date,
        replaces=membership.pk,
    )


def _overlap(a_start, a_end, b_start, b_end) -> bool:
    return (a_end is None or b_start <= a_end) and (b_end is None or a_start <= b_end)


def _stored(field: str, keys: Iterable, proposals: Sequence[Proposal], **filters):
    """Stored memberships whose ``field`` is one of the (stored) ``keys``.

    Rows a proposal rewrites are left out: the proposal stands for them.
    """
    ids = sorted({k for k in keys if isinstance(k, int) and not isinstance(k, bool)})
    rewritten = {p.replaces for p in proposals if p.replaces is not None}
    rows = []
    columns = ("id", "person_id", "team_id", "role", "start_date", "end_date")
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        queryset = Membership.objects.filter(**{f"{field}__in": chunk}, **filters)
        rows.extend(
            m
            for m in queryset.values(*columns, village=_village_name())
            if m["id"] not in rewritten
        )
    return rows


def _village_name():
    return F("team__village__name")


def _in_sheet(message: str, other: Proposal) -> str:
    """A clash with another proposal of the same sheet ends by naming its row."""
    if not other.where:
        return message
    return message + _("（见%(where)s）") % {"where": other.where}


# --- 一人一队: one person, one team at a time ----------------------------------------


def serving_elsewhere_message(village: str, start: datetime.date) -> str:
    """The one wording of the clash of a person's two memberships."""
    return _("该干部已在%(village)s驻村（%(start)s起），同一时间只能在一个工作队。") % {
        "village": village,
        "start": start,
    }


def one_team_at_a_time(proposals: Sequence[Proposal]) -> list[Refusal]:
    """A person serves on one team at a time: no two memberships' spans overlap."""
    by_person: dict[Hashable, list] = defaultdict(list)
    for m in _stored("person_id", (p.person for p in proposals), proposals):
        by_person[m["person_id"]].append(m)
    mine: dict[Hashable, list[Proposal]] = defaultdict(list)
    for proposal in proposals:
        mine[proposal.person].append(proposal)
    refusals = []
    for proposal in proposals:
        stored = sorted(
            by_person.get(proposal.person, ()), key=lambda m: m["start_date"]
        )
        clash = next(
            (m for m in stored if proposal.overlaps(m["start_date"], m["end_date"])),
            None,
        )
        if clash is not None:
            message = serving_elsewhere_message(clash["village"], clash["start_date"])
        else:
            other = next(
                (
                    o
                    for o in mine[proposal.person]
                    if o is not proposal and proposal.overlaps(o.start, o.end)
                ),
                None,
            )
            if other is None:
                continue
            message = _in_sheet(
                serving_elsewhere_message(other.team.village, other.start), other
            )
        refusals.append(Refusal(proposal.item, "person", message))
    return refusals


# --- 一名第一书记: one first secretary per team at a time ------------------------------


def second_secretary_message(start: datetime.date) -> str:
    return _("该工作队已有第一书记（%(start)s起），一个工作队只能有一名第一书记。") % {
        "start": start
    }


def one_first_secretary(proposals: Sequence[Proposal]) -> list[Refusal]:
    """A team has one first secretary at a time, stored and proposed together."""
    secretaries = [p for p in proposals if p.role == Membership.Role.FIRST_SECRETARY]
    if not secretaries:
        return []
    by_team: dict[Hashable, list] = defaultdict(list)
    for m in _stored(
        "team_id",
        (p.team.key for p in secretaries),
        proposals,
        role=Membership.Role.FIRST_SECRETARY,
    ):
        by_team[m["team_id"]].append(m)
    refusals = []
    for proposal in secretaries:
        stored = sorted(
            by_team.get(proposal.team.key, ()), key=lambda m: m["start_date"]
        )
        clash = next(
            (m for m in stored if proposal.overlaps(m["start_date"], m["end_date"])),
            None,
        )
        if clash is not None:
            message = second_secretary_message(clash["start_date"])
        else:
            other = next(
                (
                    o
                    for o in secretaries
                    if o is not proposal
                    and o.team.key == proposal.team.key
                    and proposal.overlaps(o.start, o.end)
                ),
                None,
            )
            if other is None:
                continue
            message = _in_sheet(second_secretary_message(other.start), other)
        refusals.append(Refusal(proposal.item, "role", message))
    return refusals


# --- 凉山州 at most N members, on every day ---------------------------------------------


def _headcount(spans) -> list[tuple[datetime.date, int]]:
    """The team's headcount as steps: (first day, count from that day on)."""
    changes: dict[datetime.date, int] = defaultdict(int)
    for start, end in spans:
        changes[start] += 1
        if end is not None and end < datetime.date.max:
            changes[end + _DAY] -= 1
    steps, count = [], 0
    for day in sorted(changes):
        count += changes[day]
        steps.append((day, count))
    return steps


def _first_day_over(steps, limit, start, end):
    """The first day in [start, end] the count exceeds ``limit``, with that count."""
    for i, (day, count) in enumerate(steps):
        until = steps[i + 1][0] - _DAY if i + 1 < len(steps) else None
        if count > limit and _overlap(day, until, start, end):
            return max(day, start), count
    return None


def liangshan_cap(proposals: Sequence[Proposal]) -> list[Refusal]:
    """A Liangshan team has at most ``liangshan_max_members`` on EVERY day.

    The team's stored and proposed memberships are swept as start/end events;
    a proposal is refused on the first day of its own span the cap is broken.
    """
    capped = [p for p in proposals if p.team.is_liangshan]
    if not capped:
        return []
    limit = Thresholds.from_settings().liangshan_max_members
    spans: dict[Hashable, list] = defaultdict(list)
    for m in _stored("team_id", (p.team.key for p in capped), proposals):
        spans[m["team_id"]].append((m["start_date"], m["end_date"]))
    for proposal in proposals:
        spans[proposal.team.key].append((proposal.start, proposal.end))
    steps = {key: _headcount(team_spans) for key, team_spans in spans.items()}
    refusals = []
    for proposal in capped:
        found = _first_day_over(
            steps[proposal.team.key], limit, proposal.start, proposal.end
        )
        if found is None:
            continue
        day, count = found
        refusals.append(
            Refusal(
                proposal.item,
                "team",
                _(
                    "凉山州工作队最多%(limit)d人，%(village)s工作队在%(date)s"
                    "将有%(count)d人。"
                )
                % {
                    "limit": limit,
                    "village": proposal.team.village,
                    "date": day,
                    "count": count,
                },
            )
        )
    return refusals


# --- dates within the team's term ---------------------------------------------------


def _term_message(team: TeamFacts) -> str:
    return _("驻村时间应在%(village)s工作队的派驻期内（%(start)s至%(end)s）。") % {
        "village": team.village,
        "start": team.start,
        "end": team.end or _("今后"),
    }


def within_team_term(proposals: Sequence[Proposal]) -> list[Refusal]:
    """A membership lies in its team's term (start, then end), and ends after it starts.

    The start is judged first: a start years away is the mistake to name, not
    the end date (the team's) that now precedes it.
    """
    refusals = []
    for p in proposals:
        team = p.team
        if not _overlap(team.start, team.end, p.start, p.start):
            refusals.append(Refusal(p.item, "start_date", _term_message(team)))
        elif p.end is not None and p.end < p.start:
            message = _("驻村结束时间不能早于驻村起始时间。")
            refusals.append(Refusal(p.item, "end_date", message))
        elif p.end is not None and team.end is not None and p.end > team.end:
            refusals.append(Refusal(p.item, "end_date", _term_message(team)))
    return refusals


def membership_refusals(proposals: Sequence[Proposal]) -> list[Refusal]:
    """Every membership rule, in the order a clerk fixes them."""
    return [
        *within_team_term(proposals),
        *one_team_at_a_time(proposals),
        *one_first_secretary(proposals),
        *liangshan_cap(proposals),
    ]


# --- 召回调整: who may replace an unfit member ------------------------------------------


@dataclass(frozen=True)
class Replacement:
    """A replacement: the membership replaced, the person proposed in its place.

    ``membership`` is the replacement's own stored membership once it exists
    (the later steps of the chain), so that it is not counted against itself.
    """

    item: Any
    replaced: Membership
    person: Person
    membership: int | None = None


def replacement_refusals(replacements: Sequence[Replacement]) -> list[Refusal]:
    """The replacement is someone else, not serving in that term, not found unfit.

    "Serving in that term" is any membership, on any team, whose span meets
    the replaced member's term; "found unfit" is a membership of the term with
    an unfit mark. One query for all the replacements' people.
    """
    people = {r.person.pk for r in replacements}
    stored: dict[int, list] = defaultdict(list)
    ids = sorted(people)
    for start in range(0, len(ids), _CHUNK):
        for m in Membership.objects.filter(
            person_id__in=ids[start : start + _CHUNK]
        ).values(
            "id",
            "person_id",
            "start_date",
            "end_date",
            "unfit_marked_on",
            village=_village_name(),
        ):
            stored[m["person_id"]].append(m)
    refusals = []
    for r in replacements:
        message = _replacement_refusal(r, stored.get(r.person.pk, ()))
        if message:
            refusals.append(Refusal(r.item, "person", message))
    return refusals


def _replacement_refusal(r: Replacement, memberships) -> str:
    if r.person.pk == r.replaced.person_id:
        return _("接替人员不能是被接替的队员本人（%(name)s）。") % {
            "name": r.person.name
        }
    term = r.replaced.team.term
    in_term = sorted(
        (
            m
            for m in memberships
            if m["id"] != r.membership
            and _overlap(m["start_date"], m["end_date"], term.start_date, term.end_date)
        ),
        key=lambda m: m["start_date"],
    )
    if any(m["unfit_marked_on"] is not None for m in in_term):
        return _("%(name)s在%(term)s已被认定不适应，不能作为接替人员。") % {
            "name": r.person.name,
            "term": term.name,
        }
    if in_term:
        return _(
            "%(name)s在%(term)s已在%(village)s驻村（%(start)s起），不能作为接替人员。"
        ) % {
            "name": r.person.name,
            "term": term.name,
            "village": in_term[0]["village"],
            "start": in_term[0]["start_date"],
        }
    return ""
