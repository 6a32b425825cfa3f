"""A real Celery worker runs the monthly rollup and a reminder end to end.

The worker is a child process on the suite's broker (the embedded filesystem
transport without REDIS_URL, Redis with it), listening on a queue of its own and
pointed at the test database, which this transactional test has committed to.
"""

import subprocess
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from attendance.models import AttendanceRollup, MonthlyAttendance, Reminder
from attendance.tasks import remind_attendance_due, rollup_month
from tests.attendance.conftest import MONTH, build_township
from tests.zhucun.processes import BASE_DIR, PYTHON, child_env, database_url
from zhucun.celery import app as celery_app


@pytest.fixture
def private_queue():
    """A queue no other worker listens to; removed from Redis afterwards."""
    name = f"test-attendance-{uuid.uuid4().hex}"
    yield name
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        client.delete(name, f"_kombu.binding.{name}")


def _wait_for(condition, worker, log_path, seconds=90):
    deadline = time.monotonic() + seconds
    while not condition():
        assert worker.poll() is None, log_path.read_text()
        assert time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.25)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_runs_the_rollup_and_a_reminder(tmp_path, private_queue, scoped_user):
    assert not celery_app.conf.task_always_eager
    place = build_township(members=3)
    clerk = scoped_user("township", place.township.code)
    for member in place.members:
        MonthlyAttendance.objects.create(
            membership=member, month=MONTH, in_post_days=21
        )
    log_path = tmp_path / "worker.log"
    log = log_path.open("w")
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
        env=child_env(DATABASE_URL=database_url(connection.settings_dict)),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        rollup_month.apply_async(args=["2019-11"], queue=private_queue)
        remind_attendance_due.apply_async(args=["2019-11"], queue=private_queue)

        _wait_for(
            lambda: (
                AttendanceRollup.objects.filter(level="province").exists()
                and Reminder.objects.exists()
            ),
            worker,
            log_path,
        )

        province = AttendanceRollup.objects.get(level="province", month=MONTH)
        assert (province.members_expected, province.in_post_days) == (3, 63)
        assert AttendanceRollup.objects.filter(month=MONTH).count() == 2 + 4
        reminder = Reminder.objects.get()
        assert reminder.recipient == clerk
        assert reminder.kind == Reminder.Kind.ATTENDANCE_DUE
        assert "succeeded" in log_path.read_text()
    finally:
        worker.kill()
        worker.wait()
        log.close()
