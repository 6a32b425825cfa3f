"""Recompute the monthly attendance summaries now (the nightly task does it too).

    python manage.py rollup_attendance                 # this month and the last
    python manage.py rollup_attendance --month 2022-11 --month 2022-12

Afterwards the counties' dashboard counts of this year are recomputed (the
``PlaceSummary`` rows the province's and prefectures' dashboards read).

Safe to run again at any time, for any past month (after a correction, say): a
month's summaries are replaced in one transaction, and a run already under way
makes this one stop with an error instead of interleaving.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from attendance.rollups import RollupBusy, attendance_rollup, rollup_follow_ups
from zhucun import clock
from zhucun.periods import month_code, month_of, parse_month, previous_month


class Command(BaseCommand):
    help = "重算月度在岗汇总（工作队、乡镇、县、市（州）、省）。默认本月和上月。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--month",
            action="append",
            default=[],
            help="要重算的月份，YYYY-MM，可重复；默认本月和上月",
        )

    def handle(self, *args, month: list[str], **options):
        try:
            months = [parse_month(text) for text in month]
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        if not months:
            current = month_of(clock.today())
            months = [previous_month(current), current]
        for first in months:
            try:
                result = attendance_rollup(month=first)
            except RollupBusy:
                raise CommandError("另一次汇总正在运行，请稍后再试。") from None
            rows = "，".join(f"{level} {n}" for level, n in result.rows.items())
            self.stdout.write(f"{month_code(first)}：{rows}（{result.seconds:.2f}秒）")
        for done in rollup_follow_ups():
            self.stdout.write(done.message)
