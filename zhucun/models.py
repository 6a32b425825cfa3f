"""Models every app shares: the audit trail."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """Who changed what, when, from where; written in the same transaction as the change."""

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        REVEAL = "reveal", _("查看完整个人信息")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("途径"), max_length=16, default="page")
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=8, choices=Action.choices)
    model = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=32)
    object_repr = models.CharField(_("对象"), max_length=200)
    county_code = models.CharField(
        _("所属县"), max_length=12, blank=True, default="", db_index=True
    )
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"


class UserScope(models.Model):
    """The place in the hierarchy a user works for: a region, a unit or a work committee.

    Deny by default: a user without a scope (and not a superuser) sees nothing.
    """

    class Role(models.TextChoices):
        PROVINCE = "province", _("省级协调小组")
        PREFECTURE = "prefecture", _("市（州）工作人员")
        COUNTY = "county", _("县委组织部")
        TOWNSHIP = "township", _("乡镇工作人员")
        UNIT = "unit", _("派出单位")
        COMMITTEE = "committee", _("机关工委")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="scope",
    )
    role = models.CharField(_("角色"), max_length=12, choices=Role.choices)
    region = models.ForeignKey(
        "villages.Region",
        verbose_name=_("管辖地区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "teams.Unit",
        verbose_name=_("派出单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    work_committee = models.ForeignKey(
        "teams.WorkCommittee",
        verbose_name=_("机关工委"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("用户权限范围")
        verbose_name_plural = _("用户权限范围")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        role__in=["province", "prefecture", "county", "township"],
                        region__isnull=False,
                        unit__isnull=True,
                        work_committee__isnull=True,
                    )
                    | models.Q(
                        role="unit",
                        unit__isnull=False,
                        region__isnull=True,
                        work_committee__isnull=True,
                    )
                    | models.Q(
                        role="committee",
                        work_committee__isnull=False,
                        region__isnull=True,
                        unit__isnull=True,
                    )
                ),
                name="userscope_matches_role",
            )
        ]

    def __str__(self) -> str:
        place = self.region or self.unit or self.work_committee
        return f"{self.get_role_display()}：{place}"


class ImportJob(models.Model):
    """An Excel import started from the browser: checked first, imported on confirmation."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        CHECKING = "checking", _("正在检查")
        CHECKED = "checked", _("检查通过，待确认导入")
        REJECTED = "rejected", _("有错误，未导入")
        IMPORTING = "importing", _("正在导入")
        DONE = "done", _("导入完成")
        FAILED = "failed", _("处理出错")

    kind = models.CharField(_("数据类型"), max_length=16)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file_path = models.CharField(_("文件位置"), max_length=500)
    original_name = models.CharField(
        _("原文件名"), max_length=255, blank=True, default=""
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=Status.choices,
        default=Status.QUEUED,
        db_index=True,
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("Excel导入")
        verbose_name_plural = _("Excel导入")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="importjob_progress_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_name}（{self.get_status_display()}）"


class ApiToken(models.Model):
    """An API token: only its SHA-256 is stored; it expires and can be revoked.

    ``session_hash`` is the user's ``get_session_auth_hash()`` when the token was
    issued: any change of the password, whichever path made it, changes that hash
    and so ends the token, as it ends the user's sessions.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("名称"), max_length=64, blank=True, default="")
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    prefix = models.CharField(_("令牌前缀"), max_length=12)
    session_hash = models.CharField(_("签发时的密码摘要"), max_length=128)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}…（{self.name}）" if self.name else f"{self.prefix}…"
