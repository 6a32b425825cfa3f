"""Pages of the work teams: the list (with the roster export) and the team page.

Both read ``teams.team_selectors`` (a fixed number of queries each); the team
page's one form, the county's unfit mark, posts to ``teams.workflow``.
Outside the user's scope is 404.
"""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from teams import team_selectors as selectors
from teams.forms import MarkUnfitForm, TeamFilterForm
from teams.models import Team
from teams.selectors import counties_for
from zhucun.models import UserScope
from zhucun.pages import paginate, wants_xlsx
from zhucun.workbooks.exporter import export_response


def _region_choices(user) -> list[tuple[str, str]]:
    """(code, name) of the prefectures and counties the user may filter by; one query."""
    counties = list(counties_for(user))
    choices: list[tuple[str, str]] = []
    seen: set[str] = set()
    for county in counties:
        prefecture = county.parent
        if prefecture is not None and prefecture.code not in seen:
            seen.add(prefecture.code)
            choices.append((prefecture.code, prefecture.name))
        choices.append((county.code, f"　{county.name}"))
    return choices


@login_required
@permission_required("teams.view_team", raise_exception=True)
def team_list(request):
    """Teams by village: search, filters, sort, 50 a page, the roster as xlsx."""
    user = request.user
    form = TeamFilterForm(request.GET or None)
    filters = form.filters()
    errors: list[str] = []
    try:
        teams = selectors.team_rows(user=user, filters=filters)
    except ValidationError as exc:
        errors = exc.messages
        teams = selectors.team_rows(user=user, filters={"sort": filters["sort"]})
    if wants_xlsx(request):
        if errors:
            raise Http404(errors[0])
        return export_response(
            kind="roster", user=user, pks=selectors.roster_pks(teams)
        )
    page = paginate(request, teams)
    return render(
        request,
        "teams/team_list.html",
        {
            "form": form,
            "filters": filters,
            "errors": errors,
            "page": page,
            "regions": _region_choices(user),
            "sorts": [
                (k, label) for k, (label, _order) in selectors.TEAM_SORTS.items()
            ],
        },
    )


def may_mark_unfit(user) -> bool:
    """The county's organisation department marks members unfit (二(四))."""
    if not user.has_perm("teams.change_membership"):
        return False
    return user.is_superuser or selectors.user_role(user) == UserScope.Role.COUNTY


def render_team_page(request, pk: int, *, unfit_form: MarkUnfitForm | None = None):
    """The team page; ``unfit_form`` is a refused unfit mark to show with its errors."""
    user = request.user
    try:
        data = selectors.team_page(user=user, pk=pk)
    except Team.DoesNotExist:
        raise Http404(_("记录不存在或不在您的管辖范围内。")) from None
    by_pk = {m.pk: m for m in data.memberships}
    members = [
        (m, selectors.appointment_status(m), by_pk.get(m.replaced_by_id))
        for m in data.memberships
    ]
    may_mark = may_mark_unfit(user)
    if may_mark and unfit_form is None:
        unfit_form = MarkUnfitForm(
            memberships=selectors.markable_memberships(
                team=data.team, memberships=data.memberships
            )
        )
    return render(
        request,
        "teams/team_detail.html",
        {
            "data": data,
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
