"""run_all serves the pages with a worker and beat, and Ctrl-C stops all of them."""

import re
import secrets
import signal
import subprocess
import threading
import time
import urllib.error
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


def _make_run_env(tmp_path: Path) -> dict[str, str]:
    """The environment `make run` gives run_all (Makefile: ``run setup seed: export``)."""
    key_file = tmp_path / "secret_key"
    key_file.write_text(secrets.token_urlsafe(50))
    return child_env(
        DATABASE_URL=database_url(connection.settings_dict),
        REDIS_URL=None,  # the embedded broker, in a folder of its own
        ZHUCUN_VAR_DIR=str(tmp_path),
        DEBUG="0",
        SECRET_KEY=None,
        SECRET_KEY_FILE=str(key_file),
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
    )


def test_make_run_exports_debug_off_and_plain_http_settings():
    makefile = (Path(BASE_DIR) / "Makefile").read_text(encoding="utf-8")

    assert re.search(r"^DEBUG \?= 0$", makefile, re.M)
    for line in (
        "run setup seed: export DEBUG := $(DEBUG)",
        "run setup seed: export SECRET_KEY_FILE := $(abspath $(SECRET_KEY_FILE))",
        "run setup seed: export SECURE_SSL_REDIRECT := 0",
        "run setup seed: export SESSION_COOKIE_SECURE := 0",
        "run setup seed: export CSRF_COOKIE_SECURE := 0",
    ):
        assert line in makefile


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_run_all_serves_with_worker_and_beat_and_stops_on_ctrl_c(tmp_path):
    """As `make run` starts it: DEBUG off, plain http on 127.0.0.1, static files served."""
    port = free_port()
    env = _make_run_env(tmp_path)
    collected = subprocess.run(
        [PYTHON, MANAGE, "collectstatic", "--noinput", "--verbosity=0"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collected.returncode == 0, collected.stderr
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
            assert answer.url.startswith("http://")  # no redirect to HTTPS
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/") as answer:
            assert answer.status == 200
            assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
            assert "Secure" not in answer.headers.get("Set-Cookie", "")
        static = f"http://127.0.0.1:{port}/static/css/zhucun.css"
        with urllib.request.urlopen(static) as answer:
            assert answer.status == 200
            assert "no-store" not in answer.headers.get("Cache-Control", "")
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/no-such-page/")
        body = missing.value.read().decode()
        assert missing.value.code == 404
        assert "页面不存在" in body
        assert "URLconf" not in body  # no DEBUG page listing the URLs
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
