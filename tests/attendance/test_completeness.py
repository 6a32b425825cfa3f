"""Completeness and timeliness per township and month (as DHIS2 reports them), rollups."""

import datetime
import io
import zoneinfo

import openpyxl
import pytest
from django.urls import reverse

from attendance.models import AttendanceSubmission, MonthlyAttendance
from attendance.rollups import attendance_rollup
from tests.attendance.conftest import MONTH, build_township

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _at(day: int, month: int = 12) -> datetime.datetime:
    return datetime.datetime(2019, month, day, 10, 0, tzinfo=SHANGHAI)


def _record(township, members):
    for member in members:
        MonthlyAttendance.objects.create(
            membership=member, month=MONTH, in_post_days=20
        )


@pytest.fixture
def month_of_four(place, elsewhere):
    """昭觉: on time, not submitted, reopened; 市中区: late."""
    silent = build_township(members=1)
    reopened = build_township(members=2)
    _record(place.township, place.members)
    _record(elsewhere.township, elsewhere.members)
    _record(reopened.township, reopened.members[:1])
    AttendanceSubmission.objects.create(
        township=place.township,
        month=MONTH,
        submitted_at=_at(5),
        first_submitted_at=_at(3),
    )
    AttendanceSubmission.objects.create(
        township=elsewhere.township, month=MONTH, submitted_at=_at(8)
    )
    AttendanceSubmission.objects.create(
        township=reopened.township,
        month=MONTH,
        first_submitted_at=_at(2),
        reopened_reason="人数有误",
    )
    return place, elsewhere, silent, reopened


def test_each_township_shows_its_state(
    client, province_user, month_of_four, django_assert_num_queries
):
    place, elsewhere, silent, reopened = month_of_four
    client.force_login(province_user)

    # session, user, permissions (2), scope, count, the page's townships, their
    # submissions, the summary (2), the bell, session save (3)
    with django_assert_num_queries(14):
        response = client.get(reverse("attendance:completeness"), {"month": "2019-11"})

    rows = {r.code: r for r in response.context["rows"]}
    state = {
        code: (str(r.status), r.recorded, r.expected, r.on_time)
        for code, r in rows.items()
    }
    assert state == {
        place.township.code: ("按时报送", 5, 5, True),
        elsewhere.township.code: ("逾期报送", 2, 2, False),
        silent.township.code: ("逾期未报送", 0, 1, None),
        reopened.township.code: ("已退回修改", 1, 2, True),
    }
    summary = response.context["summary"]
    assert (summary.townships, summary.submitted, summary.on_time) == (4, 2, 1)
    assert "人数有误" in response.content.decode()


def test_the_county_sees_its_own_townships_only(client, county_clerk, month_of_four):
    place, elsewhere, silent, reopened = month_of_four
    client.force_login(county_clerk)

    response = client.get(reverse("attendance:completeness"), {"month": "2019-11"})

    assert {r.code for r in response.context["rows"]} == {
        place.township.code,
        silent.township.code,
        reopened.township.code,
    }
    assert response.context["summary"].townships == 3
    other = client.get(reverse("attendance:completeness"), {"region": "511002"})
    assert other.status_code == 404


def test_the_completeness_export(client, county_clerk, month_of_four):
    place, *_ = month_of_four
    client.force_login(county_clerk)

    response = client.get(reverse("attendance:completeness-xlsx"), {"month": "2019-11"})

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 3
    ours = next(row for row in rows if row[2] == place.township.code)
    assert ours[3:7] == (5, 5, 100, "按时报送")
    assert sheet["C3"].number_format == "@"


def test_the_rollup_page_drills_down_from_the_county(
    client, county_clerk, month_of_four, django_assert_num_queries
):
    place, elsewhere, silent, reopened = month_of_four
    attendance_rollup(month=MONTH)
    client.force_login(county_clerk)

    # session, user, permissions (2), scope, the county's row, its townships,
    # the bell, session save (3)
    with django_assert_num_queries(11):
        response = client.get(reverse("attendance:rollups"), {"month": "2019-11"})

    own = response.context["own"]
    assert (own.members_expected, own.members_recorded) == (8, 6)
    children = {r.region.code: r.in_post_days for r in response.context["children"]}
    assert children == {
        place.township.code: 100,
        silent.township.code: 0,
        reopened.township.code: 20,
    }
    teams = client.get(
        reverse("attendance:rollups"),
        {"month": "2019-11", "region": place.township.code},
    )
    assert {r.team_id for r in teams.context["children"]} == {t.pk for t in place.teams}
    assert (
        client.get(reverse("attendance:rollups"), {"region": "511002"}).status_code
        == 404
    )
