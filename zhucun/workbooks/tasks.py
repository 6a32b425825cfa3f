"""Celery tasks for imports too large to run while the page waits (thin: see jobs)."""

from celery import shared_task

from zhucun.workbooks.jobs import job_run


@shared_task(name="zhucun.workbooks.import_job_run", ignore_result=True)
def import_job_run(job_id: int, confirm: bool = False, ip_address: str | None = None):
    """Check or import one job; running it again changes nothing more (re-import = unchanged)."""
    job_run(job_id, confirm=confirm, ip_address=ip_address)
