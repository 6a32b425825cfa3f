"""Reads of units, people, teams and memberships, shared by pages, API and exports.

Rows are scoped to what the user may see (zhucun.access.scoped), here and nowhere else.
"""

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from teams.models import Membership, Pairing, Person, Team, Unit
from villages.filters import RegionFilter, in_region
from villages.models import Region, Village
from villages.selectors import SortFilter, VillageDirectoryFilterSet
from zhucun.access import scoped, user_scope
from zhucun.api_filters import IdFilter, StrictFilterSet
from zhucun.id_numbers import mask_personal, normalize_id_number, parse_id_number
from zhucun.models import UserScope
from zhucun.queries import active_on
from zhucun.roles import can_view_full_personal_data

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


class PairingFilterSet(StrictFilterSet):
    region = RegionFilter(
        method="filter_region",
        label=_(
            "行政区划代码，含其所有下级：返回帮扶县或受援县位于该地区的对口帮扶关系。"
        ),
    )
    assisting = RegionFilter(
        field_name="assisting_county__path",
        label=_("帮扶县（或其所在市（州））的代码，含其所有下级。"),
    )
    assisted = RegionFilter(
        field_name="assisted_county__path",
        label=_("受援县（或其所在市（州））的代码，含其所有下级。"),
    )

    class Meta:
        model = Pairing
        fields = ["region", "assisting", "assisted"]

    def filter_region(self, queryset, name, value: Region):
        return queryset.filter(
            in_region("assisting_county__path", value)
            | in_region("assisted_county__path", value)
        )


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
    return UnitFilterSet.apply(filters, _units(user=user), user=user)


def unit_get(*, user, pk: int) -> Unit:
    """One unit; raises Unit.DoesNotExist."""
    return _units(user=user).get(pk=pk)


def _pairings(*, user) -> QuerySet[Pairing]:
    return scoped(
        user,
        Pairing.objects.select_related(
            "assisting_county__parent", "assisted_county__parent"
        ),
    )


def pairing_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[Pairing]:
    """Paired assistance (对口帮扶) by assisted and assisting county."""
    return PairingFilterSet.apply(filters, _pairings(user=user), user=user)


def pairing_get(*, user, pk: int) -> Pairing:
    """One pairing; raises Pairing.DoesNotExist."""
    return _pairings(user=user).get(pk=pk)


def _people(*, user) -> QuerySet[Person]:
    return scoped(user, Person.objects.select_related("unit"))


def person_list(*, user, filters: Mapping[str, Any] | None = None) -> QuerySet[Person]:
    """Cadres by name."""
    return PersonFilterSet.apply(filters, _people(user=user), user=user)


def person_get(*, user, pk: int) -> Person:
    """One cadre; raises Person.DoesNotExist."""
    return _people(user=user).get(pk=pk)


# --- people named by 身份证号码 -----------------------------------------------------
#
# Every write that names a person by number (the API, the proposal and replacement
# forms, the imports) finds them here, inside the actor's scope. A number outside
# the scope gets the same answer as a number nobody has: a write must not tell
# whether, or where, a person of another county serves. Such a cadre joins a team
# through the appointment chain (proposed by the unit that employs them).


def id_number_not_found(number: str) -> str:
    """The one answer for a 身份证号码 unknown or outside the actor's scope."""
    return _(
        "身份证号码为%(number)s的干部不在您管辖范围内的干部名册中；"
        "管辖范围以外的干部须由其派出单位推荐后选派，尚未登记的干部请先登记。"
    ) % {"number": mask_personal("id_number", number)}


def people_by_id_number(*, user, numbers: Iterable[str]) -> dict[str, Person]:
    """The people of these (normalised) numbers whom ``user`` may see, by number.

    ``user`` None is the system (a command line import): everyone.
    """
    people = Person.objects.select_related("unit")
    if user is not None:
        people = scoped(user, people)
    numbers = sorted(set(numbers))
    found: dict[str, Person] = {}
    # Slices small enough for an IN (...) on SQLite.
    for start in range(0, len(numbers), 900):
        chunk = numbers[start : start + 900]
        found.update((p.id_number, p) for p in people.filter(id_number__in=chunk))
    return found


def person_by_id_number(*, user, raw: str) -> Person:
    """The cadre of a 身份证号码 in ``user``'s scope; ValidationError otherwise."""
    number = parse_id_number(raw).number
    person = people_by_id_number(user=user, numbers=[number]).get(number)
    if person is None:
        raise ValidationError(id_number_not_found(number), code="id_not_found")
    return person


def _teams(*, user) -> QuerySet[Team]:
    return scoped(
        user,
        Team.objects.select_related("village__township", "village__county", "term"),
    )


def team_list(*, user, filters: Mapping[str, Any] | None = None) -> QuerySet[Team]:
    """Work teams by village and start date."""
    return TeamFilterSet.apply(filters, _teams(user=user), user=user)


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
    return MembershipFilterSet.apply(filters, _memberships(user=user), user=user)


def membership_get(*, user, pk: int) -> Membership:
    """One membership; raises Membership.DoesNotExist."""
    return _memberships(user=user).get(pk=pk)


# --- the directory pages: units and people (search, flags, sort) ------------------

UNIT_SORTS = {
    "name": ("name",),
    "level": ("level", "name"),
    "region": ("region__code", "name"),
    "staff": ("staff_count", "name"),
    "serving": ("serving", "name"),
}


class UnitDirectoryFilterSet(UnitFilterSet):
    """The API's unit filters, and the list page's name search and sort."""

    q = django_filters.CharFilter(method="filter_search", label=_("单位名称中的文字。"))
    sort = SortFilter(orders=UNIT_SORTS)

    class Meta(UnitFilterSet.Meta):
        fields = UnitFilterSet.Meta.fields

    def filter_search(self, queryset, name, value: str):
        value = value.strip()
        return queryset.filter(name__icontains=value) if value else queryset


def unit_directory(
    *, user, filters: Mapping[str, Any] | None, today: datetime.date
) -> QuerySet[Unit]:
    """Units, each with how many of its members serve today where the user may see.

    The directory of units is shared; who a unit sent, and where, is not, so the
    count reads only the memberships in the user's scope.
    """
    serving = (
        scoped(user, Membership.objects.filter(active_on(today), unit=OuterRef("pk")))
        .order_by()
        .values("unit")
        .annotate(n=Count("pk"))
        .values("n")
    )
    units = (
        _units(user=user)
        .annotate(serving=Coalesce(Subquery(serving), 0))
        .order_by("level", "name", "pk")
    )
    return UnitDirectoryFilterSet.apply(filters, units, user=user)


def unit_members_serving(
    *, user, unit: Unit, today: datetime.date
) -> QuerySet[Membership]:
    """The unit's members in post today, in the user's scope, by place and role."""
    return (
        scoped(user, Membership.objects.filter(active_on(today), unit=unit))
        .select_related("person", "team__village__township", "team__village__county")
        .order_by(
            "team__village__county__code",
            "team__village__township__code",
            "team__village__name",
            "role",
            "person__name",
            "pk",
        )
    )


PERSON_SORTS = {
    "name": ("name",),
    "unit": ("unit__name", "name"),
}  # no birth date: an order by it would give back what the mask hides
_ID_TAIL = re.compile(r"^[0-9]{3}[0-9X]$")


class PersonDirectoryFilterSet(PersonFilterSet):
    """The API's people filters, and the list page's search, flags and sort.

    The search reads names, and the last four characters of the 身份证号码 that
    the masked number shows anyway; the whole number and the phone only for
    users who may see them (查看完整身份证号码和联系电话).
    """

    q = django_filters.CharFilter(
        method="filter_search",
        label=_("姓名，或身份证号码后四位；有完整个人信息权限的还可查号码和电话。"),
    )
    serving = django_filters.BooleanFilter(
        method="filter_serving", label=_("今天是否在您管辖范围内驻村（true/false）。")
    )
    sort = SortFilter(orders=PERSON_SORTS)

    class Meta(PersonFilterSet.Meta):
        fields = PersonFilterSet.Meta.fields

    def __init__(self, *args, user, today: datetime.date, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.today = today

    def filter_search(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        found = Q(name__icontains=value)
        number = normalize_id_number(value)
        if _ID_TAIL.match(number):
            found |= Q(id_number__endswith=number)
        if can_view_full_personal_data(self.user) and len(number) >= 4:
            found |= Q(id_number__contains=number) | Q(phone__contains=number)
        return queryset.filter(found)

    def filter_serving(self, queryset, name, value: bool):
        serving = scoped(
            self.user,
            Membership.objects.filter(active_on(self.today), person=OuterRef("pk")),
        )
        return queryset.filter(Exists(serving) if value else ~Exists(serving))


def person_directory(
    *, user, filters: Mapping[str, Any] | None, today: datetime.date
) -> QuerySet[Person]:
    """People for the list page, each with ``current``: their memberships in post today.

    ``current`` holds only memberships in the user's scope, like the rest of the page.
    """
    current = scoped(user, Membership.objects.filter(active_on(today))).select_related(
        "team__village__township", "team__village__county"
    )
    people = (
        _people(user=user)
        .prefetch_related(Prefetch("memberships", queryset=current, to_attr="current"))
        .order_by("name", "pk")
    )
    filterset = PersonDirectoryFilterSet(
        data=filters or {}, queryset=people, user=user, today=today
    )
    if not filterset.is_valid():
        raise ValidationError(filterset.form.errors.as_data())
    return filterset.qs


# --- regions a user works in ---------------------------------------------------
def counties_for(user) -> QuerySet[Region]:
    """Counties whose yearly cycle ``user`` may look at, by code."""
    counties = Region.objects.filter(level=Region.Level.COUNTY).select_related("parent")
    if getattr(user, "is_superuser", False) and user.is_active:
        return counties
    scope = user_scope(user)
    if scope is None or not user.is_active:
        return counties.none()
    if scope.region_id is not None:
        region = scope.region
        if region.level == Region.Level.TOWNSHIP:
            return counties.filter(pk=region.parent_id)
        return counties.filter(path__startswith=region.path)
    if scope.role in (UserScope.Role.UNIT, UserScope.Role.COMMITTEE):
        teams = scoped(user, Team.objects.all()).values("village__county_id")
        return counties.filter(pk__in=teams)
    return counties.none()


@dataclass(frozen=True)
class RegionChoice:
    code: str
    label: str


def region_choices(user) -> list[RegionChoice]:
    """The regions the list's region select offers, indented by level.

    The province and a prefecture go down to counties, a county to its townships;
    a unit or committee gets the counties where its members serve.
    """
    levels = Region.Level
    scope = user_scope(user)
    if (getattr(user, "is_superuser", False) and user.is_active) or (
        scope is not None and scope.role == UserScope.Role.PROVINCE
    ):
        regions = Region.objects.filter(
            level__in=(levels.PROVINCE, levels.PREFECTURE, levels.COUNTY)
        )
    elif scope is not None and scope.region_id is not None:
        base = scope.region
        wanted = (
            (levels.COUNTY, levels.TOWNSHIP)
            if base.level in (levels.COUNTY, levels.TOWNSHIP)
            else (levels.PREFECTURE, levels.COUNTY)
        )
        regions = Region.objects.filter(path__startswith=base.path, level__in=wanted)
    else:
        regions = counties_for(user)
    regions = list(regions.order_by("path"))
    top = min((r.path.count("/") for r in regions), default=0)
    return [
        RegionChoice(r.code, "\u3000" * (r.path.count("/") - top) + r.name)
        for r in regions
    ]


def village_directory(
    *, user, filters: Mapping[str, Any] | None, today: datetime.date
) -> QuerySet[Village]:
    """Villages for the list page, each marked with whether a team is in post today."""
    in_post = Team.objects.filter(active_on(today), village=OuterRef("pk"))
    villages = (
        scoped(user, Village.objects.select_related("township", "county__parent"))
        .annotate(team_in_post=Exists(in_post))
        .order_by("county__code", "township__code", "name", "pk")
    )
    return VillageDirectoryFilterSet.apply(filters, villages, user=user)
