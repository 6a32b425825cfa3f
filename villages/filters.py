"""``?region=CODE``: rows in a region or anywhere below it, for every list.

A region's ``path`` holds its ancestors' codes and its own (``510000/511000/511002/``),
so "inside region X" is ``<lookup>__startswith=X.path``: one prefix match on an
indexed column (PostgreSQL has a ``varchar_pattern_ops`` index for it). The code is
looked up first among the regions the user may name, so an unknown code or one
outside the user's scope answers 404 instead of matching nothing.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from villages.models import Region, Village
from zhucun.access import scoped, sees_everything, user_scope
from zhucun.pages import NOT_FOUND


def in_region(path_lookup: str, region: Region) -> Q:
    """Rows whose region (reached through ``path_lookup``) is ``region`` or below it."""
    return Q(**{f"{path_lookup}__startswith": region.path})


def visible_regions(user) -> QuerySet[Region]:
    """The regions ``user`` may name in a query parameter.

    A region scope covers its own region and everything below it (not its
    ancestors: ``/dashboards/510000/`` is 404 for a prefecture, so is
    ``?region=510000``). A unit or work committee has no region: it may name a
    region that holds a village its cadres serve in. Deny by default.
    """
    regions = Region.objects.all()
    if sees_everything(user):
        return regions
    scope = user_scope(user)
    if scope is None or not user.is_active:
        return regions.none()
    if scope.region_id is not None:
        return regions.filter(path__startswith=scope.region.path)
    villages = scoped(user, Village.objects.all())
    return regions.filter(
        Exists(villages.filter(township__path__startswith=OuterRef("path")))
    )


def region_in_scope(*, user, code: str) -> Region:
    """The region of ``code`` if ``user`` may name it, else 404.

    An unknown code and a code outside the scope get the same answer, the one a
    path outside the scope gets, so the one cannot be told from the other.
    """
    region = visible_regions(user).filter(code=code.strip()).first()
    if region is None:
        raise Http404(NOT_FOUND)
    return region


class RegionFilter(django_filters.CharFilter):
    """``?region=CODE``: rows in that region or any region below it.

    ``field_name`` is the lookup from the filtered model to a ``Region.path``
    (``township__path`` for a village); a filter set with a harder case passes
    ``method=`` and builds its condition with :func:`in_region`. The code is
    resolved by :meth:`in_scope` (``StrictFilterSet.apply`` calls it with the
    user), so the filter and the method see a Region; a code outside the user's
    scope, or unknown, is a 404 like a path outside the scope.
    """

    field_class = forms.CharField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "label",
            _(
                "行政区划代码（省、市（州）、县（市、区）或乡（镇）），含其所有下级，"
                "如 513400 为凉山州全州，511002 为内江市市中区；"
                "不在管辖范围内或不存在时返回404。"
            ),
        )
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("empty_value", None)  # absent, not a code to look up
        super().__init__(*args, **kwargs)

    def in_scope(self, value: str, *, user) -> Region:
        return region_in_scope(user=user, code=value)

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(in_region(self.field_name, value))
