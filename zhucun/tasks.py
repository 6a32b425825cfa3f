"""Tasks every app shares: a ping that proves the worker runs."""

import os
from pathlib import Path

from celery import shared_task


@shared_task(name="zhucun.tasks.ping", ignore_result=True)
def ping(path: str | None = None) -> str:
    """Answer "pong"; with a path, write "pong <pid>" to it so a caller can see it ran."""
    if path:
        Path(path).write_text(f"pong {os.getpid()}", encoding="utf-8")
    return "pong"


# Tasks that live outside an app's tasks.py, registered with the worker here.
from zhucun.workbooks.tasks import import_job_run  # noqa: E402, F401
