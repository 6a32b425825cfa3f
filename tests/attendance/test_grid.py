"""The monthly grid: one request saves a township's month; submit locks; the county reopens."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from attendance.models import AttendanceSubmission, MonthlyAttendance
from attendance.services import (
    GridEntry,
    attendance_grid_save,
    attendance_reopen,
    attendance_submit,
)
from tests.attendance.conftest import MONTH, build_township
from zhucun.models import AuditEntry

GRID = "/attendance/grid/"


def _post_data(place, values=None, month="2019-11"):
    """The grid as a browser posts it: every member's four cells."""
    data = {"township": place.township.code, "month": month}
    for i, m in enumerate(place.members):
        in_post, leave, trip, remark = (values or {}).get(m.pk, (20 + i % 5, 1, 2, ""))
        data[f"m{m.pk}-in_post_days"] = str(in_post)
        data[f"m{m.pk}-leave_days"] = str(leave)
        data[f"m{m.pk}-trip_days"] = str(trip)
        data[f"m{m.pk}-remark"] = remark
    return data


def _entries(place, in_post=20):
    return [
        GridEntry(membership_id=m.pk, in_post_days=in_post, leave_days=1, trip_days=0)
        for m in place.members
    ]


def test_the_grid_lists_every_member_of_the_townships_teams(client, clerk, place):
    client.force_login(clerk)

    response = client.get(GRID, {"month": "2019-11"})

    text = response.content.decode()
    assert response.status_code == 200
    for m in place.members:
        assert f'name="m{m.pk}-in_post_days"' in text
        assert m.person.name in text
    assert "本月30天" in text
    assert "attendance/grid.js" in text


@pytest.mark.parametrize("members", [3, 9])
def test_the_grid_page_takes_a_fixed_number_of_queries(
    client, scoped_user, today, django_assert_num_queries, members
):
    place = build_township(members=members)
    clerk = scoped_user("township", place.township.code)
    client.force_login(clerk)
    MonthlyAttendance.objects.create(
        membership=place.members[0], month=MONTH, in_post_days=20
    )
    # session, user, permissions (2), scope, township, the members joined to
    # their rows, the month's lock row, the bell, session save (3)
    with django_assert_num_queries(12):
        response = client.get(GRID, {"month": "2019-11"})
    assert response.status_code == 200


@pytest.mark.parametrize("members", [3, 9])
def test_one_request_saves_the_month_in_a_fixed_number_of_queries(
    client, scoped_user, today, django_assert_num_queries, members
):
    place = build_township(members=members)
    clerk = scoped_user("township", place.township.code)
    client.force_login(clerk)
    data = _post_data(place)
    # session, user, permissions (2), scope, township; the service: savepoint,
    # lock row insert-or-nothing, lock, members, stored rows, one upsert, one
    # audit insert, release; the message's session save (3)
    with django_assert_num_queries(17):
        response = client.post(GRID, data)

    assert response.status_code == 302, response.content.decode()
    rows = MonthlyAttendance.objects.filter(month=MONTH).order_by("membership_id")
    assert [(r.in_post_days, r.leave_days, r.trip_days) for r in rows] == [
        (20 + i % 5, 1, 2) for i in range(members)
    ]
    assert (
        AuditEntry.objects.filter(
            model="attendance.monthlyattendance", action="create", actor=clerk
        ).count()
        == members
    )


def test_a_save_of_new_and_changed_rows_together_takes_the_same_queries(
    client, clerk, place, django_assert_num_queries
):
    client.force_login(clerk)
    first = _post_data(place)
    for m in place.members[3:]:
        for field in ("in_post_days", "leave_days", "trip_days"):
            first[f"m{m.pk}-{field}"] = ""
    client.post(GRID, first)
    changed = place.members[0]
    second = _post_data(place, {changed.pk: (10, 0, 0, "改")})

    # as the first save: one upsert writes the two new rows and the changed one
    with django_assert_num_queries(17):
        response = client.post(GRID, second, follow=False)

    assert response.status_code == 302
    rows = {r.membership_id: r for r in MonthlyAttendance.objects.filter(month=MONTH)}
    assert len(rows) == 5
    assert (rows[changed.pk].in_post_days, rows[changed.pk].remark) == (10, "改")
    update = AuditEntry.objects.get(
        model="attendance.monthlyattendance", action="update"
    )
    assert update.object_id == str(rows[changed.pk].pk)
    created = set(
        AuditEntry.objects.filter(
            model="attendance.monthlyattendance", action="create"
        ).values_list("object_id", flat=True)
    )
    assert created == {str(r.pk) for r in rows.values()}


def test_saving_twice_is_harmless(client, clerk, place):
    client.force_login(clerk)
    data = _post_data(place)
    client.post(GRID, data)
    before = list(MonthlyAttendance.objects.order_by("pk").values())
    audits = AuditEntry.objects.count()

    response = client.post(GRID, data, follow=True)

    assert list(MonthlyAttendance.objects.order_by("pk").values()) == before
    assert AuditEntry.objects.count() == audits
    assert "未变5人" in response.content.decode()


def test_a_change_updates_the_row_and_audits_what_changed(clerk, place):
    attendance_grid_save(
        user=clerk, township=place.township, month=MONTH, entries=_entries(place)
    )
    member = place.members[1]

    result = attendance_grid_save(
        user=clerk,
        township=place.township,
        month=MONTH,
        entries=[GridEntry(membership_id=member.pk, in_post_days=25, leave_days=1)],
    )

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    row = MonthlyAttendance.objects.get(membership=member, month=MONTH)
    assert row.in_post_days == 25
    entry = AuditEntry.objects.get(
        model="attendance.monthlyattendance", action="update"
    )
    assert entry.object_id == str(row.pk)
    assert entry.changes == {"in_post_days": [20, 25]}
    assert entry.county_code == "513431"


def test_days_beyond_the_month_are_refused_naming_member_and_field(
    client, clerk, place
):
    client.force_login(clerk)
    member = place.members[2]
    data = _post_data(place, {member.pk: (25, 4, 3, "")})

    response = client.post(GRID, data)

    text = response.content.decode()
    assert response.status_code == 400
    assert (
        f"{member.person.name}的在岗、请假、公务外出天数合计32天，超过2019年11月的30天"
        in text
    )
    assert 'aria-invalid="true"' in text
    assert not MonthlyAttendance.objects.exists()


@pytest.mark.parametrize(
    "cell, text, message",
    [
        ("leave_days", "31", "的请假天数（31天）超过2019年11月的30天"),
        ("trip_days", "两天", "的公务外出天数“两天”不是整数"),
        ("in_post_days", "-1", "的在岗天数不能是负数"),
        ("in_post_days", "", "的在岗天数未填写"),
    ],
)
def test_each_bad_cell_is_named(client, clerk, place, cell, text, message):
    client.force_login(clerk)
    member = place.members[0]
    data = _post_data(place)
    data[f"m{member.pk}-{cell}"] = text

    response = client.post(GRID, data)

    assert response.status_code == 400
    assert member.person.name + message in response.content.decode()
    assert not MonthlyAttendance.objects.exists()


def test_a_member_of_another_township_cannot_be_saved(clerk, place, elsewhere):
    stranger = elsewhere.members[0]

    with pytest.raises(ValidationError) as excinfo:
        attendance_grid_save(
            user=clerk,
            township=place.township,
            month=MONTH,
            entries=[GridEntry(membership_id=stranger.pk, in_post_days=20)],
        )

    assert "不在该乡（镇）2019年11月的驻村队员名单中" in str(excinfo.value)
    assert not MonthlyAttendance.objects.exists()


def test_a_future_month_is_refused(clerk, place):
    with pytest.raises(ValidationError, match="2020年1月还没有到"):
        attendance_grid_save(
            user=clerk,
            township=place.township,
            month=MONTH.replace(year=2020, month=1),
            entries=_entries(place),
        )


def test_submit_locks_the_month_and_edits_after_it_are_refused(client, clerk, place):
    client.force_login(clerk)
    client.post(GRID, _post_data(place))

    response = client.post(
        reverse("attendance:grid-submit"),
        {"township": place.township.code, "month": "2019-11"},
    )

    assert response.status_code == 302
    submission = AttendanceSubmission.objects.get(township=place.township, month=MONTH)
    assert submission.submitted_at is not None
    assert submission.first_submitted_at == submission.submitted_at
    assert submission.submitted_by == clerk
    changed = _post_data(place, {place.members[0].pk: (10, 0, 0, "")})
    refused = client.post(GRID, changed)
    assert refused.status_code == 400
    assert "的考勤已于" in refused.content.decode()
    assert "报送锁定，不能再修改" in refused.content.decode()
    assert MonthlyAttendance.objects.get(membership=place.members[0]).in_post_days == 20
    page = client.get(GRID, {"month": "2019-11"}).content.decode()
    assert "已锁定" in page
    assert f'name="m{place.members[0].pk}-in_post_days"' not in page


def test_submit_needs_every_member_recorded(clerk, place):
    attendance_grid_save(
        user=clerk, township=place.township, month=MONTH, entries=_entries(place)[:3]
    )

    with pytest.raises(ValidationError) as excinfo:
        attendance_submit(user=clerk, township=place.township, month=MONTH)

    message = str(excinfo.value)
    assert "还有2名队员2019年11月的考勤未录入" in message
    assert place.members[4].person.name in message
    assert not AttendanceSubmission.objects.filter(submitted_at__isnull=False).exists()


def test_the_county_reopens_with_a_reason_and_it_is_audited(
    client, clerk, county_clerk, place
):
    attendance_grid_save(
        user=clerk, township=place.township, month=MONTH, entries=_entries(place)
    )
    first = attendance_submit(user=clerk, township=place.township, month=MONTH)
    client.force_login(county_clerk)

    response = client.post(
        reverse("attendance:grid-reopen"),
        {
            "township": place.township.code,
            "month": "2019-11",
            "reason": "王某请假天数有误",
        },
    )

    assert response.status_code == 302
    submission = AttendanceSubmission.objects.get(pk=first.pk)
    assert submission.submitted_at is None
    assert submission.reopened_reason == "王某请假天数有误"
    assert submission.first_submitted_at == first.first_submitted_at
    entry = AuditEntry.objects.filter(
        model="attendance.attendancesubmission", object_id=str(first.pk)
    ).first()
    assert entry.actor == county_clerk
    assert entry.county_code == "513431"
    assert entry.changes["reopened_reason"] == ["", "王某请假天数有误"]
    assert entry.changes["submitted_at"][1] is None
    # Open again: the township corrects and submits; the first submission still
    # dates the month's timeliness.
    attendance_grid_save(
        user=clerk,
        township=place.township,
        month=MONTH,
        entries=[GridEntry(membership_id=place.members[0].pk, in_post_days=18)],
    )
    again = attendance_submit(user=clerk, township=place.township, month=MONTH)
    assert again.first_submitted_at == first.first_submitted_at
    assert again.submitted_at > first.submitted_at


def test_a_reopen_needs_a_reason(county_clerk, clerk, place):
    attendance_grid_save(
        user=clerk, township=place.township, month=MONTH, entries=_entries(place)
    )
    attendance_submit(user=clerk, township=place.township, month=MONTH)

    with pytest.raises(ValidationError, match="请填写退回原因"):
        attendance_reopen(
            user=county_clerk, township=place.township, month=MONTH, reason="  "
        )


def test_the_township_cannot_reopen_its_own_month(clerk, place):
    attendance_grid_save(
        user=clerk, township=place.township, month=MONTH, entries=_entries(place)
    )
    attendance_submit(user=clerk, township=place.township, month=MONTH)

    with pytest.raises(PermissionDenied):
        attendance_reopen(
            user=clerk, township=place.township, month=MONTH, reason="自己改"
        )


def test_another_countys_clerk_gets_404_for_the_grid_and_the_reopen(
    client, scoped_user, clerk, place, elsewhere
):
    attendance_grid_save(
        user=clerk, township=place.township, month=MONTH, entries=_entries(place)
    )
    attendance_submit(user=clerk, township=place.township, month=MONTH)
    other = scoped_user("county", "511002")
    client.force_login(other)

    page = client.get(GRID, {"township": place.township.code, "month": "2019-11"})
    reopen = client.post(
        reverse("attendance:grid-reopen"),
        {"township": place.township.code, "month": "2019-11", "reason": "越权"},
    )

    assert page.status_code == 404
    assert reopen.status_code == 404
    assert AttendanceSubmission.objects.get(
        township=place.township, month=MONTH
    ).submitted_at


def test_another_townships_clerk_cannot_save_here(client, scoped_user, place):
    neighbour = build_township(members=1)
    client.force_login(scoped_user("township", neighbour.township.code))

    response = client.post(GRID, _post_data(place))

    assert response.status_code == 404
    assert not MonthlyAttendance.objects.exists()


def test_a_county_clerk_picks_a_township_of_the_county(
    client, county_clerk, place, elsewhere
):
    client.force_login(county_clerk)

    text = client.get(GRID).content.decode()

    assert place.township.name in text
    assert elsewhere.township.name not in text
