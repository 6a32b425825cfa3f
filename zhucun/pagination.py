"""API pagination: page numbers with a bounded count, so big tables stay fast.

A plain ``COUNT(*)`` reads every matching row, which on 50,000 people or 1.2M
attendance rows is the slowest part of a page. ``StandardPagination`` counts at
most ``cap + 1`` rows (``SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1)``):

- up to the cap, ``count`` is exact and ``count_capped`` is ``false``;
- above it, ``count`` is the cap and ``count_capped`` is ``true``, meaning "more
  than ``count`` rows". Every page stays reachable: a page past the cap is read
  with one extra row, which tells whether a next page exists.

The cap is ``settings.ZHUCUN_API_COUNT_CAP`` (default 10,000). ``?page=last`` is
not offered, because it would need the exact count the cap avoids.
"""

import math
from functools import cached_property

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

DEFAULT_COUNT_CAP = 10_000


class CappedPage(Page):
    """A page read past the count cap, which knows whether another page follows."""

    def __init__(self, object_list, number, paginator, *, has_more: bool):
        super().__init__(object_list, number, paginator)
        self._has_more = has_more

    def has_next(self) -> bool:
        return self._has_more


class CappedCountPaginator(Paginator):
    """A Django paginator that counts at most ``count_cap + 1`` rows."""

    @cached_property
    def count_cap(self) -> int:
        return int(getattr(settings, "ZHUCUN_API_COUNT_CAP", DEFAULT_COUNT_CAP))

    @cached_property
    def _bounded_count(self) -> int:
        rows = self.object_list
        limit = self.count_cap + 1
        if isinstance(rows, QuerySet):
            # The ordering does not change a count; dropping it spares the
            # database a sort of every matching row before the LIMIT.
            return rows.order_by()[:limit].count()
        return min(len(rows), limit)

    @cached_property
    def count_capped(self) -> bool:
        return self._bounded_count > self.count_cap

    @cached_property
    def count(self) -> int:
        return min(self._bounded_count, self.count_cap)

    @property
    def num_pages(self) -> int:
        """Exact below the cap; above it, the pages known to exist so far."""
        if not self.count_capped:
            hits = max(1, self.count - self.orphans)
            return math.ceil(hits / self.per_page)
        known = math.ceil(self.count / self.per_page)
        return max(known, getattr(self, "_last_known_page", 0))

    def validate_number(self, number):
        if not self.count_capped:
            return super().validate_number(number)
        # Past the cap the last page is unknown: any page from 1 on may be
        # asked for, and page() refuses an empty one.
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        if not self.count_capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        # One row more than a page holds tells whether a next page exists.
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows:
            raise EmptyPage(self.error_messages["no_results"])
        has_more = len(rows) > self.per_page
        self._last_known_page = number + 1 if has_more else number
        return CappedPage(rows[: self.per_page], number, self, has_more=has_more)


class StandardPagination(PageNumberPagination):
    """Page numbers, 50 rows a page (``?page_size=`` up to 500), a capped count."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = CappedCountPaginator
    last_page_strings = ()
    page_query_description = _("页码，从1开始。")
    page_size_query_description = _("每页行数，默认50，最多500。")
    invalid_page_message = _("页码无效。")

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_capped": paginator.count_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        properties = response["properties"]
        properties["count"]["description"] = gettext(
            "符合条件的行数；count_capped 为 true 时表示“多于此数”。"
        )
        response["properties"] = {
            "count": properties["count"],
            "count_capped": {
                "type": "boolean",
                "example": False,
                "description": gettext(
                    "为 true 时行数超过统计上限，count 只是下限；各页仍可逐页读取。"
                ),
            },
            **{k: v for k, v in properties.items() if k != "count"},
        }
        for link in ("next", "previous"):
            # DRF's examples point at api.example.org; the docs stay on this server.
            properties[link].pop("example", None)
        response["required"] = ["count", "count_capped", "results"]
        return response
