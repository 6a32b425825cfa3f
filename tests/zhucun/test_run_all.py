"""run_all serves the pages with a worker and beat, and Ctrl-C stops all of them."""

import signal
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests.zhucun.processes import (
    BASE_DIR,
    MANAGE,
    PYTHON,
    child_env,
    database_url,
    free_port,
)


def _descendants(pid: int) -> set[int]:
    """Every process below pid, from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_run_all_serves_with_worker_and_beat_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    env = child_env(
        DATABASE_URL=database_url(connection.settings_dict),
        REDIS_URL=None,  # the embedded broker, in a folder of its own
        ZHUCUN_VAR_DIR=str(tmp_path),
    )
    proc = subprocess.Popen(
        [PYTHON, MANAGE, "run_all", f"--addrport=127.0.0.1:{port}", "--noreload"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        wanted = ("[worker]", " ready."), ("[beat]", "beat: Starting"), ("已启动", "")
        deadline = time.monotonic() + 90
        while not all(
            any(a in line and b in line for line in list(lines)) for a, b in wanted
        ):
            assert proc.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as answer:
            assert answer.status == 200
        children = _descendants(proc.pid)
        assert len(children) >= 3  # runserver, worker (and its pool), beat

        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=60)

        assert code == 0, "".join(lines)
        assert not [pid for pid in children if _alive(pid)]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(timeout=5)
