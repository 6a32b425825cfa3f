"""Query pieces every domain uses: periods that overlap, correlated counts."""

import datetime

from django.db.models import IntegerField, Q, Subquery


def overlapping(first: datetime.date, last: datetime.date, prefix: str = "") -> Q:
    """Rows whose [start_date, end_date] meets [first, last] (no end: still open)."""
    return Q(**{f"{prefix}start_date__lte": last}) & (
        Q(**{f"{prefix}end_date__isnull": True})
        | Q(**{f"{prefix}end_date__gte": first})
    )


def throughout(first: datetime.date, last: datetime.date, prefix: str = "") -> Q:
    """Rows whose [start_date, end_date] covers all of [first, last]."""
    return Q(**{f"{prefix}start_date__lte": first}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": last})
    )


def active_on(date: datetime.date, prefix: str = "") -> Q:
    """Rows whose [start_date, end_date] contains ``date`` (no end: still serving)."""
    return Q(**{f"{prefix}start_date__lte": date}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": date})
    )


class SubqueryCount(Subquery):
    """The number of rows of a correlated queryset (0 when none)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()

    def __init__(self, queryset, **extra):
        # Without the default ordering, whose columns would join a DISTINCT.
        super().__init__(queryset.order_by(), **extra)
