"""The appointment and replacement workflow of 二(四), as pages.

Each role sees, on its to-do page, the memberships waiting for ITS step and
records the step there: the unit proposes (and proposes a replacement for a
member the county found unfit), its 机关工委 reviews and files, the county
appoints, transfers the party relation and marks a member unfit. Every write is
a ``teams.services`` call, which checks the role and the order of the steps and
writes the audit entry; a refusal shows on the form. Outside scope is 404.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from teams import selectors
from teams import team_selectors as todo
from teams.forms import ProposeForm, ReplaceForm, StepForm
from teams.models import Membership
from teams.services import (
    Step,
    membership_create,
    membership_record_step,
    membership_replace,
)
from zhucun import clock
from zhucun.access import user_scope
from zhucun.models import UserScope
from zhucun.pages import add_errors, paginate

STEP_LABELS = {
    Step.PROPOSE: todo.PENDING_LABELS[todo.Pending.PROPOSE],
    Step.REVIEW: todo.PENDING_LABELS[todo.Pending.REVIEW],
    Step.APPOINT: todo.PENDING_LABELS[todo.Pending.APPOINT],
    Step.FILE: todo.PENDING_LABELS[todo.Pending.FILE],
    Step.TRANSFER_PARTY: todo.PENDING_LABELS[todo.Pending.TRANSFER_PARTY],
}
NOT_FOUND = gettext_lazy("记录不存在或不在您的管辖范围内。")


def _membership(request, pk: int) -> Membership:
    try:
        return selectors.membership_get(user=request.user, pk=pk)
    except Membership.DoesNotExist:
        raise Http404(NOT_FOUND) from None


def _describe(m: Membership) -> str:
    return _("%(person)s（%(role)s），%(village)s驻村工作队") % {
        "person": m.person.name,
        "role": m.get_role_display(),
        "village": m.team.village.name,
    }


@login_required
@permission_required("teams.view_membership", raise_exception=True)
def appointments(request):
    """The memberships waiting for the user's role's step, 50 a page."""
    user = request.user
    page = paginate(request, todo.todo_list(user=user))
    scope = user_scope(user)
    return render(
        request,
        "teams/appointments.html",
        {
            "page": page,
            "role": scope.get_role_display() if scope else "",
            "labels": todo.PENDING_LABELS,
            "today": clock.today(),
            "may_propose": user.has_perm("teams.add_membership"),
        },
    )


@login_required
@permission_required("teams.view_membership", raise_exception=True)
def step(request, pk: int, step: str):
    """Record one step (推荐、审核、选派、备案、党组织关系转接) on a membership."""
    if step not in STEP_LABELS:
        raise Http404(NOT_FOUND)
    membership = _membership(request, pk)
    form = StepForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            membership_record_step(
                membership=membership,
                step=step,
                on=form.cleaned_data["on"],
                user=request.user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("已办理“%(step)s”：%(who)s。")
                % {"step": STEP_LABELS[step], "who": _describe(membership)},
            )
            return redirect("teams:appointments")
    return render(
        request,
        "teams/appointment_step.html",
        {
            "membership": membership,
            "step": step,
            "step_label": STEP_LABELS[step],
            "form": form,
            "status": todo.appointment_status(membership),
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@permission_required("teams.add_membership", raise_exception=True)
def propose(request):
    """Propose a candidate for a team (单位党委推荐), as a unit (or the county)."""
    user = request.user
    scope = user_scope(user)
    own_unit = scope.unit if scope and scope.role == UserScope.Role.UNIT else None
    form = ProposeForm(
        request.POST or None,
        user=user,
        people=selectors.person_list(user=user),
        teams=todo.proposable_teams(user=user),
        units=selectors.unit_list(user=user),
        own_unit=own_unit,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        team = data["team"]
        try:
            membership = membership_create(
                person=data["person"],
                team=team,
                role=data["role"],
                unit=own_unit or data["unit"],
                start_date=data["start_date"],
                end_date=team.end_date,
                is_leader=data["is_leader"],
                sector=data["sector"],
                proposed_on=data["proposed_on"],
                user=user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("已推荐%(who)s，等待机关工委审核。") % {"who": _describe(membership)},
            )
            return redirect("teams:appointments")
    return render(
        request,
        "teams/propose.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
@permission_required("teams.view_membership", raise_exception=True)
def replace(request, pk: int):
    """The unit proposes the replacement of a member the county found unfit."""
    user = request.user
    old = _membership(request, pk)
    scope = user_scope(user)
    form = ReplaceForm(
        request.POST or None, user=user, people=selectors.person_list(user=user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = scope.unit if scope and scope.unit_id else old.unit
        try:
            new = membership_replace(
                membership=old,
                person=data["person"],
                unit=unit,
                start_date=data["start_date"],
                proposed_on=data["proposed_on"],
                user=user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "已推荐%(new)s接替%(old)s；%(old)s的驻村任职于%(end)s结束。"
                    "等待机关工委审核、县委组织部选派。"
                )
                % {
                    "new": new.person.name,
                    "old": old.person.name,
                    "end": new.start_date - datetime.timedelta(days=1),
                },
            )
            return redirect("teams:appointments")
    return render(
        request,
        "teams/replace.html",
        {
            "old": old,
            "form": form,
            "today": clock.today(),
            "status": todo.appointment_status(old),
        },
        status=400 if form.is_bound else 200,
    )
