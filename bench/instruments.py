"""What a measuring process reads about itself: queries run, memory held."""

from __future__ import annotations

import resource
from contextlib import contextmanager


class QueryCounter:
    """Counts the statements a connection runs (``connection.execute_wrapper``).

    Cheaper than ``CaptureQueriesContext``: no SQL text is kept, so the count can
    stay on while the time is measured.
    """

    def __init__(self):
        self.count = 0
        self._taken = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def take(self) -> int:
        """Statements since the last take."""
        n, self._taken = self.count - self._taken, self.count
        return n


@contextmanager
def counting(connection):
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        yield counter


def rss_mb() -> float:
    """Resident memory of this process now, in MB (Linux /proc)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mb()


def peak_rss_mb() -> float:
    """The most resident memory this process has held so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
