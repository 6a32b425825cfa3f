"""What the pages share: a selector's 404, paging, the month, quarter and region."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.utils.translation import gettext as _

from attendance import selectors
from attendance.periods import due_date
from zhucun import clock
from zhucun.periods import Quarter, month_of, parse_month, previous_month

PER_PAGE = 50


def _found(getter, **kwargs):
    """The selector's row, or 404 (outside scope does not exist)."""
    try:
        return getter(**kwargs)
    except ObjectDoesNotExist:
        raise Http404(_("记录不存在或不在您的管辖范围内。")) from None


def _page(request, rows, per_page: int = PER_PAGE):
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def _entry_month() -> datetime.date:
    """The month a clerk most likely records: last month until its due day, then this one."""
    today = clock.today()
    current = month_of(today)
    last = previous_month(current)
    return last if today <= due_date(last) else current


def _month(request, default):
    text = request.GET.get("month") or request.POST.get("month")
    if not text:
        return default
    try:
        return parse_month(text)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return default


def _quarter(request) -> Quarter:
    text = request.GET.get("quarter") or request.POST.get("quarter")
    if text:
        try:
            return Quarter.parse(text)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
    return Quarter.of(clock.today())


def _region(request):
    """The region asked for (?region=CODE, in scope or 404), else the user's own."""
    code = (request.GET.get("region") or "").strip()
    if code:
        return _found(selectors.region_get, user=request.user, code=code)
    return selectors.home_region(request.user)


def _query(**params) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})
