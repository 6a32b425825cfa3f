"""Reads of regions and villages, shared by the pages, the API and the exports.

Rows are scoped to what the user may see (zhucun.access.scoped), here and nowhere else.
"""

from collections.abc import Mapping
from typing import Any

import django_filters
from django.db.models import Count, Q, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from villages.filters import RegionFilter
from villages.models import (
    LIANGSHAN_CODE,
    PRIORITY_HOUSEHOLD,
    Household,
    Region,
    Village,
)
from zhucun.access import scoped, user_scope
from zhucun.api_filters import IdFilter, StrictFilterSet
from zhucun.models import UserScope


class RegionFilterSet(StrictFilterSet):
    region = RegionFilter(field_name="path")
    level = django_filters.ChoiceFilter(
        choices=Region.Level.choices,
        label=_("层级：省、市（州）、县（市、区）、乡（镇）。"),
    )

    class Meta:
        model = Region
        fields = ["region", "level"]


class VillageFilterSet(StrictFilterSet):
    # A township code must work too, so the village's own township is the anchor:
    # its path lies under the county, the prefecture and the province.
    region = RegionFilter(field_name="township__path")
    is_registered_poor = django_filters.BooleanFilter(
        label=_("是否建档立卡贫困村（true/false）。")
    )
    is_extremely_poor = django_filters.BooleanFilter(
        label=_("是否极度贫困村（true/false）。")
    )

    class Meta:
        model = Village
        fields = ["region", "is_registered_poor", "is_extremely_poor"]


class HouseholdFilterSet(StrictFilterSet):
    region = RegionFilter(field_name="village__township__path")
    village = IdFilter(field_name="village", label=_("村的 id。"))
    is_priority = django_filters.BooleanFilter(
        method="filter_is_priority",
        label=_(
            "是否重点户（true/false）：党员、困难、危重病人、空巢老人及留守儿童家庭，"
            "须每季度走访。"
        ),
    )
    is_party_member_family = django_filters.BooleanFilter(
        label=_("是否党员家庭（true/false）。")
    )
    is_hardship_family = django_filters.BooleanFilter(
        label=_("是否困难家庭（true/false）。")
    )
    has_critical_patient = django_filters.BooleanFilter(
        label=_("是否危重病人家庭（true/false）。")
    )
    is_empty_nest_or_left_behind = django_filters.BooleanFilter(
        label=_("是否空巢老人及留守儿童家庭（true/false）。")
    )

    class Meta:
        model = Household
        fields = [
            "region",
            "village",
            "is_priority",
            "is_party_member_family",
            "is_hardship_family",
            "has_critical_patient",
            "is_empty_nest_or_left_behind",
        ]

    def filter_is_priority(self, queryset, name, value):
        return queryset.filter(PRIORITY_HOUSEHOLD if value else ~PRIORITY_HOUSEHOLD)


def managed_regions(*, user) -> QuerySet[Region]:
    """Regions at or under the user's region scope: where the user may create rows.

    Reading is wider (the unit directory and the divisions are shared); writing a
    row that names a region needs the region to be the user's own or below it.
    A unit or committee scope manages no region.
    """
    regions = Region.objects.select_related("parent")
    if getattr(user, "is_superuser", False) and user.is_active:
        return regions
    scope = user_scope(user)
    if scope is None or not user.is_active or scope.region_id is None:
        return regions.none()
    if scope.role == UserScope.Role.PROVINCE:
        return regions
    return regions.filter(path__startswith=scope.region.path)


def managed_region_get(*, user, code: str, level: str | None = None) -> Region:
    """A region (of ``level``, if given) the user manages; raises Region.DoesNotExist."""
    regions = managed_regions(user=user).filter(code=code)
    if level is not None:
        regions = regions.filter(level=level)
    return regions.get()


def _regions(*, user) -> QuerySet[Region]:
    # Three levels of parents: enough for Region.full_name of a township.
    return scoped(user, Region.objects.select_related("parent__parent__parent"))


def region_list(*, user, filters: Mapping[str, Any] | None = None) -> QuerySet[Region]:
    """Regions (province, prefectures, counties, townships) in code order."""
    return RegionFilterSet.apply(filters, _regions(user=user), user=user)


def region_get(*, user, pk: int) -> Region:
    """One region; raises Region.DoesNotExist."""
    return _regions(user=user).get(pk=pk)


def _villages(*, user) -> QuerySet[Village]:
    return scoped(user, Village.objects.select_related("township", "county__parent"))


def village_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[Village]:
    """Villages by county, township and name."""
    return VillageFilterSet.apply(filters, _villages(user=user), user=user)


def village_get(*, user, pk: int) -> Village:
    """One village; raises Village.DoesNotExist."""
    return _villages(user=user).get(pk=pk)


def _households(*, user) -> QuerySet[Household]:
    return scoped(
        user,
        Household.objects.select_related(
            "village__township", "village__county__parent"
        ),
    )


def household_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[Household]:
    """Households by village and id."""
    return HouseholdFilterSet.apply(filters, _households(user=user), user=user)


def household_get(*, user, pk: int) -> Household:
    """One household; raises Household.DoesNotExist."""
    return _households(user=user).get(pk=pk)


# --- the village list page (search, flags, sort) ----------------------------------


class SortFilter(django_filters.ChoiceFilter):
    """``?sort=name`` or ``?sort=-name``: one of the page's whitelisted orders.

    Each key names the columns to order by; a leading ``-`` reverses the first
    one. The primary key comes last, so pages never repeat or skip a row.
    """

    def __init__(self, *, orders: Mapping[str, tuple[str, ...]], **kwargs):
        self.orders = orders
        keys = [*orders, *(f"-{key}" for key in orders)]
        kwargs.setdefault(
            "label",
            format_lazy(_("排序：{keys}，前加“-”为倒序。"), keys="、".join(orders)),
        )
        super().__init__(choices=[(key, key) for key in keys], **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        first, *rest = self.orders[value.lstrip("-")]
        if value.startswith("-"):
            first = f"-{first}"
        return qs.order_by(first, *rest, "pk")


VILLAGE_SORTS = {
    "county": ("county__code", "township__code", "name"),
    "township": ("township__name", "name"),
    "name": ("name",),
    "households": ("household_count", "name"),
}


class VillageDirectoryFilterSet(VillageFilterSet):
    """The API's village filters, and the list page's search, Liangshan flag and sort."""

    q = django_filters.CharFilter(
        method="filter_search", label=_("村名或村代码中的文字。")
    )
    liangshan = django_filters.BooleanFilter(
        method="filter_liangshan", label=_("是否凉山州的村（true/false）。")
    )
    sort = SortFilter(orders=VILLAGE_SORTS)

    class Meta(VillageFilterSet.Meta):
        fields = VillageFilterSet.Meta.fields

    def filter_search(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))

    def filter_liangshan(self, queryset, name, value: bool):
        # Region.is_liangshan: 凉山州 is 5134, and so is everything inside it.
        inside = Q(county__code__startswith=LIANGSHAN_CODE[:4])
        return queryset.filter(inside) if value else queryset.exclude(inside)


def village_households(*, user, village: Village) -> dict[str, int]:
    """How many households of the village are recorded, and how many are priority."""
    return scoped(user, Household.objects.filter(village=village)).aggregate(
        recorded=Count("pk"), priority=Count("pk", filter=PRIORITY_HOUSEHOLD)
    )


def region_by_code(code: str) -> Region | None:
    """The region of ``code`` (any level), or None for an empty or unknown code."""
    code = code.strip()
    return Region.objects.filter(code=code).first() if code else None
