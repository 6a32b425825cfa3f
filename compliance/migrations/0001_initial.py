"""ComplianceRun and FindingRecord move here from assessments: state only.

The tables stay as assessments made them (0003_compliance_snapshot); this app
takes them over under their old names (``db_table``).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("assessments", "0003_compliance_snapshot"),
        ("teams", "0007_ordering_indexes"),
        ("villages", "0003_constraint_messages"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ComplianceRun",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("as_of", models.DateField(verbose_name="检查日期")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "排队中"),
                                    ("running", "检查中"),
                                    ("done", "已完成"),
                                    ("failed", "失败"),
                                ],
                                default="pending",
                                max_length=8,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "requested_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now,
                                verbose_name="提交时间",
                            ),
                        ),
                        (
                            "started_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="开始时间"
                            ),
                        ),
                        (
                            "finished_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="完成时间"
                            ),
                        ),
                        (
                            "rule_seconds",
                            models.JSONField(
                                blank=True,
                                default=dict,
                                verbose_name="各规则用时（秒）",
                            ),
                        ),
                        (
                            "finding_count",
                            models.PositiveIntegerField(
                                default=0, verbose_name="问题数"
                            ),
                        ),
                        (
                            "error",
                            models.CharField(
                                blank=True,
                                default="",
                                max_length=300,
                                verbose_name="失败原因",
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                blank=True,
                                help_text="为空表示全省",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="villages.region",
                                verbose_name="检查范围",
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="提交人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "合规检查",
                        "verbose_name_plural": "合规检查",
                        "db_table": "assessments_compliancerun",
                        "ordering": ["-requested_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="FindingRecord",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "rule",
                            models.CharField(
                                db_index=True, max_length=40, verbose_name="规则代码"
                            ),
                        ),
                        (
                            "severity",
                            models.CharField(
                                choices=[("error", "错误"), ("warning", "警告")],
                                db_index=True,
                                max_length=8,
                                verbose_name="级别",
                            ),
                        ),
                        (
                            "object_type",
                            models.CharField(
                                choices=[
                                    ("village", "村"),
                                    ("team", "驻村工作队"),
                                    ("member", "队员"),
                                    ("unit", "派出单位"),
                                    ("county", "县（市、区）"),
                                    ("pairing", "对口帮扶关系"),
                                ],
                                max_length=8,
                                verbose_name="对象类型",
                            ),
                        ),
                        (
                            "object_id",
                            models.PositiveBigIntegerField(verbose_name="对象编号"),
                        ),
                        (
                            "label",
                            models.CharField(max_length=200, verbose_name="对象"),
                        ),
                        (
                            "path",
                            models.CharField(
                                db_index=True, max_length=64, verbose_name="区划路径"
                            ),
                        ),
                        (
                            "period",
                            models.CharField(
                                blank=True,
                                db_index=True,
                                default="",
                                max_length=10,
                                verbose_name="期间",
                            ),
                        ),
                        ("message", models.TextField(verbose_name="问题说明")),
                        (
                            "county",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="villages.region",
                                verbose_name="所属县",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="teams.person",
                                verbose_name="干部",
                            ),
                        ),
                        (
                            "run",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="findings",
                                to="compliance.compliancerun",
                                verbose_name="合规检查",
                            ),
                        ),
                        (
                            "team",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="teams.team",
                                verbose_name="驻村工作队",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "合规问题",
                        "verbose_name_plural": "合规问题",
                        "db_table": "assessments_findingrecord",
                        "ordering": ["path", "id"],
                    },
                ),
                migrations.AddIndex(
                    model_name="compliancerun",
                    index=models.Index(
                        fields=["status", "requested_at"], name="compliance_run_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="findingrecord",
                    index=models.Index(
                        fields=["object_type", "object_id"], name="finding_object_idx"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
