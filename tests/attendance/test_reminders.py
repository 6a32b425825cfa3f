"""Reminders: the right recipients, never the same one twice, by inbox and by e-mail."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from assessments.models import TrainingEvent, TrainingRecord
from attendance.models import (
    AttendanceSubmission,
    HouseholdVisit,
    LeaderMeeting,
    Reminder,
    TeamReport,
)
from attendance.reminders import (
    reminders_attendance_due,
    reminders_attendance_overdue,
    reminders_mail_pending,
    reminders_quarterly,
)
from attendance.tasks import remind_attendance_due
from tests.attendance.conftest import MONTH
from zhucun.celery import app as celery_app
from zhucun.periods import Quarter

Kind = Reminder.Kind
D = datetime.date
Q4 = Quarter(2019, 4)


@pytest.fixture
def eager():
    """Tasks run in this process (CELERY_TASK_ALWAYS_EAGER), errors raised."""
    saved = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = saved


@pytest.fixture
def staff(scoped_user, place, elsewhere):
    """Two clerks of 昭觉's township (one with e-mail), its county, the other county."""
    from accounts.services import user_provision

    mailed, _ = user_provision(
        username="xiang-mail",
        role="township",
        scope=place.township.code,
        email="xiang@example.cn",
    )
    return {
        "township": scoped_user("township", place.township.code),
        "mailed": mailed,
        "county": scoped_user("county", place.county.code),
        "other_township": scoped_user("township", elsewhere.township.code),
        "other_county": scoped_user("county", elsewhere.county.code),
    }


def _inbox(user, kind=None):
    rows = Reminder.objects.filter(recipient=user)
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def test_a_township_that_has_not_submitted_is_reminded_once(place, elsewhere, staff):
    AttendanceSubmission.objects.create(
        township=elsewhere.township, month=MONTH, submitted_at=timezone.now()
    )

    sent = reminders_attendance_due(month=MONTH)
    again = reminders_attendance_due(month=MONTH)

    assert (sent, again) == (2, 0)
    mine = _inbox(staff["township"]).get()
    assert mine.kind == Kind.ATTENDANCE_DUE
    assert mine.period == "2019-11"
    assert mine.object_id == place.township.pk
    assert place.township.name + "2019年11月的驻村工作队队员考勤尚未报送" in (
        mine.message
    )
    assert mine.link == (
        f"/attendance/grid/?township={place.township.code}&month=2019-11"
    )
    assert _inbox(staff["mailed"]).count() == 1
    assert not _inbox(staff["other_township"]).exists()
    assert not _inbox(staff["county"]).exists()


def test_the_unique_constraint_refuses_a_second_copy(place, staff):
    reminders_attendance_due(month=MONTH)
    copy = _inbox(staff["township"]).get()
    copy.pk = None

    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


def test_overdue_goes_to_the_township_and_its_county_after_the_due_day(
    place, elsewhere, staff
):
    AttendanceSubmission.objects.create(
        township=elsewhere.township, month=MONTH, submitted_at=timezone.now()
    )

    sent = reminders_attendance_overdue(month=MONTH)
    not_yet = reminders_attendance_overdue(month=D(2019, 12, 1))

    assert (sent, not_yet) == (3, 0)
    county = _inbox(staff["county"]).get()
    assert county.kind == Kind.ATTENDANCE_OVERDUE
    assert "已超过报送期限（2019-12-05）" in county.message
    assert not _inbox(staff["other_county"]).exists()


def test_the_quarter_reminds_reports_meetings_visits_and_training(
    place, elsewhere, staff
):
    TeamReport.objects.create(
        team=place.teams[0], year=2019, quarter=4, submitted_on=D(2019, 12, 20)
    )
    for household in place.households[:3]:
        HouseholdVisit.objects.create(
            team=place.teams[0],
            household=household,
            membership=place.members[0],
            visited_on=D(2019, 11, 5),
        )
    HouseholdVisit.objects.create(
        team=place.teams[1],
        household=place.households[3],
        membership=place.members[1],
        visited_on=D(2019, 11, 5),
    )
    LeaderMeeting.objects.create(county=elsewhere.county, held_on=D(2019, 11, 20))
    event = TrainingEvent.objects.create(
        name="县级培训", level="county", start_date=D(2019, 5, 6), days=Decimal(5)
    )
    TrainingRecord.objects.create(
        event=event, person=place.members[0].person, days=Decimal(5)
    )

    sent = reminders_quarterly(quarter=Q4)

    township = _inbox(staff["township"])
    assert set(township.values_list("kind", "object_id")) == {
        (Kind.REPORT_MISSING, place.teams[1].pk),
        (Kind.VISITS_INCOMPLETE, place.teams[1].pk),
    }
    visits = township.get(kind=Kind.VISITS_INCOMPLETE)
    assert "已走访1户，全村2户，还有1户未走访" in visits.message
    county = _inbox(staff["county"])
    assert county.filter(kind=Kind.MEETING_MISSING).get().object_id == place.county.pk
    behind = set(
        county.filter(kind=Kind.TRAINING_BEHIND).values_list("object_id", flat=True)
    )
    assert behind == {m.pk for m in place.members[1:]}
    assert "2019年已培训0天" in county.filter(kind=Kind.TRAINING_BEHIND).first().message
    assert not _inbox(staff["other_county"], Kind.MEETING_MISSING).exists()
    assert sent["training_behind"] == 4 + 2  # 昭觉 (4) and 市中区 (2) members
    assert reminders_quarterly(quarter=Q4) == {
        "report_missing": 0,
        "meeting_missing": 0,
        "visits_incomplete": 0,
        "training_behind": 0,
    }


def test_a_unit_hears_about_its_own_members_training(scoped_user, place):
    unit_user = scoped_user("unit", place.members[0].unit.name)

    reminders_quarterly(quarter=Q4)

    assert set(
        _inbox(unit_user, Kind.TRAINING_BEHIND).values_list("object_id", flat=True)
    ) == {place.members[0].pk}


def test_reminders_go_by_mail_to_those_with_an_address_and_only_once(
    place, staff, eager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        remind_attendance_due.delay("2019-11")

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["xiang@example.cn"]
    assert "1条新提醒" in mail.subject
    assert "2019年11月的驻村工作队队员考勤尚未报送" in mail.body
    assert _inbox(staff["mailed"]).get().mailed_at is not None
    assert _inbox(staff["township"]).get().mailed_at is None

    with django_capture_on_commit_callbacks(execute=True):
        remind_attendance_due.delay("2019-11")
    assert reminders_mail_pending() == 0
    assert len(mailoutbox) == 1


def test_a_failed_send_is_tried_again(place, staff, settings, mailoutbox):
    reminders_attendance_due(month=MONTH)
    settings.EMAIL_BACKEND = "tests.attendance.test_reminders.FailingBackend"

    with pytest.raises(ConnectionError):
        reminders_mail_pending()

    assert _inbox(staff["mailed"]).get().mailed_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert reminders_mail_pending() == 1
    assert len(mailoutbox) == 1


class FailingBackend:
    """A mail server that is down."""

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("mail server down")


def test_the_bell_shows_the_unread_count_and_the_inbox_marks_read(client, place, staff):
    reminders_attendance_due(month=MONTH)
    reminders_attendance_overdue(month=MONTH)
    user = staff["township"]
    client.force_login(user)

    page = client.get(reverse("attendance:coverage")).content.decode()
    assert 'class="bell__count"' in page
    assert ">2</span>" in page

    inbox = client.get(reverse("attendance:inbox")).content.decode()
    assert "已超过报送期限" in inbox
    one = _inbox(user).first()
    client.post(reverse("attendance:inbox-read"), {"id": one.pk})
    assert _inbox(user).filter(read_at__isnull=True).count() == 1
    client.post(reverse("attendance:inbox-read"))
    assert not _inbox(user).filter(read_at__isnull=True).exists()
    page = client.get(reverse("attendance:coverage")).content.decode()
    assert 'class="bell__count"' not in page


def test_nobody_marks_another_users_reminder(client, place, staff):
    reminders_attendance_due(month=MONTH)
    theirs = _inbox(staff["mailed"]).get()
    client.force_login(staff["township"])

    client.post(reverse("attendance:inbox-read"), {"id": theirs.pk})

    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_inbox_takes_a_fixed_number_of_queries(
    client, place, staff, django_assert_num_queries
):
    reminders_attendance_due(month=MONTH)
    reminders_attendance_overdue(month=MONTH)
    reminders_quarterly(quarter=Q4)
    client.force_login(staff["township"])
    assert _inbox(staff["township"]).count() >= 4
    # session, user, page count, the bell, permissions for the nav (2), page
    # rows, the header's role and region, session save (3)
    with django_assert_num_queries(11):
        response = client.get(reverse("attendance:inbox"))
    assert response.status_code == 200
