"""Read a workbook in a child process that may die without taking its parent along.

The bounds checked before parsing (``safety``, ``bounds``) are the first wall; this
is the second. The checks and the parse run in a forked child with a ceiling on the
memory it may add (``RLIMIT_AS``: ``ZHUCUN_IMPORT_READ_MEMORY_BYTES``, default
512 MiB above what the parent already maps) and on its time (``RLIMIT_CPU`` and a
wall clock: ``ZHUCUN_IMPORT_READ_SECONDS``, default 300). A parser that aborts, runs
out of memory or hangs kills only the child; the caller gets a ``WorkbookUnreadable``
refusal (「文件无法读取：……」) and the web server or worker keeps running.

The child touches no database: it gets a path, returns the cells (pickled through a
pipe) or the refusal, and leaves with ``os._exit`` so nothing of the parent's state
(connections, atexit handlers) is run twice.
"""

import faulthandler
import logging
import os
import pickle
import resource
import select
import signal
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from zhucun.workbooks.reading import read_workbook
from zhucun.workbooks.safety import WorkbookRefused, check_workbook_file

logger = logging.getLogger(__name__)
MiB = 1024 * 1024


class WorkbookUnreadable(WorkbookRefused):
    """The reader died, ran out of memory or time: the job failed, not the rows."""


def memory_bytes() -> int:
    return int(getattr(settings, "ZHUCUN_IMPORT_READ_MEMORY_BYTES", 512 * MiB))


def time_seconds() -> int:
    return int(getattr(settings, "ZHUCUN_IMPORT_READ_SECONDS", 300))


def _mapped_bytes() -> int:
    """The address space this process maps now (what RLIMIT_AS counts)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _unreadable(reason: str) -> WorkbookUnreadable:
    return WorkbookUnreadable(_("文件无法读取：%(reason)s") % {"reason": reason})


def run_bounded(function: Callable, *args):
    """``function(*args)`` in a child with limited memory and time; its result."""
    budget, seconds = memory_bytes(), time_seconds()
    ceiling = _mapped_bytes() + budget
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(reader)
        _child(writer, ceiling, seconds, function, args)
    os.close(writer)
    payload, timed_out = b"", True
    try:
        payload, timed_out = _collect(reader, time.monotonic() + seconds)
    finally:
        os.close(reader)
        if timed_out:  # or the parent was interrupted: the child must not linger
            os.kill(pid, signal.SIGKILL)
        _pid, status = os.waitpid(pid, 0)
    if timed_out:
        raise _unreadable(
            _("读取超过%(seconds)d秒仍未完成，已停止。请把文件分成几个较小的文件。")
            % {"seconds": seconds}
        )
    try:
        outcome, value = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a child that died leaves a cut pipe
        logger.warning("workbook reader died (wait status %s)", status)
        raise _unreadable(
            _(
                "读取时占用的内存或时间超过上限（最多%(mib)d MB），已停止。"
                "请检查文件中是否有大量空行、空列或大范围的合并单元格。"
            )
            % {"mib": budget // MiB}
        ) from None
    if outcome == "ok":
        return value
    if outcome == "refused":
        raise WorkbookRefused(value)
    if outcome == "memory":
        raise _unreadable(
            _("读取时占用的内存超过上限（最多%(mib)d MB），已停止。")
            % {"mib": budget // MiB}
        )
    logger.error("workbook reader failed: %s", value)
    raise _unreadable(_("文件内容有误，无法解析。请用Excel重新保存后再试。"))


def _child(writer: int, ceiling: int, seconds: int, function, args) -> None:
    status = 0
    try:
        faulthandler.disable()  # a death here is reported by the parent, once
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
        try:
            answer = ("ok", function(*args))
        except WorkbookRefused as refused:
            answer = ("refused", refused.message)
        except MemoryError:
            answer = ("memory", "")
        except Exception:  # noqa: BLE001 - reported to the parent, which logs it
            answer = ("error", traceback.format_exc(limit=5))
        payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(payload)
        while view:
            view = view[os.write(writer, view) :]
    except BaseException:  # noqa: BLE001 - the parent reads a cut pipe as a death
        status = 1
    finally:
        os._exit(status)


def _collect(reader: int, deadline: float) -> tuple[bytes, bool]:
    """Everything the child writes until it closes the pipe, or the deadline."""
    parts = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"", True
        ready, _w, _x = select.select([reader], [], [], left)
        if not ready:
            continue
        chunk = os.read(reader, 1024 * 1024)
        if not chunk:
            return b"".join(parts), False
        parts.append(chunk)


def read_workbook_bounded(path: str | Path, columns):
    """Check ``path`` and read it (``reading.read_workbook``) in a bounded child."""
    return run_bounded(_check_and_read, str(path), columns)


def _check_and_read(path: str, columns):

    check_workbook_file(path)
    return read_workbook(path, columns)
