"""The monthly rollup: right sums at every level, idempotent, exact after a correction."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from attendance.models import AttendanceRollup, MonthlyAttendance, RollupLock
from attendance.rollups import LOCK_NAME, RollupBusy, attendance_rollup
from tests.attendance.conftest import MONTH
from zhucun.models import AuditEntry

Level = AttendanceRollup.Level
D = datetime.date


def _record(member, in_post, leave=1, trip=2):
    return MonthlyAttendance.objects.create(
        membership=member,
        month=MONTH,
        in_post_days=in_post,
        leave_days=leave,
        trip_days=trip,
    )


@pytest.fixture
def recorded(place, elsewhere):
    """Four of 昭觉's five members and one of 市中区's two have November's row.

    The fifth 昭觉 member (team 0) arrived on 16 November: 15 days of the 30.
    """
    late = place.members[4]
    late.start_date = D(2019, 11, 16)
    late.save(update_fields=["start_date"])
    for member in place.members[:4]:
        _record(member, 20)
    _record(elsewhere.members[0], 25, leave=0, trip=0)
    return place, elsewhere


def _rows():
    """The month's summaries as comparable tuples, without ids and timestamps."""
    return sorted(
        AttendanceRollup.objects.filter(month=MONTH).values_list(
            "level",
            "region__code",
            "team_id",
            "members_expected",
            "members_recorded",
            "in_post_days",
            "leave_days",
            "trip_days",
            "days_possible",
            "rate",
        ),
        key=lambda row: (row[0], row[1], row[2] or 0),
    )


def _row(level, region, team=None):
    return AttendanceRollup.objects.get(
        month=MONTH, level=level, region=region, team=team
    )


def test_each_level_sums_the_level_below(recorded):
    place, elsewhere = recorded

    result = attendance_rollup(month=MONTH)

    assert result.rows == {
        "team": 4,
        "township": 2,
        "county": 2,
        "prefecture": 2,
        "province": 1,
    }
    team0 = _row(Level.TEAM, place.township, place.teams[0])
    assert (
        team0.members_expected,
        team0.members_recorded,
        team0.in_post_days,
        team0.leave_days,
        team0.trip_days,
        team0.days_possible,
    ) == (3, 2, 40, 2, 4, 75)
    assert team0.rate == Decimal("0.5333")
    township = _row(Level.TOWNSHIP, place.township)
    assert (township.members_expected, township.members_recorded) == (5, 4)
    assert (township.in_post_days, township.days_possible) == (80, 135)
    county = _row(Level.COUNTY, place.county)
    prefecture = _row(Level.PREFECTURE, place.county.parent)
    assert (county.in_post_days, county.days_possible) == (80, 135)
    assert (prefecture.in_post_days, prefecture.days_possible) == (80, 135)
    province = AttendanceRollup.objects.get(month=MONTH, level=Level.PROVINCE)
    assert province.region.code == "510000"
    assert (province.members_expected, province.members_recorded) == (7, 5)
    assert (province.in_post_days, province.days_possible) == (105, 195)
    assert province.rate == Decimal("0.5385")


def test_a_team_without_rows_counts_its_members_at_a_zero_rate(place):
    attendance_rollup(month=MONTH)

    team = _row(Level.TEAM, place.township, place.teams[1])
    assert (team.members_recorded, team.in_post_days, team.days_possible) == (0, 0, 60)
    assert team.rate == Decimal("0")


def test_running_twice_gives_the_same_rows(recorded):
    attendance_rollup(month=MONTH)
    first = _rows()

    attendance_rollup(month=MONTH)

    assert _rows() == first
    assert AttendanceRollup.objects.filter(month=MONTH).count() == 11


def test_a_correction_changes_the_summaries_exactly_by_it(recorded):
    place, elsewhere = recorded
    attendance_rollup(month=MONTH)
    before = {row[:3]: row[3:] for row in _rows()}
    corrected = MonthlyAttendance.objects.get(membership=place.members[2])
    corrected.in_post_days += 3
    corrected.save()

    attendance_rollup(month=MONTH)

    after = {row[:3]: row[3:] for row in _rows()}
    assert after.keys() == before.keys()
    changed = {key for key in after if after[key] != before[key]}
    assert changed == {
        ("team", place.township.code, place.teams[0].pk),
        ("township", place.township.code, None),
        ("county", "513431", None),
        ("prefecture", "513400", None),
        ("province", "510000", None),
    }
    for key in changed:
        expected, recorded_, in_post, leave, trip, possible, _rate = before[key]
        assert after[key][:6] == (
            expected,
            recorded_,
            in_post + 3,
            leave,
            trip,
            possible,
        )


def test_a_past_month_reruns_without_touching_other_months(recorded):
    place, _ = recorded
    MonthlyAttendance.objects.create(
        membership=place.members[0], month=D(2019, 10, 1), in_post_days=22
    )
    attendance_rollup(month=D(2019, 10, 1))
    october = list(
        AttendanceRollup.objects.filter(month=D(2019, 10, 1)).values_list(
            "id", "in_post_days"
        )
    )

    attendance_rollup(month=MONTH)
    attendance_rollup(month=MONTH)

    assert (
        list(
            AttendanceRollup.objects.filter(month=D(2019, 10, 1)).values_list(
                "id", "in_post_days"
            )
        )
        == october
    )


def test_a_run_is_audited_and_takes_a_handful_of_queries(
    recorded, django_assert_num_queries
):
    # savepoint, lock row insert-or-nothing, lock, delete, five INSERT … SELECT,
    # the rates, the lock's run time, the audit entry, release
    with django_assert_num_queries(13):
        attendance_rollup(month=MONTH)

    entry = AuditEntry.objects.get(model="attendance.attendancerollup")
    assert entry.object_id == "2019-11"
    assert entry.changes["rows"][1]["team"] == 4
    assert RollupLock.objects.get(name=LOCK_NAME).last_run_at is not None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_only_one_run_at_a_time(on_postgres):
    if not on_postgres:
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); no two runs overlap")
    RollupLock.objects.create(name=LOCK_NAME)
    held, release = threading.Event(), threading.Event()

    def hold_the_lock():
        try:
            with transaction.atomic():
                RollupLock.objects.select_for_update().get(name=LOCK_NAME)
                held.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert held.wait(30)
        with pytest.raises(RollupBusy):
            attendance_rollup(month=MONTH)
        assert not AttendanceRollup.objects.exists()
    finally:
        release.set()
        holder.join(30)
    assert attendance_rollup(month=MONTH).rows["province"] == 0


@pytest.fixture
def eager():
    """Tasks run in this process (CELERY_TASK_ALWAYS_EAGER), errors raised."""
    from zhucun.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def test_the_task_rolls_up_eagerly_and_defaults_to_the_systems_month(
    recorded, eager, settings
):
    from attendance.tasks import rollup_month

    settings.ZHUCUN_TODAY = D(2019, 12, 10)

    named = rollup_month.delay("2019-11").get()
    previous = rollup_month.delay(previous=True).get()
    current = rollup_month.delay().get()

    assert named["month"] == previous["month"] == "2019-11"
    assert named["rows"] == previous["rows"]
    assert current["month"] == "2019-12"
    assert AttendanceRollup.objects.filter(month=MONTH, level="province").exists()
    assert AttendanceRollup.objects.filter(
        month=D(2019, 12, 1), level="province"
    ).exists()


def test_the_command_rolls_up_the_months_asked_for(recorded, capsys, settings):
    from django.core.management import CommandError, call_command

    settings.ZHUCUN_TODAY = D(2019, 12, 10)

    call_command("rollup_attendance", "--month", "2019-11")
    call_command("rollup_attendance")

    out = capsys.readouterr().out
    assert "2019-11：team 4，township 2，county 2，prefecture 2，province 1" in out
    assert "2019-12：" in out
    assert AttendanceRollup.objects.filter(month=D(2019, 12, 1)).exists()
    with pytest.raises(CommandError, match="格式不对"):
        call_command("rollup_attendance", "--month", "2019-13")
