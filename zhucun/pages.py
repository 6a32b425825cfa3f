"""What every list page shares: pages of rows, ``?format=xlsx``, query parameters, form errors.

A list reads its rows from its app's selector, pages them 50 at a time with
``paginate`` and, when ``wants_xlsx``, answers the same rows as a workbook with
``xlsx_response``. Cells go through ``zhucun.workbooks.writing``, which writes
text that begins with ``= + - @`` as text, never as a formula.
"""

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhucun import clock
from zhucun.workbooks.writing import SheetLayout, write_workbook

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_FOUND = gettext_lazy("记录不存在或不在您的管辖范围内。")
FLAG_CHOICES = [
    ("", gettext_lazy("全部")),
    ("true", gettext_lazy("是")),
    ("false", gettext_lazy("否")),
]


def paginate(request, rows, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def wants_xlsx(request) -> bool:
    return request.GET.get("format") == "xlsx"


def xlsx_attachment(body, filename: str) -> HttpResponse:
    """A workbook (bytes or a file) as a download named ``filename``."""
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def xlsx_response(*, filename: str, layout: SheetLayout, rows) -> HttpResponse:
    """One sheet, built in memory (the lists are bounded by the user's scope)."""
    buffer = io.BytesIO()
    # Choice labels are lazy translations, which openpyxl cannot write.
    plain = ([str(v) if isinstance(v, Promise) else v for v in row] for row in rows)
    write_workbook(buffer, [(layout, plain)])
    return xlsx_attachment(buffer.getvalue(), filename)


def table_xlsx_response(
    *,
    filename: str,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    text_columns: Iterable[int] = (),
) -> HttpResponse:
    """A one-sheet workbook titled ``title``: ``filename`` gets ``.xlsx`` added."""
    layout = SheetLayout(
        name=title[:31],
        headers=list(headers),
        title_lines=[title],
        text_columns=set(text_columns),
    )
    return xlsx_response(filename=f"{filename}.xlsx", layout=layout, rows=rows)


def year_param(request, *, years: Iterable[int], default: int) -> int:
    """The ``?year=`` asked for (``default`` when absent); 404 for a year not offered."""
    raw = request.GET.get("year")
    if not raw:
        return default
    try:
        year = int(raw)
    except ValueError:
        raise Http404(_("年度无效。")) from None
    if year not in years:
        raise Http404(_("年度无效。"))
    return year


def county_param(request, counties: list):
    """The ``?county=CODE`` asked for, or the user's only county; 404 outside scope."""
    code = request.GET.get("county", "")
    if code:
        for county in counties:
            if county.code == code:
                return county
        raise Http404(NOT_FOUND)
    return counties[0] if len(counties) == 1 else None


def add_errors(form, exc: ValidationError) -> None:
    """Put a service's refusal on the form's fields (or on the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


# --- lists with a search, filters and sortable columns ---------------------------
@dataclass(frozen=True)
class SortColumn:
    label: str
    key: str
    sort: str  # the ?sort= its header link asks for
    arrow: str


def sort_columns(
    request, columns: Sequence[tuple[str, str]], default: str
) -> dict[str, SortColumn]:
    """Header links: a click sorts by the column, a second click reverses it."""
    current = request.GET.get("sort") or default
    out = {}
    for key, label in columns:
        arrow = "▲" if current == key else "▼" if current == f"-{key}" else ""
        out[key] = SortColumn(
            label=label,
            key=key,
            sort=f"-{key}" if current == key else key,
            arrow=arrow,
        )
    return out


def filtered(read, *, user, filters: Mapping, empty: QuerySet):
    """The selector's rows, or no rows and the messages of a refused filter."""
    try:
        return read(user=user, filters=filters, today=clock.today()), []
    except ValidationError as exc:
        return empty, [m for messages in exc.message_dict.values() for m in messages]


def list_context(request, *, page, errors, sorts, regions, **extra) -> dict:
    """The context of a list page; ``regions`` are the region select's choices."""
    region = request.GET.get("region", "")
    return {
        "page": page,
        "errors": errors,
        "sorts": sorts,
        "regions": regions,
        "region": region,
        "region_offered": any(choice.code == region for choice in regions),
        "q": request.GET.get("q", ""),
        "flag_choices": FLAG_CHOICES,
        **extra,
    }
