"""The list of work teams (with the roster export).

It reads ``teams.team_selectors`` (a fixed number of queries whatever the rows);
the team page reads every domain and lives in ``dashboards.team_views``.
"""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from teams import team_selectors as selectors
from teams.figures import TeamStatus
from teams.forms import TeamFilterForm
from teams.selectors import counties_for
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
        teams = selectors.team_rows(
            user=user, filters={"sort": filters["sort"], "status": filters["status"]}
        )
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
            "statuses": [
                *TeamStatus.choices,
                (selectors.ALL_STATUSES, _("全部")),
            ],
            "sorts": [
                (k, label) for k, (label, _order) in selectors.TEAM_SORTS.items()
            ],
        },
    )
