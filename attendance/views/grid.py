"""The monthly attendance grid of a township: view, save, submit, reopen."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attendance import selectors
from attendance.forms import ReopenForm, grid_input_name, parse_grid
from attendance.periods import due_date
from attendance.services import (
    VALUE_FIELDS,
    attendance_grid_save,
    attendance_reopen,
    attendance_submit,
    field_label,
    grid_key,
    may_reopen,
)
from zhucun.access import user_scope
from zhucun.models import UserScope
from zhucun.periods import month_code, month_display, previous_month
from zhucun.roles import require_perm

from .params import _entry_month, _found, _month, _page, _query


def _township(request):
    """The township of the grid: the clerk's own, or the one asked for (in scope)."""
    code = (request.GET.get("township") or request.POST.get("township") or "").strip()
    scope = user_scope(request.user)
    if not code and scope is not None and scope.role == UserScope.Role.TOWNSHIP:
        code = scope.region.code
    if not code:
        return None
    return _found(selectors.township_get, user=request.user, code=code)


def _grid_url(township, month) -> str:
    return (
        reverse("attendance:grid")
        + "?"
        + _query(township=township.code, month=month_code(month))
    )


_NUMBER_ATTRS = 'inputmode="numeric" autocomplete="off" data-day'
_REMARK_ATTRS = 'class="grid-remark" maxlength="200"'


def _grid_rows(grid, *, editable: bool, posted=None, errors=None):
    """Rows for the template, each cell's input rendered here.

    A grid holds up to a hundred members of four cells each: writing the inputs
    here (every value escaped) instead of with template tags keeps the page fast.
    """
    errors = errors or {}
    labels = {field: escape(field_label(field)) for field in VALUE_FIELDS}
    rows = []
    for row in grid.rows:
        person = escape(row.person_name)
        cells = []
        for field in VALUE_FIELDS:
            name = grid_input_name(row.membership_id, field)
            if posted is not None:
                value = posted.get(name, "")
            else:
                value = getattr(row, field)
                value = "" if value is None else value
            if not editable:
                cells.append(value)
                continue
            problems = errors.get(grid_key(row.membership_id, field))
            invalid = (
                f' aria-invalid="true" title="{escape(" ".join(problems))}"'
                if problems
                else ""
            )
            attrs = _REMARK_ATTRS if field == "remark" else _NUMBER_ATTRS
            cells.append(
                mark_safe(  # every interpolated value is escaped above
                    f'<input type="text" name="{name}" value="{escape(value)}" '
                    f'{attrs} aria-label="{person} {labels[field]}"{invalid}>'
                )
            )
        rows.append({"row": row, "cells": cells})
    return rows


def _render_grid(request, township, month, *, posted=None, errors=None, status=200):
    grid = selectors.grid_get(user=request.user, township=township, month=month)
    user = request.user
    may_edit = user.has_perms(
        ["attendance.add_monthlyattendance", "attendance.change_monthlyattendance"]
    )
    messages_list = [m for messages_ in (errors or {}).values() for m in messages_]
    editable = may_edit and not grid.locked
    return render(
        request,
        "attendance/grid.html",
        {
            "grid": grid,
            "rows": _grid_rows(grid, editable=editable, posted=posted, errors=errors),
            "month_code": month_code(month),
            "month_label": month_display(month),
            "previous": month_code(previous_month(month)),
            "following": month_code(
                month.replace(year=month.year + 1, month=1)
                if month.month == 12
                else month.replace(month=month.month + 1)
            ),
            "due": due_date(month),
            "errors": messages_list,
            "may_edit": editable,
            "may_submit": may_edit
            and user.has_perm("attendance.change_attendancesubmission")
            and not grid.locked
            and bool(grid.rows),
            "may_reopen": grid.locked and may_reopen(user),
            "reopen_form": ReopenForm(),
            "fields": [field_label(f) for f in VALUE_FIELDS],
        },
        status=status,
    )


@login_required
def grid(request):
    """The township's month: one row per member, saved in one request."""
    require_perm(request.user, "attendance.view_monthlyattendance")
    township = _township(request)
    if township is None:
        return _choose_township(request)
    month = _month(request, _entry_month())
    if request.method != "POST":
        return _render_grid(request, township, month)
    require_perm(
        request.user,
        ("attendance.add_monthlyattendance", "attendance.change_monthlyattendance"),
    )
    entries, bad = parse_grid(request.POST)
    errors: dict[str, list[str]] = {}
    if bad:
        names = {
            row.membership_id: row.person_name
            for row in selectors.grid_get(
                user=request.user, township=township, month=month
            ).rows
        }
        for membership_id, field, text in bad:
            errors[grid_key(membership_id, field)] = [
                _("%(name)s的%(field)s“%(text)s”不是整数。")
                % {
                    "name": names.get(membership_id, membership_id),
                    "field": field_label(field),
                    "text": text,
                }
            ]
    else:
        try:
            result = attendance_grid_save(
                user=request.user, township=township, month=month, entries=entries
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(
                request,
                _(
                    "已保存%(month)s考勤：新增%(created)d人，修改%(updated)d人，未变%(same)d人。"
                )
                % {
                    "month": month_display(month),
                    "created": result.created,
                    "updated": result.updated,
                    "same": result.unchanged,
                },
            )
            return redirect(_grid_url(township, month))
    return _render_grid(
        request, township, month, posted=request.POST, errors=errors, status=400
    )


def _choose_township(request):
    region = selectors.home_region(request.user)
    townships = selectors.township_choices(user=request.user)
    return render(
        request,
        "attendance/grid_choose.html",
        {
            "page": _page(request, townships),
            "region": region,
            "month_code": month_code(_month(request, _entry_month())),
        },
    )


@login_required
@require_POST
def grid_submit(request):
    """Submit (报送) the township's month; it is locked until the county reopens it."""
    require_perm(
        request.user,
        ("attendance.add_monthlyattendance", "attendance.change_attendancesubmission"),
    )
    township = _township(request)
    if township is None:
        raise Http404
    month = _month(request, _entry_month())
    try:
        attendance_submit(user=request.user, township=township, month=month)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(township)s%(month)s的考勤已报送，现已锁定。")
            % {"township": township.name, "month": month_display(month)},
        )
    return redirect(_grid_url(township, month))


@login_required
@require_POST
def grid_reopen(request):
    """Reopen (退回) a submitted month, with a reason; the county's step."""
    township = _township(request)
    if township is None:
        raise Http404
    month = _month(request, _entry_month())
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写退回原因。"))
        return redirect(_grid_url(township, month))
    try:
        attendance_reopen(
            user=request.user,
            township=township,
            month=month,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("已退回%(township)s%(month)s的考勤，乡镇可修改后重新报送。")
            % {"township": township.name, "month": month_display(month)},
        )
    return redirect(_grid_url(township, month))
