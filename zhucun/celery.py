"""The Celery application. Schedules live in zhucun/schedules.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhucun.settings")

app = Celery("zhucun")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
