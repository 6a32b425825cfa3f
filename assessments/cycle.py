"""What the county's yearly-cycle pages share (grading, training, letters, funds).

The cycle's pages (``assessments.views`` and ``funding.views``) take a county
and a year from the query string and show the years the data holds.
"""

from django.http import Http404
from django.utils.translation import gettext as _

from assessments import selectors
from teams.models import Team
from zhucun import clock, pages
from zhucun.access import get_scoped_or_404


def year_param(request, default: int | None = None) -> int:
    """The ``?year=`` asked for (default: today's year); 404 for a year not offered."""
    return pages.year_param(
        request,
        years=selectors.year_choices(),
        default=default if default is not None else clock.today().year,
    )


def base_context(request, *, counties, county, year=None, **extra) -> dict:
    return {
        "counties": counties,
        "county": county,
        "year": year,
        "years": selectors.year_choices(),
        "today": clock.today(),
        **extra,
    }


def team_param(request) -> int | None:
    """The ``?team=`` a form is opened for; 404 for a team outside the scope."""
    raw = request.GET.get("team", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404(_("记录不存在或不在您的管辖范围内。"))
    team = get_scoped_or_404(request.user, Team.objects.only("pk"), pk=int(raw))
    return team.pk
