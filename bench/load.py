"""HTTP load against gunicorn: requests per second and latency under 20 clients.

gunicorn serves ``zhucun.wsgi`` on 127.0.0.1 (a free port) with a few sync workers
and production settings (``DEBUG=0``), on the benchmark's database. A second
process drives it: ``wrk`` where installed (its latency percentiles come from its
own histogram, through a Lua ``done`` hook), else ``bench.loadclient``. Each
endpoint gets ``rounds`` runs of ``seconds`` seconds with 20 connections; the 20
clients are 20 provincial users (``bench.accounts.API_CLIENTS``), each with its
own token and throttle history. The figure is the median of the rounds.

The anchor of each endpoint is the API root (``/api/v1/``) in the same run: the
same stack (gunicorn, middleware, token authentication, throttling) with no query
of its own, so the ratio endpoint / root says what share of the stack's ceiling the
endpoint reaches. The per-user throttle is raised for the run (``API_USER_RATE``) so
that it is counted but never refuses. gunicorn is stopped before the measurement
returns, whatever happens.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import accounts
from bench.stats import Result, goal, ratio

GOAL_P95_MS = 100.0
CONCURRENCY = 20
READY_SECONDS = 60

# wrk's summary as one JSON line (latencies in microseconds).
WRK_SCRIPT = """
-- One token per client: each request takes the next one (20 users, as 20 clients).
local tokens = {__TOKENS__}
local turn = 0
request = function()
  turn = turn + 1
  return wrk.format(nil, nil, {["Authorization"] = "Token " .. tokens[turn % #tokens + 1]})
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, '
    .. '"write": %d, "status": %d, "timeout": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class Endpoint:
    name: str
    label: str
    path: str
    list_goal: bool = False


CEILING = Endpoint("load.api.root", "API 根（天花板）", "/api/v1/")
ENDPOINTS = (
    Endpoint("load.api.villages.list", "并发 API 列表：村", "/api/v1/villages/", True),
    Endpoint("load.api.teams.list", "并发 API 列表：工作队", "/api/v1/teams/", True),
    # The largest table (a row per member and month): its page must not count
    # every row (zhucun.pagination caps the count).
    Endpoint(
        "load.api.attendance.list",
        "并发 API 列表：月度考勤（最大的表）",
        "/api/v1/attendance/",
        True,
    ),
    Endpoint(
        "load.api.villages.detail", "并发 API 详情：一个村", "/api/v1/villages/{id}/"
    ),
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str, token: str | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Authorization": f"Token {token}"} if token else {}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _gunicorn_command(port: int, workers: int) -> list[str]:
    binary = Path(sys.executable).with_name("gunicorn")
    base = [str(binary)] if binary.exists() else [sys.executable, "-m", "gunicorn"]
    return [
        *base,
        "zhucun.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
    ]


class Gunicorn:
    """gunicorn started on a free port of 127.0.0.1; stopped on leaving the block."""

    def __init__(self, workers: int, log_path: Path):
        self.workers = workers
        self.port = _free_port()
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        env = dict(os.environ, API_USER_RATE="100000000/min")
        self._log = open(self.log_path, "w", encoding="utf-8")
        self.process = subprocess.Popen(
            _gunicorn_command(self.port, self.workers),
            cwd=Path(__file__).resolve().parent.parent,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if _get(self.port, "/healthz") == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(
            "gunicorn did not answer /healthz: "
            + self.log_path.read_text(encoding="utf-8")[-800:]
        )

    def __exit__(self, *exc) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        self._log.close()


def _wrk(url: str, tokens: list[str], seconds: float, folder: Path) -> dict:
    script = folder / "summary.lua"
    quoted = ", ".join(f'"{t}"' for t in tokens)
    script.write_text(WRK_SCRIPT.replace("__TOKENS__", quoted), encoding="utf-8")
    threads = max(1, min(2, os.cpu_count() or 1))
    completed = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{CONCURRENCY}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    line = [x for x in completed.stdout.splitlines() if x.startswith("{")][-1]
    raw = json.loads(line)
    duration = raw["duration_us"] / 1e6
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return {
        "requests": raw["requests"],
        "errors": errors,
        "non2xx": raw["status"],
        "seconds": round(duration, 2),
        "rps": round(raw["requests"] / duration, 1) if duration else 0.0,
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "driver": "wrk",
    }


def _python_client(
    url: str, tokens: list[str], seconds: float, max_requests: int
) -> dict:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.loadclient",
            url,
            "--tokens",
            ",".join(tokens),
            "--concurrency",
            str(CONCURRENCY),
            "--seconds",
            str(seconds),
            "--max-requests",
            str(max_requests),
        ],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=seconds + 90,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _figure(rounds: list[dict]) -> dict:
    """The median round (by requests/s) and the spread of the rounds."""
    rps = [r["rps"] for r in rounds]
    p95 = [r["p95_ms"] for r in rounds if r["p95_ms"] is not None]
    p50 = [r["p50_ms"] for r in rounds if r["p50_ms"] is not None]
    return {
        "value": round(statistics.median(rps), 1),
        "stat": "median",
        "unit": "req/s",
        "n": len(rounds),
        "min": min(rps),
        "max": max(rps),
        "p50_ms": round(statistics.median(p50), 1) if p50 else None,
        "p95_ms": round(statistics.median(p95), 1) if p95 else None,
        "p95_ms_max": max(p95) if p95 else None,
        "requests": sum(r["requests"] for r in rounds),
        "errors": sum(r["errors"] for r in rounds),
        "non2xx": sum(r["non2xx"] for r in rounds),
        "concurrency": CONCURRENCY,
        "driver": rounds[0]["driver"],
    }


def measure(config: dict) -> list[Result]:
    from villages.models import Village
    from zhucun import clock

    database = config["database"]
    accounts.provision(clock.today(), api_clients=True)
    tokens = accounts.tokens(accounts.API_CLIENTS)
    token = tokens[0]
    ids = list(Village.objects.order_by("id").values_list("id", flat=True))
    village_id = ids[len(ids) // 2]
    workers = config["workers"]
    seconds = config["load_seconds"]
    rounds = config["load_rounds"]
    use_wrk = shutil.which("wrk") is not None and not config.get("python_client")
    measured: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="zhucun-load-") as folder:
        work = Path(folder)
        with Gunicorn(workers, work / "gunicorn.log") as server:
            for endpoint in (CEILING, *ENDPOINTS):
                path = endpoint.path.format(id=village_id)
                status = _get(server.port, path, token)
                if status != 200:
                    raise RuntimeError(f"GET {path} → HTTP {status}")
                for _ in range(3 * workers):  # every worker warm
                    _get(server.port, path, token)
                url = f"http://127.0.0.1:{server.port}{path}"
                runs = []
                for _ in range(rounds):
                    if use_wrk:
                        runs.append(_wrk(url, tokens, seconds, work))
                    else:
                        runs.append(
                            _python_client(url, tokens, seconds, config["max_requests"])
                        )
                measured[endpoint.name] = _figure(runs) | {"path": path}
    ceiling = measured[CEILING.name]
    setting = {"workers": workers, "seconds_per_round": seconds}
    results = [
        Result(
            "load",
            CEILING.name,
            CEILING.label,
            database,
            figure=ceiling,
            details=setting,
        )
    ]
    for endpoint in ENDPOINTS:
        figure = measured[endpoint.name]
        result = Result(
            "load",
            endpoint.name,
            endpoint.label,
            database,
            figure=figure,
            anchor={
                "label": "同一 gunicorn 上 API 根（/api/v1/）的吞吐：同样的认证和限流，没有查询",
                "value": ceiling["value"],
                "unit": "req/s",
                "p95_ms": ceiling["p95_ms"],
            },
            ratio=ratio(figure["value"], ceiling["value"]),
            ratio_means="端点吞吐 / 天花板吞吐",
            details=setting,
        )
        if endpoint.list_goal and figure["p95_ms"] is not None:
            result.goal = goal(
                f"p95 < {GOAL_P95_MS:g} ms（{CONCURRENCY} 并发）",
                figure["p95_ms"] < GOAL_P95_MS and not figure["errors"],
            )
        results.append(result)
    return results
