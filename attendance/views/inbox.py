"""The user's reminders and marking them read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attendance import selectors
from attendance.services import reminders_mark_read

from .params import _page


@login_required
def inbox(request):
    """The user's reminders, unread first."""
    return render(
        request,
        "attendance/inbox.html",
        {"page": _page(request, selectors.inbox(user=request.user))},
    )


@login_required
@require_POST
def inbox_read(request):
    """Mark one reminder (``id``) or all of them (no ``id``) read."""
    ids = [int(v) for v in request.POST.getlist("id") if v.isdigit()]
    count = reminders_mark_read(user=request.user, ids=ids or None)
    messages.success(request, _("已将%(n)d条提醒标为已读。") % {"n": count})
    return redirect("attendance:inbox")
