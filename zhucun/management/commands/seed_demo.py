"""seed_demo [--villages N] [--seed S]: the deterministic demo province."""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhucun.demo import (
    AS_OF,
    DEFAULT_SEED,
    DELIBERATE_CASES,
    FULL_SIZE,
    SeedRefused,
    count_rows,
    seed_province,
)


class Command(BaseCommand):
    help = _(
        "在空数据库上生成确定性的演示省份（乡镇、村、农户、单位、干部、工作队、考勤、"
        "走访、培训、考核、经费），并包含违反每条规则的样例。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--villages",
            type=int,
            default=FULL_SIZE,
            help=_("贫困村数量（默认%(n)d）") % {"n": FULL_SIZE},
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=_("随机种子：相同种子生成相同数据（默认%(s)d）") % {"s": DEFAULT_SEED},
        )

    def handle(self, *args, villages: int, seed: int, **options):
        self.stdout.write(
            _("正在生成演示省份：%(n)d个村，随机种子%(seed)d……")
            % {"n": villages, "seed": seed}
        )
        try:
            labels = seed_province(villages=villages, seed=seed, log=self.stdout.write)
        except SeedRefused as exc:
            raise CommandError(str(exc)) from None
        self._summary()
        self._cases(labels)
        self.stdout.write(
            self.style.SUCCESS(
                _("演示数据已生成。数据截至%(date)s，请以该日期检查合规情况。")
                % {"date": AS_OF.isoformat()}
            )
        )

    def _summary(self) -> None:
        self.stdout.write("")
        self.stdout.write(_("数据汇总："))
        for label, count in count_rows().items():
            model = apps.get_model(label)
            name = (
                _("乡（镇）")
                if model._meta.model_name == "region"
                else str(model._meta.verbose_name_plural)
            )
            self.stdout.write(f"  {name:　<12}{count:>12,}")

    def _cases(self, labels: dict[str, list[str]]) -> None:
        self.stdout.write("")
        self.stdout.write(_("故意违规的样例（规则代码：说明 → 对象）："))
        for code, description in DELIBERATE_CASES.items():
            self.stdout.write(f"  {code}：{description}")
            for label in labels.get(code, []):
                self.stdout.write(f"      → {label}")
