"""The team page (/teams/<id>/) and its one form, the county's unfit mark (二(四)).

The page reads ``dashboards.team_page`` (records of every domain, a fixed number
of queries); the unfit mark is ``teams.services.membership_mark_unfit``, and a
refusal shows the page again with the form's errors. Outside scope is 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dashboards import team_page as selectors
from teams import selectors as teams
from teams import team_selectors as todo
from teams.forms import MarkUnfitForm
from teams.models import Team
from teams.services import membership_mark_unfit
from zhucun.models import UserScope
from zhucun.pages import NOT_FOUND, add_errors


def may_mark_unfit(user) -> bool:
    """The county's organisation department marks members unfit (二(四))."""
    if not user.has_perm("teams.change_membership"):
        return False
    return user.is_superuser or todo.user_role(user) == UserScope.Role.COUNTY


def render_team_page(request, pk: int, *, unfit_form: MarkUnfitForm | None = None):
    """The team page; ``unfit_form`` is a refused unfit mark to show with its errors."""
    user = request.user
    try:
        data = selectors.team_page(user=user, pk=pk)
    except Team.DoesNotExist:
        raise Http404(_("记录不存在或不在您的管辖范围内。")) from None
    by_pk = {m.pk: m for m in data.memberships}
    members = [
        (m, todo.appointment_status(m), by_pk.get(m.replaced_by_id))
        for m in data.memberships
    ]
    may_mark = may_mark_unfit(user)
    if may_mark and unfit_form is None:
        unfit_form = MarkUnfitForm(
            memberships=todo.markable_memberships(
                team=data.team, memberships=data.memberships
            )
        )
    return render(
        request,
        "teams/team_detail.html",
        {
            "data": data,
            "snapshot": data.snapshot,
            "team": data.team,
            "county": data.team.village.county,
            "members": members,
            "may_mark_unfit": may_mark,
            "unfit_form": unfit_form if may_mark else None,
        },
        status=400 if unfit_form is not None and unfit_form.is_bound else 200,
    )


@login_required
@permission_required("teams.view_team", raise_exception=True)
def team_detail(request, pk: int):
    """A team: village, term, members and their appointment, records, timeline."""
    return render_team_page(request, pk)


@login_required
@require_POST
@permission_required("teams.change_membership", raise_exception=True)
def mark_unfit(request, pk: int):
    """The county marks a member of the team unfit, with a replacement deadline."""
    user = request.user
    if not may_mark_unfit(user):
        raise Http404(NOT_FOUND)
    try:
        team = teams.team_get(user=user, pk=pk)
    except Team.DoesNotExist:
        raise Http404(NOT_FOUND) from None
    members = list(teams.membership_list(user=user, filters={"team": team.pk}))
    form = MarkUnfitForm(
        request.POST,
        memberships=todo.markable_memberships(team=team, memberships=members),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            marked = membership_mark_unfit(
                membership=data["membership"],
                on=data["on"],
                deadline=data["deadline"],
                user=user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "已认定%(person)s能力素质不适应，派出单位须于%(deadline)s前召回调整。"
                )
                % {"person": marked.person.name, "deadline": data["deadline"]},
            )
            return redirect("teams:team-detail", team.pk)
    return render_team_page(request, team.pk, unfit_form=form)
