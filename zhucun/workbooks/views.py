"""Pages to import and export workbooks: upload, check, confirm, download.

The flow: the clerk uploads a workbook of one kind; it is checked (a dry run) and the
page shows what would be created, updated and left unchanged, the new townships and
every error (the error workbook can be downloaded); only a check that passed can be
confirmed, and the import then writes everything or nothing. Large files run in the
Celery worker while the page refreshes itself to show the progress bar (no script
needed). Jobs belong to their user: anyone else's job answers 404.
"""

import tempfile

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from villages.models import Region
from zhucun.audit import client_ip
from zhucun.pages import XLSX
from zhucun.workbooks import jobs
from zhucun.workbooks.exporter import export_template, export_workbook
from zhucun.workbooks.importer import may_import
from zhucun.workbooks.kinds import KINDS, TITLES

RUNNING = ("queued", "checking", "importing")


def importable_kinds(user) -> list[tuple[str, str]]:
    return [(kind, TITLES[kind]) for kind in KINDS if may_import(user, kind)]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("数据类型"))
    file = forms.FileField(
        label=gettext_lazy("Excel文件（.xlsx）"),
        help_text=gettext_lazy(
            "表头须在前10行内；可有多个工作表、标题行和合并单元格。"
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = importable_kinds(user)


class ExportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("数据类型"), choices=[(k, TITLES[k]) for k in KINDS]
    )
    region = forms.CharField(
        label=gettext_lazy("行政区划代码"),
        required=False,
        max_length=12,
        help_text=gettext_lazy(
            "留空导出您管辖范围内的全部数据；如 513431 只导出昭觉县。"
        ),
    )

    def clean_region(self):
        code = self.cleaned_data["region"].strip()
        if not code:
            return None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise ValidationError(_("行政区划代码“%(code)s”不存在。") % {"code": code})
        return region


@login_required
def import_start(request, kind: str | None = None):
    """Upload a workbook; small ones are checked at once, large ones queued.

    With ``kind`` (``/workbooks/imports/roster/``) the page is that kind's own:
    the kind is fixed and its template is offered for download.
    """
    kinds = importable_kinds(request.user)
    if not kinds:
        raise PermissionDenied
    if kind is not None and kind not in dict(kinds):
        if kind in KINDS:
            raise PermissionDenied
        raise Http404(_("没有这种数据类型。"))
    data = files = None
    if request.method == "POST":
        data, files = request.POST.copy(), request.FILES
        if kind is not None:
            data["kind"] = kind
    form = ImportForm(data, files, user=request.user, initial={"kind": kind})
    if kind is not None:
        form.fields["kind"].widget = forms.HiddenInput()
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.job_create(
                user=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            jobs.job_start(job, confirm=False, ip_address=client_ip(request))
            return redirect("workbooks:import-job", pk=job.pk)
    return render(
        request,
        "workbooks/import_start.html",
        {
            "form": form,
            "kind": kind,
            "title": TITLES[kind] if kind else "",
            "kinds": kinds,
            "jobs": jobs.job_list(user=request.user),
        },
    )


@login_required
def import_template(request, kind: str):
    """Download the empty workbook of a kind: its title and header row."""
    if kind not in KINDS:
        raise Http404(_("没有这种数据类型。"))
    handle = tempfile.TemporaryFile()
    export_template(kind=kind, target=handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{TITLES[kind]}-导入模板.xlsx",
        content_type=XLSX,
    )


@login_required
def import_job(request, pk: int):
    """A job's state: progress while it runs, then its counts and errors."""
    job = jobs.job_get(user=request.user, pk=pk)
    percent, stage = jobs.job_progress(job)
    return render(
        request,
        "workbooks/import_job.html",
        {
            "job": job,
            "title": TITLES.get(job.kind, job.kind),
            "running": job.status in RUNNING,
            "percent": percent,
            "stage": stage,
            "counts": job.counts,
            "has_error_workbook": jobs.errors_path(job).exists(),
            "can_retry": jobs.can_retry(job),
            "more_errors": max(
                0, job.counts.get("error_count", 0) - len(job.errors or [])
            ),
        },
    )


@login_required
@require_POST
def import_confirm(request, pk: int):
    """Import a job whose check passed."""
    job = jobs.job_get(user=request.user, pk=pk)
    if job.status != job.Status.CHECKED:
        messages.error(request, _("只有检查通过、尚未导入的文件才能确认导入。"))
        return redirect("workbooks:import-job", pk=job.pk)
    jobs.job_start(job, confirm=True, ip_address=client_ip(request))
    return redirect("workbooks:import-job", pk=job.pk)


@login_required
@require_POST
def import_retry(request, pk: int):
    """Run again a job that failed or whose worker died (imports are all or nothing)."""
    job = jobs.job_get(user=request.user, pk=pk)
    try:
        jobs.job_retry(job, ip_address=client_ip(request))
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    return redirect("workbooks:import-job", pk=job.pk)


@login_required
def import_errors(request, pk: int):
    """Download the error workbook: every error, and the original rows marked."""
    job = jobs.job_get(user=request.user, pk=pk)
    path = jobs.errors_path(job)
    if not path.exists():
        raise Http404(_("这次导入没有错误清单。"))
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"错误清单-{job.original_name or 'import.xlsx'}",
        content_type=XLSX,
    )


@login_required
def export(request):
    """Export a kind, scoped to the user, in the layout it is imported in."""
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        handle = tempfile.TemporaryFile()
        export_workbook(
            kind=kind,
            target=handle,
            user=request.user,
            county=form.cleaned_data["region"],
        )
        handle.seek(0)
        stamp = timezone.localtime().strftime("%Y%m%d")
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"{TITLES[kind]}-{stamp}.xlsx",
            content_type=XLSX,
        )
    return render(request, "workbooks/export.html", {"form": form})
