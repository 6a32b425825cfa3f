"""A real Celery worker takes tasks from the configured broker; beat's schedules are wired.

The broker is whatever the suite runs on: the embedded filesystem transport
without REDIS_URL, Redis with it. Each test run uses a queue of its own, so a
worker started by someone else on the same broker cannot take the message.
"""

import subprocess
import time
import uuid

import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from tests.zhucun.processes import BASE_DIR, PYTHON, child_env
from zhucun.celery import app
from zhucun.schedules import BEAT_SCHEDULE
from zhucun.tasks import ping


@pytest.fixture
def private_queue():
    """A queue name no other worker listens to; removed from Redis afterwards."""
    name = f"test-ping-{uuid.uuid4().hex}"
    yield name
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        client.delete(name, f"_kombu.binding.{name}")


def test_worker_runs_ping_sent_through_the_broker(tmp_path, private_queue):
    out = tmp_path / "pong.txt"
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "celery",
            "--app=zhucun",
            "worker",
            "--pool=solo",
            f"--queues={private_queue}",
            f"--hostname={private_queue}@%h",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=BASE_DIR,
        env=child_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        ping.apply_async(args=[str(out)], queue=private_queue)

        deadline = time.monotonic() + 60
        while not out.exists() and worker.poll() is None:
            assert time.monotonic() < deadline, "the worker did not run ping in 60 s"
            time.sleep(0.2)

        # The worker's own pid: the task ran there, not eagerly in this process.
        assert out.read_text() == f"pong {worker.pid}", (
            tmp_path / "worker.log"
        ).read_text()
    finally:
        # Nothing is in flight any more; a warm shutdown would only cost seconds.
        worker.kill()
        worker.wait()
        log.close()


def test_ping_answers_pong_without_a_path():
    assert ping.run() == "pong"


def test_beat_schedule_comes_from_schedules_module():
    assert app.conf.beat_schedule == BEAT_SCHEDULE
    assert settings.CELERY_BEAT_SCHEDULER == (
        "django_celery_beat.schedulers:DatabaseScheduler"
    )


def test_every_scheduled_task_exists():
    app.loader.import_default_modules()

    missing = {
        name: entry["task"]
        for name, entry in BEAT_SCHEDULE.items()
        if entry["task"] not in app.tasks
    }

    assert missing == {}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_database_scheduler_stores_every_schedule():
    """Beat on DatabaseScheduler copies the code's schedules into the database."""
    DatabaseScheduler(app=app, lazy=False)

    stored = dict(
        PeriodicTask.objects.filter(name__in=BEAT_SCHEDULE).values_list("name", "task")
    )

    assert stored == {name: entry["task"] for name, entry in BEAT_SCHEDULE.items()}
