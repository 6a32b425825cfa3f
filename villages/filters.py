"""``?region=CODE``: rows in a region or anywhere below it, for every list.

A region's ``path`` holds its ancestors' codes and its own (``510000/511000/511002/``),
so "inside region X" is ``<lookup>__startswith=X.path``: one prefix match on an
indexed column (PostgreSQL has a ``varchar_pattern_ops`` index for it). The code is
looked up first, so an unknown code is refused instead of matching nothing.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from villages.models import Region


def in_region(path_lookup: str, region: Region) -> Q:
    """Rows whose region (reached through ``path_lookup``) is ``region`` or below it."""
    return Q(**{f"{path_lookup}__startswith": region.path})


class RegionCodeField(forms.CharField):
    """A region code (行政区划代码), cleaned to the Region it names."""

    default_error_messages = {
        "unknown": _(
            "未找到行政区划代码“%(code)s”，请填写省、市（州）、县（市、区）或乡（镇）的代码。"
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 12)
        super().__init__(**kwargs)

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        try:
            return Region.objects.only("id", "code", "path").get(code=code)
        except Region.DoesNotExist:
            raise ValidationError(
                self.error_messages["unknown"], code="unknown", params={"code": code}
            ) from None


class RegionFilter(django_filters.CharFilter):
    """``?region=CODE``: rows in that region or any region below it.

    ``field_name`` is the lookup from the filtered model to a ``Region.path``
    (``township__path`` for a village); a filter set with a harder case passes
    ``method=`` and builds its condition with :func:`in_region`.
    """

    field_class = RegionCodeField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "label",
            _(
                "行政区划代码（省、市（州）、县（市、区）或乡（镇）），含其所有下级，"
                "如 513400 为凉山州全州，511002 为内江市市中区。"
            ),
        )
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(in_region(self.field_name, value))
