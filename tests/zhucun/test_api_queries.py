"""Every /api/v1/ list and detail reads a fixed number of queries, however many rows.

The world is several Liangshan counties, each with a row of every kind
(``tests.zhucun.test_access._county_world``), read by a 凉山州 user. Every list,
detail and read-only action of the router is counted exactly at two sizes of
that world, the second twice the first: a count that grows with the rows (an
N+1) fails at one size or the other. ``EXPECTED`` must name every basename (and
every GET action) registered on the router, so an endpoint added without a case
here fails the suite.
"""

import datetime
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from assessments.models import Assessment
from attendance.models import LeaderMeeting, MonthlyAttendance
from compliance.services import compliance_refresh
from teams.models import Membership, Person, Team, Unit
from tests.factories import TeamFactory
from tests.zhucun.test_access import _county_world
from villages.models import Region
from zhucun.api import router
from zhucun.models import ImportJob

PREFECTURE = "513400"  # 凉山州
SIZES = [3, 6]  # counties in the world; the second doubles the first
YEAR = "2019"  # the year of the world's rows
TODAY = datetime.date(2019, 12, 31)

# Each count starts with the user's scope (one query). A paginated list then
# counts at most cap + 1 rows (zhucun.pagination) and reads its page; a detail
# reads its row. Extra queries are named.
EXPECTED: dict[str, int] = {
    "region.list": 3,
    "region.detail": 2,
    "village.list": 3,
    "village.detail": 2,
    "household.list": 3,
    "household.detail": 2,
    "unit.list": 3,
    "unit.detail": 2,
    "pairing.list": 3,
    "pairing.detail": 2,
    "person.list": 3,
    "person.detail": 2,
    "team.list": 3,
    "team.detail": 2,
    "membership.list": 3,
    "membership.detail": 2,
    "compliance-finding.list": 3,
    "compliance-finding.detail": 2,
    # the snapshot's version, the counts per rule, the snapshot's run
    "compliance-summary.list": 4,
    "compliance-summary.detail": 4,
    "attendance.list": 3,
    "attendance.detail": 2,
    "attendance-submission.list": 3,
    "attendance-submission.detail": 2,
    # + the page's townships' submissions, in one query
    "attendance-submission.completeness": 4,
    "attendance-rollup.list": 3,
    "attendance-rollup.detail": 2,
    "household-visit.list": 3,
    "household-visit.detail": 2,
    "team-report.list": 3,
    "team-report.detail": 2,
    # + the attendees of the page's meetings, in one query
    "leader-meeting.list": 4,
    "leader-meeting.detail": 3,
    "reminder.list": 3,
    "reminder.detail": 2,
    "assessment.list": 3,
    "assessment.detail": 2,
    # the region, the two rules, the user's counties
    "assessment.barred": 5,
    # the county, the members and the grades per county
    "assessment.cap": 4,
    # the person, terms, attendance by year, training, grades; the county and
    # each member rule as of today, the county and the two year-end rules for
    # 2018 (TODAY fixes the years served); the person, county and unit again
    "assessment.record": 23,
    "training-event.list": 3,
    "training-event.detail": 2,
    "training-record.list": 3,
    "training-record.detail": 2,
    "training-record.days": 3,
    "target-letter.list": 3,
    "target-letter.detail": 2,
    "target-letter.missing": 3,
    "target-item.list": 3,
    "target-item.detail": 2,
    "fund.list": 3,
    "fund.detail": 2,
    "fund.suggestion": 2,  # scope, the team with its county
    "fund.teams": 3,
    "spending.list": 3,
    "spending.detail": 2,
    # a job is read by its uploader, without a scope: count and page, or the row
    "import.list": 2,
    "import.detail": 1,
    "import.result": 1,
}

# GET actions left out, and why.
NOT_COUNTED = {
    "import.errors": "a file download, 404 without an error workbook on disk",
}

# The query string of each read-only action: a filter or the row it is about.
ACTION_PARAMS: dict[str, Callable[[], dict]] = {
    "attendance-submission.completeness": lambda: {"month": "2019-01"},
    "assessment.barred": lambda: {"year": YEAR},
    "assessment.cap": lambda: {"year": YEAR, "county": _first_county().code},
    "assessment.record": lambda: {"person": _first_person().pk},
    "training-record.days": lambda: {"year": YEAR},
    "target-letter.missing": lambda: {"year": YEAR},
    "fund.suggestion": lambda: {"team": Team.objects.order_by("pk")[0].pk},
    "fund.teams": lambda: {"year": YEAR},
}


def _counties(n: int) -> list[Region]:
    return list(
        Region.objects.filter(
            parent__code=PREFECTURE, level=Region.Level.COUNTY
        ).order_by("code")[:n]
    )


def _first_county() -> Region:
    return _counties(1)[0]


def _first_person() -> Person:
    return Person.objects.order_by("pk")[0]


def _world(counties: int, user) -> None:
    """``counties`` Liangshan counties with a row of every kind, links filled in.

    ``user`` gets an import job per county (a job is its uploader's alone).
    """
    places = _counties(counties)
    assert len(places) == counties
    for n, county in enumerate(places):
        world = _county_world(county.code, f"县{n}")
        # The optional links too, so a serializer that follows them shows here.
        Unit.objects.filter(pk=world["unit"].pk).update(
            fixed_point_county=county, deep_poverty_link_county=county
        )
        # A secretary graded 不称职 bars its unit (assessments/barred/).
        secretary = world["secretary"]
        Assessment.objects.create(
            person=secretary.person,
            membership=secretary,
            year=int(YEAR),
            grade=Assessment.Grade.INCOMPETENT,
        )
        # A second team, without a target letter (target-letters/missing/).
        TeamFactory(village__township=world["township"], village__county=county)
        ImportJob.objects.create(
            kind="villages",
            user=user,
            file_path=f"imports/{n}.xlsx",
            original_name=f"{county.name}.xlsx",
            status=ImportJob.Status.DONE,
            counts={"rows": 1, "created": 1, "written": True},
        )
    # One person's record grows too: a month of attendance per county.
    first = Membership.objects.filter(person=_first_person()).get()
    for month in range(2, 2 + counties):
        MonthlyAttendance.objects.create(
            membership=first, month=datetime.date(2019, month, 1), in_post_days=20
        )
    # Every meeting attended by every member: a detail's attendees grow too.
    members = list(Membership.objects.all())
    for meeting in LeaderMeeting.objects.all():
        meeting.attendees.set(members)
    compliance_refresh(as_of=datetime.date(2019, 6, 30))


def _endpoints() -> list[tuple[str, str]]:
    """(case, path) of every list, detail and GET action of the router."""
    found = []
    for prefix, viewset, basename in router.registry:
        found.append((f"{basename}.list", f"/api/v1/{prefix}/"))
        found.append((f"{basename}.detail", f"/api/v1/{prefix}/{{id}}/"))
        for action in viewset.get_extra_actions():
            case = f"{basename}.{action.url_path}"
            if "get" not in action.mapping or case in NOT_COUNTED:
                continue
            row = "{id}/" if action.detail else ""
            path = f"/api/v1/{prefix}/{row}{action.url_path}/"
            found.append((case, path))
    return found


def _get(user, path: str, params: dict | None = None):
    """GET as ``user`` re-read (its scope looked up as on a new request), counted."""
    client = APIClient()
    client.force_authenticate(type(user).objects.get(pk=user.pk))
    cache.clear()  # the compliance counts are cached per snapshot
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {})
    assert response.status_code == 200, (path, response.status_code, response.data)
    return response.json(), [q["sql"] for q in queries]


def _rows(body) -> list:
    return body["results"] if isinstance(body, dict) and "results" in body else body


def test_every_endpoint_of_the_router_has_a_case():
    cases = {case for case, _path in _endpoints()}

    assert cases - set(EXPECTED) == set(), "add these endpoints to EXPECTED"
    assert set(EXPECTED) - cases == set(), "these endpoints are gone from the router"
    assert set(ACTION_PARAMS) <= cases
    actions = {
        f"{basename}.{action.url_path}"
        for _prefix, viewset, basename in router.registry
        for action in viewset.get_extra_actions()
    }
    assert set(NOT_COUNTED) <= actions


@pytest.mark.parametrize("counties", SIZES)
def test_every_list_and_detail_reads_a_fixed_number_of_queries(
    db, scoped_user, settings, counties
):
    # The person's record judges each year served up to today: a fixed today.
    settings.ZHUCUN_TODAY = TODAY
    user = scoped_user("prefecture", PREFECTURE)
    _world(counties, user)
    first_ids: dict[str, object] = {}
    observed: dict[str, int] = {}
    unbounded: list[str] = []

    for case, path in _endpoints():
        basename, kind = case.split(".")
        if "{id}" in path:
            path = path.format(id=first_ids[basename])
        body, sql = _get(user, path, ACTION_PARAMS.get(case, lambda: {})())
        observed[case] = len(sql)
        rows = _rows(body)
        if isinstance(rows, list):
            # Several rows: at least one per county of the world.
            assert len(rows) >= counties, f"{case}: add its rows to _world"
        if kind == "list":
            first_ids[basename] = rows[0]["id"]
        unbounded += [f"{case}: {q}" for q in sql if _unbounded_count(q)]

    assert observed == EXPECTED
    assert unbounded == []


def _unbounded_count(sql: str) -> bool:
    """A ``COUNT(*)`` over every matching row, rather than over at most cap + 1."""
    text = sql.upper()
    return text.startswith("SELECT COUNT(*)") and "LIMIT" not in text


def test_the_attendance_list_counts_at_most_cap_plus_one_rows(
    db, scoped_user, settings
):
    """A page of attendance reads no full COUNT(*) of the (province-large) table."""
    settings.ZHUCUN_API_COUNT_CAP = 3
    user = scoped_user("prefecture", PREFECTURE)
    _world(6, user)
    assert MonthlyAttendance.objects.count() > 4

    body, sql = _get(user, "/api/v1/attendance/", {"page_size": 2})

    assert body["count"] == 3
    assert body["count_capped"] is True
    assert body["next"] is not None
    [count_sql] = [q for q in sql if "COUNT(" in q.upper()]
    assert "LIMIT 4" in count_sql
    assert "ORDER BY" not in count_sql.upper()
    assert len(sql) == 3  # scope, bounded count, page
