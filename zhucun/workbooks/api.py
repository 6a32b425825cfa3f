"""Excel imports over the API (/api/v1/imports/): upload, status, result, confirm.

The same flow as the import pages (``zhucun.workbooks.views``) and the same code
(``zhucun.workbooks.jobs``): an upload opens a job and checks it (a dry run that
writes nothing); only a check that passed can be confirmed, and the import then
writes every row or none. Small files run while the request waits, large ones in
the Celery worker (poll the status). ``dry_run=false`` asks for the import straight
after a check that passes; a file checked in the worker is always confirmed by a
second call, as on the pages. A job belongs to its uploader: anyone else's is a 404.
"""

import tempfile

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from zhucun.api_views import service_errors
from zhucun.audit import client_ip
from zhucun.models import ImportJob
from zhucun.pages import XLSX
from zhucun.workbooks import jobs
from zhucun.workbooks.importer import may_import
from zhucun.workbooks.kinds import KINDS, TITLES
from zhucun.workbooks.safety import WorkbookRefused, sniff_workbook_file

RUNNING = (
    ImportJob.Status.QUEUED,
    ImportJob.Status.CHECKING,
    ImportJob.Status.IMPORTING,
)


# --- serializers -----------------------------------------------------------------


class ImportUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[(kind, TITLES[kind]) for kind in KINDS],
        help_text=gettext_lazy(
            "数据类型：villages 贫困村名册，units 派出单位，roster 队员花名册，"
            "attendance 月度考勤表，training 培训记录，assessments 年度考核，"
            "funding 工作经费。"
        ),
    )
    file = serializers.FileField(
        help_text=gettext_lazy(
            "Excel工作簿（.xlsx）；表头须在前10行内，可有多个工作表、标题行和合并单元格。"
        )
    )
    dry_run = serializers.BooleanField(
        default=True,
        help_text=gettext_lazy(
            "true（默认）只检查不写入，检查通过后调用 confirm 导入；"
            "false 检查通过后立即导入（仅限当场处理的小文件，大文件总要调用 confirm）。"
        ),
    )

    def validate_file(self, upload):
        """Refuse what cannot be an .xlsx before anything is stored.

        Only the cheap checks (size, first bytes) run in the request: the rest,
        and the parse, run in a bounded child process (``sandbox``) with the job.
        """
        try:
            if hasattr(upload, "temporary_file_path"):
                sniff_workbook_file(upload.temporary_file_path())
            else:
                with tempfile.NamedTemporaryFile(suffix=".xlsx") as copy:
                    for chunk in upload.chunks():
                        copy.write(chunk)
                    copy.flush()
                    sniff_workbook_file(copy.name)
        except WorkbookRefused as refused:
            raise serializers.ValidationError(refused.message) from None
        upload.seek(0)
        return upload


class ImportCountsSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text=gettext_lazy("读到的数据行数"))
    created = serializers.IntegerField(help_text=gettext_lazy("新增行数"))
    updated = serializers.IntegerField(help_text=gettext_lazy("更新行数"))
    unchanged = serializers.IntegerField(help_text=gettext_lazy("未变行数"))
    rejected = serializers.IntegerField(help_text=gettext_lazy("拒绝行数"))
    error_count = serializers.IntegerField(help_text=gettext_lazy("错误总数"))
    written = serializers.BooleanField(
        help_text=gettext_lazy("是否已写入（检查时为 false）")
    )


class ImportRowErrorSerializer(serializers.Serializer):
    sheet = serializers.CharField(help_text=gettext_lazy("工作表名"))
    row = serializers.IntegerField(
        help_text=gettext_lazy("Excel 行号；0 表示整个文件的错误")
    )
    column = serializers.CharField(help_text=gettext_lazy("列名（表头）"))
    value = serializers.CharField(help_text=gettext_lazy("填写的内容"))
    message = serializers.CharField(help_text=gettext_lazy("错误原因（中文）"))


def _counts(job) -> dict | None:
    if not job.counts:
        return None  # not checked yet
    return {
        key: job.counts.get(key, 0)
        for key in ("rows", "created", "updated", "unchanged", "rejected")
    } | {
        "error_count": job.counts.get("error_count", 0),
        "written": bool(job.counts.get("written", False)),
    }


class ImportJobSerializer(serializers.ModelSerializer):
    kind_display = serializers.SerializerMethodField(
        help_text=gettext_lazy("数据类型名称")
    )
    status_display = serializers.CharField(
        source="get_status_display", help_text=gettext_lazy("状态名称")
    )
    progress = serializers.SerializerMethodField(
        help_text=gettext_lazy("进度（0–100）")
    )
    stage = serializers.SerializerMethodField(
        help_text=gettext_lazy("后台处理中的当前步骤，其他时候为空")
    )
    counts = serializers.SerializerMethodField(
        help_text=gettext_lazy("新增、更新、未变、拒绝的行数；检查完成前为 null")
    )
    can_confirm = serializers.SerializerMethodField(
        help_text=gettext_lazy("检查通过、尚未导入，可以调用 confirm")
    )
    file_errors = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "整个文件的问题（如文件无法读取、已加密、没有数据行），逐行的错误见 result"
        )
    )
    can_retry = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "处理出错或中断（failed），可以调用 retry 重新处理（全部写入或全部不写入）"
        )
    )
    has_error_workbook = serializers.SerializerMethodField(
        help_text=gettext_lazy("有错误清单可下载（errors.xlsx）")
    )

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "kind_display",
            "original_name",
            "status",
            "status_display",
            "progress",
            "stage",
            "counts",
            "file_errors",
            "can_confirm",
            "can_retry",
            "has_error_workbook",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def to_representation(self, job):
        jobs.job_settle(job)  # a job whose worker died shows as failed in lists too
        return super().to_representation(job)

    def _progress(self, job) -> tuple[int, str]:
        if job.status not in RUNNING:
            return job.progress, ""
        return jobs.job_progress(job)

    def get_kind_display(self, job) -> str:
        return str(TITLES.get(job.kind, job.kind))

    def get_progress(self, job) -> int:
        return self._progress(job)[0]

    def get_stage(self, job) -> str:
        return self._progress(job)[1]

    @extend_schema_field(ImportCountsSerializer(allow_null=True))
    def get_counts(self, job):
        return _counts(job)

    def get_can_confirm(self, job) -> bool:
        return job.status == ImportJob.Status.CHECKED

    def get_file_errors(self, job) -> list[str]:
        return [e["message"] for e in job.errors or () if not e.get("row")]

    def get_can_retry(self, job) -> bool:
        return jobs.can_retry(job)

    def get_has_error_workbook(self, job) -> bool:
        return jobs.errors_path(job).exists()


class ImportResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ImportJob.Status.choices)
    counts = ImportCountsSerializer(allow_null=True)
    notes = serializers.ListField(
        child=serializers.CharField(), help_text=gettext_lazy("提示（如跳过的工作表）")
    )
    new_townships = serializers.ListField(
        child=serializers.CharField(), help_text=gettext_lazy("将新增的乡（镇）")
    )
    errors = ImportRowErrorSerializer(
        many=True,
        help_text=gettext_lazy("被拒绝的行及原因（最多200条，完整清单见 errors.xlsx）"),
    )
    more_errors = serializers.IntegerField(
        help_text=gettext_lazy("此处未列出、只在错误清单中的错误数")
    )


def _result(job) -> dict:
    counts = job.counts or {}
    errors = job.errors or []
    return {
        "id": job.pk,
        "status": job.status,
        "counts": _counts(job),
        "notes": counts.get("notes", []),
        "new_townships": counts.get("new_townships", []),
        "errors": errors,
        "more_errors": max(0, counts.get("error_count", 0) - len(errors)),
    }


class AnswersInJson(BaseContentNegotiation):
    """The error workbook is a file whatever ``Accept`` says; its errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


# --- the viewset -----------------------------------------------------------------

JOB_ID = OpenApiParameter(
    "id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description=gettext_lazy("导入任务 id"),
)


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("我的导入任务"),
        description=gettext_lazy("本人上传的导入任务，最新的在前。"),
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("导入任务状态"),
        description=gettext_lazy(
            "状态、进度和行数统计；后台处理时每隔几秒查询一次，直到不再是"
            " queued、checking 或 importing。"
        ),
        parameters=[JOB_ID],
    ),
    create=extend_schema(
        summary=gettext_lazy("上传Excel导入"),
        description=gettext_lazy(
            "上传一个工作簿（multipart/form-data）。先逐行检查：有任何一行错误，整个文件"
            "都不写入，状态为 rejected；检查通过为 checked（dry_run=false 时随即导入，"
            "完成为 done）。小文件当场处理完毕；大文件在后台检查，状态为 checking，"
            "请查询任务状态，检查通过后调用 confirm。不是 .xlsx 的文件直接拒绝（400）。"
        ),
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportJobSerializer},
    ),
)
@extend_schema(tags=[gettext_lazy("Excel导入")])
class ImportJobViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = ImportJob.objects.none()
    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return jobs.job_list(user=self.request.user, limit=None)

    def get_object(self):
        return jobs.job_get(user=self.request.user, pk=int(self.kwargs["pk"]))

    def create(self, request, *args, **kwargs):
        if not any(may_import(request.user, kind) for kind in KINDS):
            raise PermissionDenied(_("您没有导入数据的权限。"))
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        values = upload.validated_data
        try:
            job = jobs.job_create(
                user=request.user, kind=values["kind"], upload=values["file"]
            )
        except DjangoValidationError as exc:
            raise service_errors(exc) from exc
        ip_address = client_ip(request._request)
        jobs.job_start(job, confirm=False, ip_address=ip_address)
        job.refresh_from_db()
        if not values["dry_run"] and job.status == ImportJob.Status.CHECKED:
            jobs.job_start(job, confirm=True, ip_address=ip_address)
            job.refresh_from_db()
        return Response(self.get_serializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("导入任务结果"),
        description=gettext_lazy(
            "新增、更新、未变、拒绝的行数，以及被拒绝的每一行：工作表、行号、列和原因。"
        ),
        parameters=[JOB_ID],
        responses={200: ImportResultSerializer},
    )
    @action(detail=True, methods=["get"])
    def result(self, request, pk=None):
        return Response(ImportResultSerializer(_result(self.get_object())).data)

    @extend_schema(
        summary=gettext_lazy("确认导入"),
        description=gettext_lazy(
            "导入一个检查通过（checked）的任务：全部写入或全部不写入。"
            "其他状态的任务返回400。"
        ),
        parameters=[JOB_ID],
        request=None,
        responses={200: ImportJobSerializer},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        job = self.get_object()
        if job.status != ImportJob.Status.CHECKED:
            raise ValidationError(
                {"status": [_("只有检查通过、尚未导入的文件才能确认导入。")]}
            )
        jobs.job_start(job, confirm=True, ip_address=client_ip(request._request))
        job.refresh_from_db()
        return Response(self.get_serializer(job).data)

    @extend_schema(
        summary=gettext_lazy("重试导入任务"),
        description=gettext_lazy(
            "重新处理一个出错或中断（failed）的任务：检查已通过的重新导入，否则重新检查。"
            "导入全部写入或全部不写入，重试是安全的。其他状态的任务返回400。"
        ),
        parameters=[JOB_ID],
        request=None,
        responses={200: ImportJobSerializer},
    )
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        job = self.get_object()
        try:
            jobs.job_retry(job, ip_address=client_ip(request._request))
        except DjangoValidationError as exc:
            raise service_errors(exc) from exc
        job.refresh_from_db()
        return Response(self.get_serializer(job).data)

    @extend_schema(
        summary=gettext_lazy("下载错误清单"),
        description=gettext_lazy(
            "Excel工作簿：全部错误，以及原表各行加一列错误说明。没有错误清单时返回404。"
        ),
        parameters=[JOB_ID],
        responses={
            (200, XLSX): OpenApiResponse(
                OpenApiTypes.BINARY, description=gettext_lazy("错误清单（.xlsx）")
            )
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="errors",
        renderer_classes=[JSONRenderer],
        content_negotiation_class=AnswersInJson,
    )
    def errors(self, request, pk=None):
        job = self.get_object()
        path = jobs.errors_path(job)
        if not path.exists():
            raise Http404(_("这次导入没有错误清单。"))
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=f"错误清单-{job.original_name or 'import.xlsx'}",
            content_type=XLSX,
        )
