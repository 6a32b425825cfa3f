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

HEARTBEAT_SECONDS = 600

BEAT_SCHEDULE: dict[str, dict] = {
    # Proves beat -> broker -> worker in the worker log ("zhucun.tasks.ping
    # succeeded"); expires so that a stopped worker does not find a backlog.
    "zhucun.heartbeat": {
        "task": "zhucun.tasks.ping",
        "schedule": HEARTBEAT_SECONDS,
        "options": {"expires": HEARTBEAT_SECONDS // 2},
    },
}
