"""compliance [--as-of YYYY-MM-DD] [--county CODE] [--format table|json]."""

import datetime
import json
import time
import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from compliance.rules import rule_codes, run_rules
from compliance.rules.registry import ERROR
from villages.models import Region
from zhucun import clock


def display_width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


class Command(BaseCommand):
    help = _(
        "按川委办〔2018〕19号检查驻村工作队的合规情况（rules.md 的全部规则），"
        "输出表格或 JSON。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            dest="as_of",
            help=_("检查日期 YYYY-MM-DD（默认今天）"),
        )
        parser.add_argument(
            "--county",
            help=_("只检查该行政区划（县代码，也可用市（州）、乡镇或省的代码）"),
        )
        parser.add_argument(
            "--format", choices=("table", "json"), default="table", help=_("输出格式")
        )
        parser.add_argument(
            "--rule",
            action="append",
            dest="rules",
            metavar="CODE",
            help=_("只检查这条规则（可重复）"),
        )

    def handle(self, *args, as_of, county, format, rules, verbosity, **options):
        day = self._as_of(as_of)
        region = self._region(county)
        if rules:
            unknown = sorted(set(rules) - set(rule_codes()))
            if unknown:
                raise CommandError(
                    _("未知的规则代码：%(codes)s") % {"codes": "、".join(unknown)}
                )
        started = time.perf_counter()
        runs = []
        for run in run_rules(day, region, rules):
            runs.append(run)
            if verbosity >= 2:
                self.stderr.write(
                    f"{run.rule.code:<32} {run.seconds:8.3f}s  "
                    + _("%(n)d 条") % {"n": len(run.findings)}
                )
        if verbosity >= 2:
            self.stderr.write(
                _("合计用时 %(s).3f 秒") % {"s": time.perf_counter() - started}
            )
        if format == "json":
            self._json(day, runs)
        else:
            self._table(day, region, runs)

    def _as_of(self, value: str | None) -> datetime.date:
        if not value:
            return clock.today()
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                _("日期格式不正确：“%(value)s”，应为 YYYY-MM-DD，例如 2022-12-31")
                % {"value": value}
            ) from None

    def _region(self, code: str | None) -> Region | None:
        if not code:
            return None
        region = Region.objects.filter(code=code.strip()).first()
        if region is None:
            raise CommandError(
                _(
                    "未找到行政区划代码“%(code)s”。请使用县（市、区）代码（如 513431），"
                    "或市（州）、乡镇、省的代码。"
                )
                % {"code": code}
            )
        return region

    def _json(self, day: datetime.date, runs) -> None:
        document = {
            "as_of": day.isoformat(),
            "findings": [f.as_dict() for run in runs for f in run.findings],
            "summary": {run.rule.code: len(run.findings) for run in runs},
        }
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))

    def _table(self, day: datetime.date, region: Region | None, runs) -> None:
        scope = region.full_name if region else _("全省")
        total = sum(len(run.findings) for run in runs)
        self.stdout.write(
            _("合规检查（截至 %(day)s，范围：%(scope)s）：共 %(n)d 条问题")
            % {"day": day.isoformat(), "scope": scope, "n": total}
        )
        self.stdout.write("")
        severity_label = {ERROR: _("错误")}
        columns = [_("规则代码"), _("条款"), _("级别"), _("数量"), _("说明")]
        rows = [
            [
                run.rule.code,
                run.rule.clause,
                severity_label.get(run.rule.severity, _("警告")),
                str(len(run.findings)),
                str(run.rule.title),
            ]
            for run in runs
        ]
        widths = [
            max(display_width(r[i]) for r in [columns, *rows])
            for i in range(len(columns))
        ]
        for row in [columns, *rows]:
            self.stdout.write(
                "  ".join(pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip()
            )
        for run in runs:
            if not run.findings:
                continue
            self.stdout.write("")
            self.stdout.write(
                f"[{run.rule.code}] {run.rule.title}（{run.rule.clause}）："
                + _("%(n)d 条") % {"n": len(run.findings)}
            )
            for f in run.findings:
                level = severity_label.get(f.severity, _("警告"))
                where = " ".join(p for p in (f.county_code, f.period) if p)
                self.stdout.write(f"  {level} {pad(where, 14)} {f.message}")
