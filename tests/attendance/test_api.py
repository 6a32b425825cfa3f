"""The API of part 四: lists scoped and filtered, writes through the services."""

import datetime

import pytest
from rest_framework.test import APIClient

from attendance.models import (
    AttendanceSubmission,
    HouseholdVisit,
    LeaderMeeting,
    MonthlyAttendance,
    Reminder,
    TeamReport,
)
from attendance.reminders import reminders_attendance_due
from attendance.rollups import attendance_rollup
from tests.attendance.conftest import MONTH
from zhucun.models import AuditEntry

D = datetime.date
API = "/api/v1"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _grid(place, in_post=20):
    return {
        "township": place.township.code,
        "month": "2019-11",
        "rows": [
            {"membership": m.pk, "in_post_days": in_post, "leave_days": 1}
            for m in place.members
        ],
    }


def test_the_grid_is_saved_in_one_post_and_a_second_is_harmless(clerk, place):
    client = _client(clerk)

    first = client.post(f"{API}/attendance/grid/", _grid(place), format="json")
    second = client.post(f"{API}/attendance/grid/", _grid(place), format="json")

    assert first.status_code == 200, first.json()
    assert first.json() == {"created": 5, "updated": 0, "unchanged": 0}
    assert second.json() == {"created": 0, "updated": 0, "unchanged": 5}
    assert MonthlyAttendance.objects.filter(month=MONTH, in_post_days=20).count() == 5


def test_a_bad_cell_answers_400_keyed_by_member_and_field(clerk, place):
    payload = _grid(place)
    payload["rows"][1]["trip_days"] = 15
    member = place.members[1]

    response = _client(clerk).post(f"{API}/attendance/grid/", payload, format="json")

    assert response.status_code == 400
    message = response.json()["fields"][f"{member.pk}.in_post_days"][0]
    assert message.startswith(member.person.name + "的在岗、请假、公务外出天数合计36天")
    assert not MonthlyAttendance.objects.exists()


def test_submit_locks_and_the_county_reopens_through_the_api(
    clerk, county_clerk, place
):
    township = _client(clerk)
    township.post(f"{API}/attendance/grid/", _grid(place), format="json")
    month = {"township": place.township.code, "month": "2019-11"}

    submitted = township.post(
        f"{API}/attendance-submissions/submit/", month, format="json"
    )
    locked = township.post(f"{API}/attendance/grid/", _grid(place, 19), format="json")
    self_reopen = township.post(
        f"{API}/attendance-submissions/reopen/",
        {**month, "reason": "自己改"},
        format="json",
    )
    reopened = _client(county_clerk).post(
        f"{API}/attendance-submissions/reopen/",
        {**month, "reason": "天数有误"},
        format="json",
    )

    assert submitted.status_code == 200
    assert submitted.json()["submitted"] is True
    assert locked.status_code == 400
    assert "报送锁定" in locked.json()["fields"]["month"][0]
    assert self_reopen.status_code == 403
    assert reopened.status_code == 200
    assert reopened.json()["reopened_reason"] == "天数有误"
    assert AuditEntry.objects.filter(
        model="attendance.attendancesubmission", actor=county_clerk
    ).exists()


def test_the_county_may_not_type_the_grid(county_clerk, place):
    response = _client(county_clerk).post(
        f"{API}/attendance/grid/", _grid(place), format="json"
    )

    assert response.status_code == 403


def test_another_countys_township_is_404(scoped_user, place, elsewhere):
    other = _client(scoped_user("township", elsewhere.township.code))

    grid = other.post(f"{API}/attendance/grid/", _grid(place), format="json")
    submit = other.post(
        f"{API}/attendance-submissions/submit/",
        {"township": place.township.code, "month": "2019-11"},
        format="json",
    )

    assert (grid.status_code, submit.status_code) == (404, 404)


def test_the_attendance_list_filters_by_region_and_month(
    province_user, place, elsewhere, django_assert_num_queries
):
    for member in place.members + elsewhere.members:
        MonthlyAttendance.objects.create(membership=member, month=MONTH, in_post_days=9)
    MonthlyAttendance.objects.create(
        membership=place.members[0], month=D(2019, 10, 1), in_post_days=8
    )
    client = _client(province_user)

    # scope, the region code, count, rows
    with django_assert_num_queries(4):
        response = client.get(
            f"{API}/attendance/", {"region": "513431", "month": "2019-11"}
        )

    rows = response.json()["results"]
    assert {r["membership"] for r in rows} == {m.pk for m in place.members}
    assert {r["month"] for r in rows} == {"2019-11"}
    assert rows[0]["township"]["code"] == place.township.code
    bad = client.get(f"{API}/attendance/", {"month": "2019-13"})
    assert bad.status_code == 400


def test_the_completeness_action(county_clerk, place):
    MonthlyAttendance.objects.create(
        membership=place.members[0], month=MONTH, in_post_days=9
    )

    response = _client(county_clerk).get(
        f"{API}/attendance-submissions/completeness/", {"month": "2019-11"}
    )

    [row] = response.json()["results"]
    assert (row["code"], row["expected"], row["recorded"]) == (
        place.township.code,
        5,
        1,
    )
    assert (row["submitted"], row["overdue"], row["on_time"]) == (False, True, None)


def test_visits_reports_and_meetings_are_created_through_the_services(
    clerk, county_clerk, place
):
    township = _client(clerk)

    visit = township.post(
        f"{API}/household-visits/",
        {
            "team": place.teams[0].pk,
            "household": place.households[0].pk,
            "membership": place.members[0].pk,
            "visited_on": "2019-12-01",
        },
        format="json",
    )
    report = township.post(
        f"{API}/team-reports/",
        {
            "team": place.teams[1].pk,
            "quarter": "2019Q4",
            "thinking": "稳定",
            "work": "走访",
            "study": "学习",
        },
        format="json",
    )
    meeting = _client(county_clerk).post(
        f"{API}/leader-meetings/",
        {
            "county": "513431",
            "held_on": "2019-11-20",
            "minutes": "部署",
            "attendees": [place.members[0].pk],
        },
        format="json",
    )

    assert visit.status_code == 201, visit.json()
    assert visit.json()["household"]["id"] == place.households[0].pk
    assert report.status_code == 201, report.json()
    assert report.json()["quarter"] == 4
    assert meeting.status_code == 201, meeting.json()
    assert meeting.json()["attendees"] == [place.members[0].pk]
    assert HouseholdVisit.objects.count() == TeamReport.objects.count() == 1
    assert LeaderMeeting.objects.count() == 1


def test_a_write_naming_another_countys_rows_is_refused(clerk, place, elsewhere):
    response = _client(clerk).post(
        f"{API}/household-visits/",
        {
            "team": elsewhere.teams[0].pk,
            "household": elsewhere.households[0].pk,
            "membership": elsewhere.members[0].pk,
            "visited_on": "2019-12-01",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "不在您的管辖范围内" in response.json()["fields"]["team"][0]
    assert not HouseholdVisit.objects.exists()


def test_rollups_are_listed_by_level_within_scope(county_clerk, place, elsewhere):
    attendance_rollup(month=MONTH)

    response = _client(county_clerk).get(
        f"{API}/attendance-rollups/", {"month": "2019-11"}
    )

    levels = sorted(
        (r["level"], r["region"]["code"]) for r in response.json()["results"]
    )
    assert levels == sorted(
        [("county", "513431"), ("township", place.township.code)]
        + [("team", place.township.code)] * 2
    )


def test_reminders_list_the_scope_and_mark_only_ones_own_read(
    scoped_user, clerk, place, elsewhere
):
    colleague = scoped_user("township", place.township.code, "colleague")
    other = scoped_user("township", elsewhere.township.code)
    reminders_attendance_due(month=MONTH)
    mine = Reminder.objects.get(recipient=clerk)
    theirs = Reminder.objects.get(recipient=colleague)
    client = _client(clerk)

    everyone = client.get(f"{API}/reminders/").json()["results"]
    inbox = client.get(f"{API}/reminders/", {"mine": "true"}).json()["results"]
    foreign = client.post(f"{API}/reminders/{theirs.pk}/read/")
    read = client.post(f"{API}/reminders/{mine.pk}/read/")
    unread = client.get(f"{API}/reminders/", {"mine": "true", "unread": "true"})

    assert {r["id"] for r in everyone} == {mine.pk, theirs.pk}
    assert [r["id"] for r in inbox] == [mine.pk]
    assert foreign.status_code == 404
    assert read.json() == {"marked": 1}
    assert unread.json()["results"] == []
    outsider = _client(other).get(f"{API}/reminders/").json()["results"]
    assert {r["id"] for r in outsider} == {
        r.pk for r in Reminder.objects.filter(recipient=other)
    }
    assert _client(other).get(f"{API}/reminders/{mine.pk}/").status_code == 404


@pytest.mark.parametrize(
    "prefix",
    [
        "attendance",
        "attendance-submissions",
        "household-visits",
        "team-reports",
        "leader-meetings",
        "attendance-rollups",
    ],
)
def test_another_countys_clerk_lists_none_of_this_countys_rows(
    scoped_user, clerk, county_clerk, place, elsewhere, prefix
):
    for member in place.members:
        MonthlyAttendance.objects.create(membership=member, month=MONTH, in_post_days=9)
    AttendanceSubmission.objects.create(township=place.township, month=MONTH)
    HouseholdVisit.objects.create(
        team=place.teams[0],
        household=place.households[0],
        membership=place.members[0],
        visited_on=D(2019, 11, 1),
    )
    TeamReport.objects.create(
        team=place.teams[0], year=2019, quarter=4, submitted_on=D(2019, 12, 1)
    )
    LeaderMeeting.objects.create(county=place.county, held_on=D(2019, 11, 1))
    attendance_rollup(month=MONTH)
    ours = _client(county_clerk).get(f"{API}/{prefix}/").json()["results"]

    theirs = _client(scoped_user("county", "511002")).get(f"{API}/{prefix}/")

    assert ours
    assert not {r["id"] for r in ours} & {r["id"] for r in theirs.json()["results"]}
    for row in ours[:2]:
        assert (
            _client(scoped_user("county", "511002"))
            .get(f"{API}/{prefix}/{row['id']}/")
            .status_code
            == 404
        )
