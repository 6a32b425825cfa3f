"""Access rules of the models reached through teams, memberships and people.

Registered into ``zhucun.access`` by ``TeamsConfig.ready()``. The helpers here
(``through_team``, ``through_membership``, ``of_people``) are how the apps
above (attendance, assessments, funding, compliance) describe their rows.
"""

from django.db.models import Exists, OuterRef, Q

from teams.models import Membership, Person, Unit
from zhucun.access import Rule, path_rule


def through_team(prefix: str) -> Rule:
    """Rows that belong to a team, reached by ``prefix`` (``""`` for Team itself)."""
    key = f"{prefix}in" if prefix else "pk__in"

    def teams_with(**conditions):
        return Membership.objects.filter(**conditions).values("team")

    return Rule(
        region=path_rule(f"{prefix}village__township__path"),
        unit=lambda unit_id: Q(**{key: teams_with(unit_id=unit_id)}),
        committee=lambda committee_id: Q(
            **{key: teams_with(unit__work_committee_id=committee_id)}
        ),
    )


def through_membership(prefix: str) -> Rule:
    """Rows that belong to one membership, reached by ``prefix`` (ends with ``__``)."""
    return Rule(
        region=path_rule(f"{prefix}team__village__township__path"),
        unit=lambda unit_id: Q(**{f"{prefix}unit_id": unit_id}),
        committee=lambda committee_id: Q(
            **{f"{prefix}unit__work_committee_id": committee_id}
        ),
    )


def person_rule() -> Rule:
    """People who served in the region or whose unit is there; a unit's own people."""

    def served(**conditions) -> Q:
        return Q(Exists(Membership.objects.filter(person=OuterRef("pk"), **conditions)))

    return Rule(
        region=lambda path: (
            served(team__village__township__path__startswith=path)
            | Q(unit__region__path__startswith=path)
        ),
        unit=lambda unit_id: Q(unit_id=unit_id) | served(unit_id=unit_id),
        committee=lambda committee_id: (
            Q(unit__work_committee_id=committee_id)
            | served(unit__work_committee_id=committee_id)
        ),
    )


def of_people(prefix: str) -> Rule:
    """Rows that belong to a person, reached by ``prefix`` (ends with ``__``)."""
    person = person_rule()

    def via(q: Q) -> Q:
        return Q(**{f"{prefix}in": Person.objects.filter(q).values("pk")})

    return Rule(
        region=lambda path: via(person.region(path)),
        unit=lambda unit_id: via(person.unit(unit_id)),
        committee=lambda committee_id: via(person.committee(committee_id)),
    )


def about_units(units: Q, memberships: Q) -> Q:
    """Rows (findings) about the units of ``units`` or the memberships of ``memberships``."""
    return Q(
        object_type="unit", object_id__in=Unit.objects.filter(units).values("pk")
    ) | Q(
        object_type="member",
        object_id__in=Membership.objects.filter(memberships).values("pk"),
    )


def rules() -> dict[str, Rule]:
    return {
        # A unit reaches the villages its members serve in.
        "villages.village": Rule(
            region=path_rule("township__path"),
            unit=lambda unit_id: Q(
                pk__in=Membership.objects.filter(unit_id=unit_id).values(
                    "team__village"
                )
            ),
            committee=lambda committee_id: Q(
                pk__in=Membership.objects.filter(
                    unit__work_committee_id=committee_id
                ).values("team__village")
            ),
        ),
        "teams.term": Rule(everyone=True),
        "teams.workcommittee": Rule(
            region=path_rule("region__path"),
            committee=lambda committee_id: Q(pk=committee_id),
        ),
        # The directory of dispatching units is shared: a county appoints cadres of
        # provincial and city units, so it must be able to name them. Who they
        # sent, and where, stays scoped (Person, Membership).
        "teams.unit": Rule(everyone=True),
        "teams.pairing": Rule(
            region=lambda path: (
                Q(assisted_county__path__startswith=path)
                | Q(assisting_county__path__startswith=path)
            )
        ),
        "teams.person": person_rule(),
        "teams.team": through_team(""),
        "teams.membership": through_membership(""),
    }
