"""A small HTTP load client, for machines without ``wrk``.

``python -m bench.loadclient URL --tokens T1,T2,… --concurrency 20 --seconds 10
--max-requests 50000`` keeps ``concurrency`` requests in flight from as many
threads (thread i sends token i, round the list), each request on its own
connection, until the time or the
request budget runs out (whichever first), and prints one JSON line: requests,
errors, non-2xx answers, seconds, requests/s and latency percentiles in ms.

Threads share one interpreter: above a few hundred requests per second the client
itself becomes the limit, which is why ``wrk`` is preferred where installed.
Only 127.0.0.1 is accepted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
from urllib.parse import urlsplit

from bench.stats import percentile


def drive(
    url: str, *, tokens: list[str], concurrency: int, seconds: float, max_requests: int
) -> dict:
    parts = urlsplit(url)
    if parts.hostname != "127.0.0.1":
        raise ValueError("the load client only talks to 127.0.0.1")
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lock = threading.Lock()
    latencies: list[float] = []
    counts = {"sent": 0, "errors": 0, "non2xx": 0}
    deadline = time.monotonic() + seconds

    def worker(token: str) -> None:
        headers = {"Authorization": f"Token {token}", "Connection": "close"}
        while True:
            with lock:
                if counts["sent"] >= max_requests or time.monotonic() >= deadline:
                    return
                counts["sent"] += 1
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection(
                    parts.hostname, parts.port, timeout=10
                )
                connection.request("GET", target, headers=headers)
                response = connection.getresponse()
                response.read()
                connection.close()
            except (OSError, http.client.HTTPException):
                with lock:
                    counts["errors"] += 1
                continue
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if not 200 <= response.status < 300:
                    counts["non2xx"] += 1

    started = time.monotonic()
    threads = [
        threading.Thread(target=worker, args=(tokens[i % len(tokens)],))
        for i in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 30)
    duration = time.monotonic() - started
    answered = len(latencies)
    return {
        "requests": answered,
        "errors": counts["errors"],
        "non2xx": counts["non2xx"],
        "seconds": round(duration, 2),
        "rps": round(answered / duration, 1) if duration else 0.0,
        "p50_ms": round(percentile(latencies, 50), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 95), 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 99), 1) if latencies else None,
        "driver": "python",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--tokens", required=True, help="comma-separated")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=50_000)
    args = parser.parse_args()
    print(
        json.dumps(
            drive(
                args.url,
                tokens=args.tokens.split(","),
                concurrency=args.concurrency,
                seconds=args.seconds,
                max_requests=args.max_requests,
            )
        )
    )


if __name__ == "__main__":
    main()
