"""Reads of units, people, teams and memberships, shared by pages, API and exports.

Rows are scoped to what the user may see (zhucun.access.scoped), here and nowhere else.
"""

from collections.abc import Mapping
from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from teams.models import Membership, Person, Team, Unit, active_on
from villages.models import Region
from zhucun.access import scoped
from zhucun.api_filters import IdFilter, RegionFilter, StrictFilterSet, in_region

ACTIVE_ON_LABEL = _("在该日期（YYYY-MM-DD）处于派驻期内，含起止日。")


class UnitFilterSet(StrictFilterSet):
    region = RegionFilter(field_name="region__path")
    level = django_filters.ChoiceFilter(
        choices=Unit.Level.choices, label=_("单位层级。")
    )
    unit_type = django_filters.ChoiceFilter(
        choices=Unit.Type.choices, label=_("单位类型。")
    )

    class Meta:
        model = Unit
        fields = ["region", "level", "unit_type"]


class PersonFilterSet(StrictFilterSet):
    region = RegionFilter(
        method="filter_region",
        label=_(
            "行政区划代码，含其所有下级：返回曾在或正在该地区驻村的干部，"
            "以及工作单位位于该地区的干部。"
        ),
    )
    unit = IdFilter(field_name="unit", label=_("工作单位的 id。"))
    on_staff = django_filters.BooleanFilter(label=_("是否在编在岗（true/false）。"))

    class Meta:
        model = Person
        fields = ["region", "unit", "on_staff"]

    def filter_region(self, queryset, name, value: Region):
        # A person belongs to a region through any membership (past or present)
        # in a team of a village there, or through a unit located there. A
        # provincial unit's cadre stationed in 昭觉县 is found by 513431 though
        # the unit sits in 510000. Exists keeps one row per person.
        served_there = Membership.objects.filter(
            in_region("team__village__township__path", value), person=OuterRef("pk")
        )
        return queryset.filter(
            Exists(served_there) | in_region("unit__region__path", value)
        )


class TeamFilterSet(StrictFilterSet):
    region = RegionFilter(field_name="village__township__path")
    term = IdFilter(field_name="term", label=_("驻村期次的 id。"))
    active_on = django_filters.DateFilter(
        method="filter_active_on", label=ACTIVE_ON_LABEL
    )

    class Meta:
        model = Team
        fields = ["region", "term", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(active_on(value))


class MembershipFilterSet(StrictFilterSet):
    region = RegionFilter(field_name="team__village__township__path")
    role = django_filters.ChoiceFilter(
        choices=Membership.Role.choices, label=_("驻村职务。")
    )
    active_on = django_filters.DateFilter(
        method="filter_active_on", label=ACTIVE_ON_LABEL
    )
    team = IdFilter(field_name="team", label=_("驻村工作队的 id。"))
    person = IdFilter(field_name="person", label=_("干部的 id。"))

    class Meta:
        model = Membership
        fields = ["region", "role", "active_on", "team", "person"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(active_on(value))


def _units(*, user) -> QuerySet[Unit]:
    return scoped(
        user,
        Unit.objects.select_related(
            "region", "work_committee", "fixed_point_county", "deep_poverty_link_county"
        ),
    )


def unit_list(*, user, filters: Mapping[str, Any] | None = None) -> QuerySet[Unit]:
    """Dispatching units (派出单位) by level and name."""
    return UnitFilterSet.apply(filters, _units(user=user))


def unit_get(*, user, pk: int) -> Unit:
    """One unit; raises Unit.DoesNotExist."""
    return _units(user=user).get(pk=pk)


def _people(*, user) -> QuerySet[Person]:
    return scoped(user, Person.objects.select_related("unit"))


def person_list(*, user, filters: Mapping[str, Any] | None = None) -> QuerySet[Person]:
    """Cadres by name."""
    return PersonFilterSet.apply(filters, _people(user=user))


def person_get(*, user, pk: int) -> Person:
    """One cadre; raises Person.DoesNotExist."""
    return _people(user=user).get(pk=pk)


def _teams(*, user) -> QuerySet[Team]:
    return scoped(
        user,
        Team.objects.select_related("village__township", "village__county", "term"),
    )


def team_list(*, user, filters: Mapping[str, Any] | None = None) -> QuerySet[Team]:
    """Work teams by village and start date."""
    return TeamFilterSet.apply(filters, _teams(user=user))


def team_get(*, user, pk: int) -> Team:
    """One work team; raises Team.DoesNotExist."""
    return _teams(user=user).get(pk=pk)


def _memberships(*, user) -> QuerySet[Membership]:
    return scoped(
        user,
        Membership.objects.select_related("person", "unit", "team__village__county"),
    )


def membership_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[Membership]:
    """Memberships by team, role and start date."""
    return MembershipFilterSet.apply(filters, _memberships(user=user))


def membership_get(*, user, pk: int) -> Membership:
    """One membership; raises Membership.DoesNotExist."""
    return _memberships(user=user).get(pk=pk)
