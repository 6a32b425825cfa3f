"""Imports started from the browser: upload, check (a dry run), confirm, import.

A job is an ``ImportJob`` row (``zhucun.models``) plus a folder under
``VAR_DIR/imports/<job id>/`` holding the uploaded workbook, the error workbook when
there is one, and ``progress.json`` while a worker runs it. Progress goes to that
file and not to the job row because the import writes inside one long transaction:
a row updated inside it would stay invisible to the page until the end, and on
SQLite a second connection could not write it at all.

Files of up to ``ZHUCUN_IMPORT_INLINE_MAX_BYTES`` (default 256 KiB) that unpack to
at most ``ZHUCUN_IMPORT_INLINE_MAX_UNCOMPRESSED_BYTES`` (default 4 MiB, a few thousand
rows) are checked and imported while the page waits; any other by a Celery task
(``zhucun.workbooks.tasks``), the page showing the progress bar meanwhile: a small
file that unpacks large is heavy work, and heavy work stays out of requests. Either
way the file is read in a bounded child process (``sandbox``): the web process
itself never parses an upload.

``progress.json`` is also the job's heartbeat: while a job runs, a thread touches
it every ``ZHUCUN_IMPORT_HEARTBEAT_SECONDS`` (20). A job still marked running whose
heartbeat is older than ``ZHUCUN_IMPORT_STALL_SECONDS`` (600) lost its worker: it
is shown as failed (「导入中断，请重试」) and may be run again, which is safe since
an import writes everything or nothing.
"""

import json
import os
import shutil
import threading
import time
import uuid
import zipfile
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from zhucun.workbooks.importer import ImportResult, may_import, run_import
from zhucun.workbooks.kinds import KINDS
from zhucun.workbooks.safety import max_bytes

UPLOAD_NAME = "upload.xlsx"
ERRORS_NAME = "errors.xlsx"
PROGRESS_NAME = "progress.json"
ERRORS_SHOWN = 200  # errors kept on the job row; the error workbook has them all


def job_model():
    """The ImportJob model (looked up late: it lives in zhucun.models)."""
    return apps.get_model("zhucun", "ImportJob")


def inline_max_bytes() -> int:
    return int(getattr(settings, "ZHUCUN_IMPORT_INLINE_MAX_BYTES", 256 * 1024))


def inline_max_uncompressed_bytes() -> int:
    return int(
        getattr(
            settings, "ZHUCUN_IMPORT_INLINE_MAX_UNCOMPRESSED_BYTES", 4 * 1024 * 1024
        )
    )


def heartbeat_seconds() -> float:
    return float(getattr(settings, "ZHUCUN_IMPORT_HEARTBEAT_SECONDS", 20))


def stall_seconds() -> float:
    return float(getattr(settings, "ZHUCUN_IMPORT_STALL_SECONDS", 600))


def running_statuses() -> tuple[str, ...]:
    Status = job_model().Status
    return (Status.QUEUED, Status.CHECKING, Status.IMPORTING)


def imports_dir() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def job_folder(job) -> Path:
    return Path(job.file_path).parent


def errors_path(job) -> Path:
    return job_folder(job) / ERRORS_NAME


# --- reads ----------------------------------------------------------------------


def job_get(*, user, pk: int):
    """One of the user's own jobs, else 404 (another user's job does not exist).

    A job whose worker died is marked failed on the way (see ``job_settle``).
    """
    try:
        job = job_model().objects.get(pk=pk, user=user)
    except job_model().DoesNotExist:
        raise Http404(_("导入任务不存在。")) from None
    job_settle(job)
    return job


def job_list(*, user, limit: int = 20):
    """The user's latest jobs."""
    return job_model().objects.filter(user=user).order_by("-created_at", "-id")[:limit]


def job_progress(job) -> tuple[int, str]:
    """(percent, stage) of a running job, from its progress file if a worker wrote one."""
    try:
        data = json.loads((job_folder(job) / PROGRESS_NAME).read_text("utf-8"))
        return int(data["percent"]), str(data["stage"])
    except (OSError, ValueError, KeyError):
        return job.progress, ""


def job_stalled(job) -> bool:
    """Whether a running job's heartbeat stopped longer than the stall setting ago."""
    if job.status not in running_statuses():
        return False
    try:
        beat = (job_folder(job) / PROGRESS_NAME).stat().st_mtime
    except OSError:
        beat = job.created_at.timestamp()
    return time.time() - beat > stall_seconds()


def can_retry(job) -> bool:
    return job.status == job_model().Status.FAILED


# --- writes ---------------------------------------------------------------------


def job_settle(job) -> None:
    """Mark a job whose worker died as failed (only if it is still the same run)."""
    if not job_stalled(job):
        return
    model = job_model()
    message = _("导入中断，请重试")
    errors = [{"sheet": "", "row": 0, "column": "", "value": "", "message": message}]
    finished = timezone.now()
    changed = model.objects.filter(pk=job.pk, status=job.status).update(
        status=model.Status.FAILED, errors=errors, finished_at=finished
    )
    if changed:
        job.status, job.errors, job.finished_at = model.Status.FAILED, errors, finished
        (job_folder(job) / PROGRESS_NAME).unlink(missing_ok=True)


@transaction.atomic
def job_create(*, user, kind: str, upload) -> object:
    """Store an uploaded workbook and open a job for it (nothing is read yet)."""
    if kind not in KINDS:
        raise ValidationError({"kind": _("未知的数据类型。")})
    if not may_import(user, kind):
        raise ValidationError({"kind": _("您没有导入这类数据的权限。")})
    if upload.size > max_bytes():
        raise ValidationError(
            {
                "file": _("文件太大，导入文件不能超过%(limit)d MB。")
                % {"limit": max_bytes() // (1024 * 1024)}
            }
        )
    folder = imports_dir() / uuid.uuid4().hex
    folder.mkdir(parents=True)
    path = folder / UPLOAD_NAME
    with path.open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    return job_model().objects.create(
        kind=kind,
        user=user,
        file_path=str(path),
        original_name=os.path.basename(upload.name)[:255],
    )


def runs_inline(job) -> bool:
    """Whether a job is light enough to run while the request waits."""
    path = Path(job.file_path)
    if path.stat().st_size > inline_max_bytes():
        return False
    try:
        # The zip's directory only (a small file has a small one): what it unpacks
        # to. A part that unpacks to more than it declares is refused by the check.
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        return True  # not a zip: the check refuses it at once
    return unpacked <= inline_max_uncompressed_bytes()


def job_start(job, *, confirm: bool, ip_address: str | None = None) -> None:
    """Check (``confirm=False``) or import a job: now if small, else in the worker."""
    Status = job_model().Status
    job.status = Status.IMPORTING if confirm else Status.CHECKING
    job.progress = 0
    job.errors = []
    job.finished_at = None
    job.save(update_fields=["status", "progress", "errors", "finished_at"])
    _write_progress(job_folder(job) / PROGRESS_NAME, 0, "")  # the first heartbeat
    if runs_inline(job):
        job_run(job.pk, confirm=confirm, ip_address=ip_address)
        return
    # zhucun.workbooks.tasks imports this module for job_run: a real cycle.
    from zhucun.workbooks.tasks import import_job_run

    transaction.on_commit(
        lambda: import_job_run.delay(job.pk, confirm=confirm, ip_address=ip_address)
    )


def job_retry(job, *, ip_address: str | None = None) -> None:
    """Run a failed job again: its import if its check had passed, else its check."""
    if not can_retry(job):
        raise ValidationError({"status": _("只有处理出错或中断的导入任务才能重试。")})
    if not Path(job.file_path).exists():
        raise ValidationError({"file": _("上传的文件已不在服务器上，请重新上传。")})
    job_start(job, confirm=job.counts.get("checked_ok") is True, ip_address=ip_address)


def _write_progress(progress_file: Path, percent: int, stage: str) -> None:
    tmp = progress_file.with_suffix(".tmp")
    tmp.write_text(json.dumps({"percent": percent, "stage": stage}), "utf-8")
    tmp.replace(progress_file)


@contextmanager
def _heartbeat(progress_file: Path):
    """Touch the progress file every few seconds while the body runs."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(heartbeat_seconds()):
            try:
                os.utime(progress_file)
            except OSError:
                pass  # the file is being replaced; the next beat will find it

    thread = threading.Thread(target=beat, name="import-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def job_run(job_id: int, *, confirm: bool, ip_address: str | None = None) -> None:
    """Run a job's check or import to its end, and record how it went."""
    model = job_model()
    job = model.objects.select_related("user").get(pk=job_id)
    Status = model.Status
    if confirm and job.counts.get("checked_ok") is not True:
        return  # only a job whose check passed may be imported
    if job.status != (Status.IMPORTING if confirm else Status.CHECKING):
        return  # given up as interrupted meanwhile (a retry queues it again)
    progress_file = job_folder(job) / PROGRESS_NAME

    def progress(percent: int, stage: str) -> None:
        _write_progress(progress_file, percent, stage)

    errors_file = errors_path(job)
    errors_file.unlink(missing_ok=True)
    progress(0, "")
    try:
        with _heartbeat(progress_file):
            result = run_import(
                kind=job.kind,
                path=job.file_path,
                user=job.user,
                dry_run=not confirm,
                ip_address=ip_address,
                progress=progress,
                error_workbook=errors_file,
            )
    except Exception:
        model.objects.filter(pk=job.pk).update(
            status=Status.FAILED, finished_at=timezone.now()
        )
        raise
    finally:
        progress_file.unlink(missing_ok=True)
    _record(job, result, confirm)


def _record(job, result: ImportResult, confirm: bool) -> None:
    Status = job_model().Status
    counts = result.as_dict()
    if result.failed:  # the file could not be read: neither checked nor imported
        status = Status.FAILED
        counts["checked_ok"] = False
    elif confirm:
        status = Status.DONE if result.written else Status.REJECTED
        counts["checked_ok"] = result.written
    else:
        status = Status.CHECKED if result.ok else Status.REJECTED
        counts["checked_ok"] = result.ok
    job.status = status
    job.progress = 100
    job.counts = counts
    job.errors = [e.as_dict() for e in result.errors[:ERRORS_SHOWN]]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "progress", "counts", "errors", "finished_at"])


def job_discard(job) -> None:
    """Forget a job's files (the row stays, as a record of the attempt)."""
    shutil.rmtree(job_folder(job), ignore_errors=True)
