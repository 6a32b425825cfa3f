"""The home page: who you are, what your scope holds today, and where to go."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboards.selectors import landing_url
from teams import figures
from teams.models import Membership, Team
from villages.models import Village
from zhucun import clock
from zhucun.access import scoped, user_scope

_ADMIN_LISTS = (
    ("villages.view_village", "admin:villages_village_changelist", gettext_lazy("村")),
    ("teams.view_team", "admin:teams_team_changelist", gettext_lazy("驻村工作队")),
    ("teams.view_person", "admin:teams_person_changelist", gettext_lazy("干部")),
    ("teams.view_unit", "admin:teams_unit_changelist", gettext_lazy("派出单位")),
    (
        "teams.view_membership",
        "admin:teams_membership_changelist",
        gettext_lazy("队员任职"),
    ),
)


_TODO_ROLES = ("unit", "committee")


def _overview(user) -> list[tuple[str, int]]:
    """Poor villages, teams and members in post today, within the user's scope.

    "In post" is ``teams.figures``' definition, the dashboards' own.

    Three COUNT queries, whatever the size of the province.
    """
    today = clock.today()
    villages = scoped(user, Village.objects.filter(is_registered_poor=True))
    teams = scoped(user, Team.objects.filter(figures.in_post(today)))
    members = scoped(user, Membership.objects.filter(figures.member_in_post(today)))
    return [
        (_("建档立卡贫困村"), villages.count()),
        (_("在驻工作队"), teams.count()),
        (_("在任队员"), members.count()),
    ]


@login_required
def home(request):
    """Who you are and where to go; a regional role lands on the page of its job.

    Province and prefecture staff land on their dashboard, a county on its
    workbench, a township on its page; a unit and a committee on their to-do of
    appointment steps; the superuser stays here (``?stay=1`` keeps anyone here).
    """
    user = request.user
    if not request.GET.get("stay"):
        url = landing_url(user)
        scope = user_scope(user)
        if url is None and scope is not None and scope.role in _TODO_ROLES:
            url = reverse("teams:appointments")
        if url is not None:
            return redirect(url)
    admin_links = []
    if user.is_staff:
        admin_links = [
            (reverse(url_name), label)
            for perm, url_name, label in _ADMIN_LISTS
            if user.has_perm(perm)
        ]
    context = {
        "group_names": list(user.groups.values_list("name", flat=True)),
        "scope": user_scope(user),
        "admin_links": admin_links,
        "overview": _overview(user),
        "today": clock.today(),
    }
    return render(request, "home.html", context)
