"""Run several long-lived programs side by side and stop them together.

``manage.py run_all`` uses it to serve the web pages with a Celery worker and
beat beside them. Each program runs in its own process group, so the terminal's
Ctrl-C reaches only the supervisor, which then stops them in a fixed way: SIGTERM
to each program, SIGKILL after a grace period, then whatever is left in its
process group (runserver's reloaded child) is killed too. When one program dies
on its own, the others are stopped as well: a web server without its worker is
not a working system.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TextIO


@dataclass(frozen=True)
class Program:
    """One command to keep running, shown in the output as ``[name]``."""

    name: str
    argv: Sequence[str]


@dataclass
class Supervisor:
    """Start programs, prefix their output, forward a stop to all of them."""

    programs: Sequence[Program]
    cwd: str | os.PathLike | None = None
    env: dict[str, str] | None = None
    stop_timeout: float = 15.0
    out: TextIO = sys.stdout
    on_started: Callable[[], None] | None = None
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def run(self) -> int:
        """Run until a signal or until one program exits; return the exit code."""
        handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        previous = {sig: signal.signal(sig, self._request_stop) for sig in handled}
        procs: dict[str, subprocess.Popen] = {}
        pumps: list[threading.Thread] = []
        failed: tuple[str, int] | None = None
        try:
            for program in self.programs:
                proc = self._start(program)
                procs[program.name] = proc
                pump = threading.Thread(
                    target=self._pump, args=(program.name, proc), daemon=True
                )
                pump.start()
                pumps.append(pump)
            if self.on_started is not None:
                self.on_started()
            while not self._stop.wait(0.2):
                exited = [
                    (n, p.returncode) for n, p in procs.items() if p.poll() is not None
                ]
                if exited:
                    failed = exited[0]
                    break
        finally:
            if failed is not None:
                self._say(
                    f"{failed[0]} 已退出（退出码 {failed[1]}），正在停止其他进程……"
                )
            else:
                self._say("正在停止所有进程……")
            self._stop_all(procs)
            for pump in pumps:
                pump.join(timeout=2)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if failed is None:
            self._say("已全部停止。")
            return 0
        return failed[1] or 1

    def _request_stop(self, signum, frame) -> None:
        self._stop.set()

    def _start(self, program: Program) -> subprocess.Popen:
        env = dict(os.environ if self.env is None else self.env)
        env.setdefault("PYTHONUNBUFFERED", "1")
        self._say(f"启动 {program.name}：{' '.join(program.argv)}")
        return subprocess.Popen(
            list(program.argv),
            cwd=self.cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
            process_group=0,
        )

    def _pump(self, name: str, proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            with self._lock:
                self.out.write(f"[{name}] {line}")
                self.out.flush()

    def write(self, text: str) -> None:
        """Print text between the programs' lines, never inside one."""
        with self._lock:
            self.out.write(text)
            self.out.flush()

    def _say(self, message: str) -> None:
        self.write(f"[run_all] {message}\n")

    def _stop_all(self, procs: dict[str, subprocess.Popen]) -> None:
        # SIGTERM to the leader only: it shuts its own children down in order
        # (a Celery worker lets its pool finish the running task). Whatever is
        # left in its group afterwards (runserver's reloaded child) is killed.
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + self.stop_timeout
        for name, proc in procs.items():
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._say(f"{name} 未在 {self.stop_timeout:g} 秒内停止，强制结束。")
            _kill_group(proc)
            proc.wait()


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
