"""The supervisor behind run_all: one stop reaches every program and its children."""

import io
import os
import signal
import sys
import textwrap
import threading
import time
from pathlib import Path

from zhucun.runner import Program, Supervisor


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def _gone_soon(pid: int, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _sleeper(pid_file: Path, *, ignore_term: bool = False, child: bool = False):
    """A program that records its pid (and its child's), then sleeps."""
    code = f"""
        import os, signal, subprocess, sys, time
        if {ignore_term!r}:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        pids = [os.getpid()]
        if {child!r}:
            pids.append(subprocess.Popen([sys.executable, "-c",
                "import time; time.sleep(120)"]).pid)
        open({str(pid_file)!r}, "w").write(" ".join(map(str, pids)))
        print("ready", flush=True)
        time.sleep(120)
    """
    return [sys.executable, "-c", textwrap.dedent(code)]


def _pids(path: Path, count: int) -> list[int]:
    deadline = time.monotonic() + 20
    while True:
        if path.exists():
            pids = [int(p) for p in path.read_text().split()]
            if len(pids) == count:
                return pids
        assert time.monotonic() < deadline, f"{path} never written"
        time.sleep(0.05)


def _stop_with_sigterm_once(paths_and_counts, found: dict):
    """on_started: wait for the programs to be up, then signal this process."""

    def later():
        for path, count in paths_and_counts:
            found[path] = _pids(path, count)
        os.kill(os.getpid(), signal.SIGTERM)

    return lambda: threading.Thread(target=later, daemon=True).start()


def test_sigterm_stops_every_program_and_their_children(tmp_path):
    web, worker = tmp_path / "web.pid", tmp_path / "worker.pid"
    found: dict = {}
    out = io.StringIO()
    supervisor = Supervisor(
        [
            Program("web", _sleeper(web, child=True)),
            Program("worker", _sleeper(worker)),
        ],
        out=out,
        stop_timeout=5,
        on_started=_stop_with_sigterm_once([(web, 2), (worker, 1)], found),
    )

    code = supervisor.run()

    assert code == 0
    all_pids = found[web] + found[worker]
    assert len(all_pids) == 3
    assert all(_gone_soon(pid) for pid in all_pids)
    assert "[web] ready" in out.getvalue()
    assert "[worker] ready" in out.getvalue()


def test_a_program_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path):
    stubborn = tmp_path / "stubborn.pid"
    found: dict = {}
    supervisor = Supervisor(
        [Program("stubborn", _sleeper(stubborn, ignore_term=True))],
        out=io.StringIO(),
        stop_timeout=1,
        on_started=_stop_with_sigterm_once([(stubborn, 1)], found),
    )
    started = time.monotonic()

    code = supervisor.run()

    assert code == 0
    assert time.monotonic() - started < 30
    assert _gone_soon(found[stubborn][0])


def test_when_one_program_exits_the_others_stop_and_its_code_is_returned(tmp_path):
    survivor = tmp_path / "survivor.pid"
    out = io.StringIO()
    supervisor = Supervisor(
        [
            Program("survivor", _sleeper(survivor)),
            Program(
                "crasher",
                [sys.executable, "-c", "import time, sys; time.sleep(1); sys.exit(3)"],
            ),
        ],
        out=out,
        stop_timeout=5,
    )

    code = supervisor.run()

    assert code == 3
    assert _gone_soon(_pids(survivor, 1)[0])
    assert "crasher 已退出（退出码 3）" in out.getvalue()


def test_signal_handlers_are_restored_afterwards(tmp_path):
    before = signal.getsignal(signal.SIGTERM)
    supervisor = Supervisor(
        [Program("quick", [sys.executable, "-c", "pass"])], out=io.StringIO()
    )

    supervisor.run()

    assert signal.getsignal(signal.SIGTERM) is before
