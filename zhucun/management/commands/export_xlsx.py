"""export_xlsx KIND FILE [--county CODE] [--user USERNAME]: the layouts import reads.

Without ``--user`` the export runs as the system: every row, full 身份证号码 and
phones (recorded as one ``reveal`` audit entry). With ``--user`` it is scoped to that
user, and numbers are masked unless the user may see them.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from villages.models import Region
from zhucun.workbooks.exporter import export_workbook
from zhucun.workbooks.kinds import KINDS


class Command(BaseCommand):
    help = "按导入格式导出Excel工作簿。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(KINDS))
        parser.add_argument("file")
        parser.add_argument("--county", help="只导出该县（或其他行政区划）的数据")
        parser.add_argument("--user", help="以该用户的身份和管辖范围导出")

    def handle(self, *args, kind, file, county, user, **options):
        region = None
        if county:
            region = Region.objects.filter(code=county.strip()).first()
            if region is None:
                raise CommandError(f"行政区划代码“{county}”不存在。")
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None or not account.is_active:
                raise CommandError(f"用户“{user}”不存在或已停用。")
        result = export_workbook(kind=kind, target=file, user=account, county=region)
        masked = (
            ""
            if result.full_personal_data
            else "（身份证号码和电话只保留后四位，出生年月已隐去）"
        )
        self.stdout.write(f"已导出{result.rows}行到 {file}{masked}。")
