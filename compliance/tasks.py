"""Celery tasks of compliance: the snapshot (thin; the work is a service)."""

from celery import shared_task
from django.utils import timezone

from compliance.models import ComplianceRun
from compliance.services import compliance_refresh
from zhucun import clock


# The name predates the compliance app: beat's database schedule and queued
# messages name the task by it, so it stays.
@shared_task(name="assessments.tasks.compliance_refresh", ignore_result=True)
def compliance_refresh_task(run_id: int | None = None) -> int | None:
    """Carry out a queued run, or (beat's nightly call) refresh the whole province.

    Idempotent: a queued run already taken up (beat or the broker may deliver a
    message twice) is left alone; a second nightly refresh leaves the same rows.
    Returns the id of the run carried out, None when there was nothing to do.
    """
    if run_id is None:
        return compliance_refresh(as_of=clock.today()).pk
    # Claimed by one atomic update, so two workers given the same message do not
    # both carry it out.
    claimed = ComplianceRun.objects.filter(
        pk=run_id, status=ComplianceRun.Status.PENDING
    ).update(status=ComplianceRun.Status.RUNNING, started_at=timezone.now())
    if not claimed:
        return None
    run = ComplianceRun.objects.select_related("region", "requested_by").get(pk=run_id)
    compliance_refresh(
        as_of=run.as_of, region=run.region, run=run, user=run.requested_by
    )
    return run.pk
