"""Every periodic schedule of zhucun, in one place.

Celery beat reads ``BEAT_SCHEDULE`` (wired in ``zhucun/celery.py``). With
django-celery-beat's DatabaseScheduler these entries are copied into the
database at beat start, where the admin can pause one without a deploy.

To add a schedule, add one entry here (``from celery.schedules import crontab``)::

    "assessments.rollup-nightly": {
        "task": "assessments.tasks.rollup",
        "schedule": crontab(minute=30, hour=2),
    },

Keep the key "<app>.<what>", point "task" at a thin task in the app's
tasks.py, and make the task idempotent: beat may send it twice.
"""

from celery.schedules import crontab

HEARTBEAT_SECONDS = 600

BEAT_SCHEDULE: dict[str, dict] = {
    # Proves beat -> broker -> worker in the worker log ("zhucun.tasks.ping
    # succeeded"); expires so that a stopped worker does not find a backlog.
    "zhucun.heartbeat": {
        "task": "zhucun.tasks.ping",
        "schedule": HEARTBEAT_SECONDS,
        "options": {"expires": HEARTBEAT_SECONDS // 2},
    },
    # Part 四 (attendance/tasks.py). The rollups rerun every night, the current
    # month and the one before it, so that a correction after a county reopened a
    # month reaches the summaries by the next morning.
    "attendance.rollup-current-month": {
        "task": "attendance.tasks.rollup_month",
        "schedule": crontab(minute=30, hour=2),
    },
    "attendance.rollup-previous-month": {
        "task": "attendance.tasks.rollup_month",
        "schedule": crontab(minute=45, hour=2),
        "kwargs": {"previous": True},
    },
    # Before the month ends, to townships that have not submitted it; after the
    # due day (the 5th), again to them and to their county.
    "attendance.remind-attendance-due": {
        "task": "attendance.tasks.remind_attendance_due",
        "schedule": crontab(minute=0, hour=9, day_of_month="25"),
    },
    "attendance.remind-attendance-overdue": {
        "task": "attendance.tasks.remind_attendance_overdue",
        "schedule": crontab(minute=0, hour=9, day_of_month="6"),
    },
    # Mid-way through each quarter's last month: reports, meetings, visits, training.
    "attendance.remind-quarterly": {
        "task": "attendance.tasks.remind_quarterly",
        "schedule": crontab(
            minute=0, hour=9, day_of_month="15", month_of_year="3,6,9,12"
        ),
    },
    # Mail that could not go (the mail server was down) is tried again hourly.
    "attendance.mail-reminders": {
        "task": "attendance.tasks.mail_reminders",
        "schedule": crontab(minute=10),
    },
    # The compliance snapshot of the whole province (compliance/tasks.py), after
    # the night's attendance rollups, so the morning's pages judge last night's data.
    # Key and task name predate the compliance app; beat's database knows them so.
    "assessments.compliance-nightly": {
        "task": "assessments.tasks.compliance_refresh",
        "schedule": crontab(minute=15, hour=3),
    },
}
