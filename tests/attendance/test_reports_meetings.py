"""Quarterly team reports and county team-leader meetings, with their missing lists."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from attendance.models import LeaderMeeting, TeamReport
from attendance.services import leader_meeting_create, team_report_submit
from zhucun.models import AuditEntry
from zhucun.periods import Quarter

D = datetime.date
Q4 = Quarter(2019, 4)
TEXTS = {"thinking": "思想稳定", "work": "走访农户80户次", "study": "集中学习2次"}


def test_a_clerk_files_a_report_and_a_second_filing_corrects_it(client, clerk, place):
    client.force_login(clerk)
    url = reverse("attendance:report-new")
    team = place.teams[0]

    client.post(url, {"team": team.pk, "quarter": "2019Q4", **TEXTS})
    response = client.post(
        url, {"team": team.pk, "quarter": "2019Q4", **TEXTS, "work": "走访90户次"}
    )

    assert response.status_code == 302
    report = TeamReport.objects.get()
    assert (report.team, report.year, report.quarter) == (team, 2019, 4)
    assert report.work == "走访90户次"
    assert report.submitted_on == D(2019, 12, 31)
    actions = list(
        AuditEntry.objects.filter(model="attendance.teamreport")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update"]


def test_a_report_needs_all_three_parts(clerk, place):
    with pytest.raises(ValidationError) as excinfo:
        team_report_submit(
            user=clerk, team=place.teams[0], quarter=Q4, **{**TEXTS, "study": " "}
        )

    assert excinfo.value.message_dict["study"] == ["请填写学习情况。"]


def test_a_report_for_a_quarter_to_come_is_refused(clerk, place):
    with pytest.raises(ValidationError, match="还没有开始"):
        team_report_submit(
            user=clerk, team=place.teams[0], quarter=Quarter(2020, 1), **TEXTS
        )


def test_the_missing_list_shows_teams_without_a_report(
    client, county_clerk, place, django_assert_num_queries
):
    team_report_submit(user=county_clerk, team=place.teams[0], quarter=Q4, **TEXTS)
    client.force_login(county_clerk)

    # session, user, permissions (2), scope, count, the teams with their
    # report, the bell, session save (3)
    with django_assert_num_queries(11):
        everyone = client.get(reverse("attendance:reports"), {"quarter": "2019Q4"})
    missing = client.get(
        reverse("attendance:reports"), {"quarter": "2019Q4", "missing": "1"}
    )

    assert {t.pk for t in everyone.context["page"]} == {t.pk for t in place.teams}
    assert [t.pk for t in missing.context["page"]] == [place.teams[1].pk]


def test_the_reports_export_lists_the_gaps(client, county_clerk, place):
    client.force_login(county_clerk)

    response = client.get(
        reverse("attendance:reports-xlsx"), {"quarter": "2019Q4", "missing": "1"}
    )

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][4] == "报送情况"
    assert [row[2] for row in rows[2:]] == [v.name for v in place.villages]
    assert {row[4] for row in rows[2:]} == {"未报送"}


def test_the_county_records_a_meeting_with_its_leaders(client, county_clerk, place):
    client.force_login(county_clerk)
    leaders = [m for m in place.members if m.role in ("leader", "first_secretary")]

    page = client.get(reverse("attendance:meeting-new"), {"quarter": "2019Q4"})
    response = client.post(
        reverse("attendance:meeting-new") + "?quarter=2019Q4",
        {
            "held_on": "2019-11-20",
            "minutes": "通报考勤和走访情况",
            "attendees": [m.pk for m in leaders],
        },
    )

    assert {m.pk for m in page.context["form"].fields["attendees"].queryset} == {
        m.pk for m in leaders
    }
    meeting = LeaderMeeting.objects.get()
    assert response.status_code == 302
    assert meeting.county == place.county
    assert {m.pk for m in meeting.attendees.all()} == {m.pk for m in leaders}
    entry = AuditEntry.objects.get(model="attendance.leadermeeting")
    assert entry.changes["attendees"] == [None, sorted(m.pk for m in leaders)]
    detail = client.get(reverse("attendance:meeting-detail", args=[meeting.pk]))
    assert leaders[0].person.name in detail.content.decode()


def test_a_member_of_another_county_cannot_attend(county_clerk, place, elsewhere):
    with pytest.raises(ValidationError) as excinfo:
        leader_meeting_create(
            user=county_clerk,
            county=place.county,
            held_on=D(2019, 11, 20),
            minutes="会议",
            attendees=[place.members[0], elsewhere.members[0]],
        )

    assert (
        elsewhere.members[0].person.name in excinfo.value.message_dict["attendees"][0]
    )


def test_the_township_cannot_record_a_meeting(client, clerk, place):
    client.force_login(clerk)

    response = client.get(reverse("attendance:meeting-new"))

    assert response.status_code == 403


def test_the_meeting_list_shows_counties_without_one(
    client, province_user, place, elsewhere, django_assert_num_queries
):
    LeaderMeeting.objects.create(county=elsewhere.county, held_on=D(2019, 10, 9))
    client.force_login(province_user)

    # session, user, permissions (2), scope, count, counties, their meetings,
    # the bell, session save (3)
    with django_assert_num_queries(12):
        listed = client.get(reverse("attendance:meetings"), {"quarter": "2019Q4"})
    missing = client.get(
        reverse("attendance:meetings"), {"quarter": "2019Q4", "missing": "1"}
    )
    export = client.get(
        reverse("attendance:meetings-xlsx"), {"quarter": "2019Q4", "missing": "1"}
    )

    held = {c.code: [m.held_on for m in ms] for c, ms in listed.context["rows"]}
    assert held == {"511002": [D(2019, 10, 9)], "513431": []}
    assert [c.code for c in missing.context["page"]] == ["513431"]
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert [row[2] for row in sheet.iter_rows(min_row=3, values_only=True)] == [
        "513431"
    ]


def test_another_countys_clerk_reads_neither_reports_nor_meetings_here(
    client, scoped_user, county_clerk, place, elsewhere
):
    report = team_report_submit(
        user=county_clerk, team=place.teams[0], quarter=Q4, **TEXTS
    )
    meeting = LeaderMeeting.objects.create(
        county=place.county, held_on=D(2019, 11, 1), minutes="会议"
    )
    client.force_login(scoped_user("county", "511002"))

    assert (
        client.get(reverse("attendance:report-detail", args=[report.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("attendance:meeting-detail", args=[meeting.pk])).status_code
        == 404
    )
    reports = client.get(reverse("attendance:reports"), {"quarter": "2019Q4"})
    meetings = client.get(reverse("attendance:meetings"), {"quarter": "2019Q4"})
    assert {t.pk for t in reports.context["page"]} == {t.pk for t in elsewhere.teams}
    assert [c.code for c in meetings.context["page"]] == ["511002"]
    filing = client.get(reverse("attendance:report-new"), {"team": place.teams[0].pk})
    assert filing.status_code in (403, 404)
