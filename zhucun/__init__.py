"""zhucun: the dispatch and management of village work teams (驻村工作队)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
