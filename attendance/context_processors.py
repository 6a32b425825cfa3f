"""The reminder bell of the base layout."""

from django.utils.functional import SimpleLazyObject

from attendance.selectors import unread_count


def reminders(request) -> dict:
    """``unread_reminders``: the user's unread count, read (one query) only if shown."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_reminders": SimpleLazyObject(lambda: unread_count(user=user))}
