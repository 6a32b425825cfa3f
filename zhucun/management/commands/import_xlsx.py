"""import_xlsx KIND FILE [--dry-run] [--user USERNAME]: a workbook imported whole or not at all.

Exit 0 when imported (prints the created/updated/unchanged counts); exit 1 when any
row is rejected, printing each problem as ``ROW<TAB>COLUMN<TAB>MESSAGE``; then
nothing is written. Without ``--user`` the import runs as the system (every county).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from zhucun.workbooks.importer import may_import, run_import
from zhucun.workbooks.kinds import KINDS


class Command(BaseCommand):
    help = "导入Excel工作簿（全部成功才写入，有任何一行错误则全部不写入）。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(KINDS))
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="只检查，不写入数据库"
        )
        parser.add_argument(
            "--user", help="以该用户的身份和管辖范围导入（默认：系统，不限范围）"
        )

    def handle(self, *args, kind, file, dry_run, user, **options):
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None or not account.is_active:
                raise CommandError(f"用户“{user}”不存在或已停用。")
            if not may_import(account, kind):
                raise CommandError(f"用户“{user}”没有导入这类数据的权限。")
        result = run_import(kind=kind, path=file, user=account, dry_run=dry_run)
        for note in result.notes:
            self.stderr.write(note)
        if not result.ok:
            several_sheets = len({e.sheet for e in result.errors}) > 1
            for error in result.errors:
                self.stdout.write(error.line(with_sheet=several_sheets))
            if result.error_count > len(result.errors):
                self.stdout.write(
                    f"0\t\t另有{result.error_count - len(result.errors)}个错误未列出。"
                )
            raise CommandError(
                f"{result.title}：{result.rejected}行有错误，共{result.error_count}个错误，"
                "未写入任何数据。"
            )
        for township in result.new_townships:
            self.stdout.write(f"新建乡（镇）：{township}")
        verb = "试运行（未写入）" if dry_run else "导入完成"
        self.stdout.write(f"{result.title}{verb}：{result.summary()}。")
        self.stdout.write(
            f"created={result.created} updated={result.updated} "
            f"unchanged={result.unchanged} rejected={result.rejected}"
        )
