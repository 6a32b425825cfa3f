"""The user's own reminders."""

from django.db.models import F, QuerySet

from attendance.models import Reminder


def inbox(*, user) -> QuerySet[Reminder]:
    """The user's own reminders, unread first, newest first."""
    return Reminder.objects.filter(recipient=user).order_by(
        F("read_at").desc(nulls_first=True), "-created_at", "-id"
    )


def unread_count(*, user) -> int:
    """Unread reminders of the user (one query, on the partial index)."""
    return Reminder.objects.filter(recipient=user, read_at__isnull=True).count()
