"""The Celery application. Schedules live in zhucun/schedules.py."""

import os

from celery import Celery

from zhucun.schedules import BEAT_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhucun.settings")

app = Celery("zhucun")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = BEAT_SCHEDULE
app.autodiscover_tasks()
