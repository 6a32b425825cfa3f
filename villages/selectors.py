"""Reads of regions and villages, shared by the pages, the API and the exports.

Rows are scoped to what the user may see (zhucun.access.scoped), here and nowhere else.
"""

from collections.abc import Mapping
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from villages.models import Region, Village
from zhucun.access import scoped
from zhucun.api_filters import RegionFilter, StrictFilterSet


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


def _regions(*, user) -> QuerySet[Region]:
    # Three levels of parents: enough for Region.full_name of a township.
    return scoped(user, Region.objects.select_related("parent__parent__parent"))


def region_list(*, user, filters: Mapping[str, Any] | None = None) -> QuerySet[Region]:
    """Regions (province, prefectures, counties, townships) in code order."""
    return RegionFilterSet.apply(filters, _regions(user=user))


def region_get(*, user, pk: int) -> Region:
    """One region; raises Region.DoesNotExist."""
    return _regions(user=user).get(pk=pk)


def _villages(*, user) -> QuerySet[Village]:
    return scoped(user, Village.objects.select_related("township", "county__parent"))


def village_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[Village]:
    """Villages by county, township and name."""
    return VillageFilterSet.apply(filters, _villages(user=user))


def village_get(*, user, pk: int) -> Village:
    """One village; raises Village.DoesNotExist."""
    return _villages(user=user).get(pk=pk)
