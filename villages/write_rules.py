"""The write rules of villages, shared by the service, the importer, the API and the admin.

村代码: the 12-digit statistical code of a village begins with its township's
code (a township's code is its county's six digits and three of its own, so a
village's code names its county and township), and no two villages share one.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from villages.models import Village
from zhucun.workbooks.importer import chunks
from zhucun.write_rules import Refusal


@dataclass(frozen=True)
class VillageCode:
    """A proposed 村代码 for a village (``village_id`` None: a new village)."""

    item: Any
    code: str
    township_code: str
    village_id: int | None = None


def code_message(*, code: str, township_code: str) -> str:
    """The one refusal of a code of the wrong shape or of another township."""
    return _(
        "村代码“%(code)s”应为12位数字，并以所属乡（镇）的代码%(township)s开头。"
    ) % {"code": code, "township": township_code}


def taken_message(*, code: str, holder: str) -> str:
    """The one refusal of a code another village holds."""
    return _("村代码“%(code)s”已属于“%(holder)s”，不能重复。") % {
        "code": code,
        "holder": holder,
    }


def village_code_refusals(proposals: Iterable[VillageCode]) -> list[Refusal]:
    """Refuse each code of the wrong shape, of another township, or already taken.

    A code is taken when a stored village other than the proposal's own holds it,
    or an earlier proposal of the same batch claims it. One query per 900 codes.
    """
    proposals = list(proposals)
    refusals = []
    shaped = []
    for p in proposals:
        if re.fullmatch(r"\d{12}", p.code) and p.code.startswith(p.township_code):
            shaped.append(p)
        else:
            refusals.append(
                Refusal(
                    p.item,
                    "code",
                    code_message(code=p.code, township_code=p.township_code),
                )
            )
    holders: dict[str, tuple[int, str]] = {}
    for chunk in chunks(sorted({p.code for p in shaped})):
        holders.update(
            (code, (pk, name))
            for code, pk, name in Village.objects.filter(code__in=chunk).values_list(
                "code", "pk", "name"
            )
        )
    for p in shaped:
        pk, name = holders.get(p.code, (None, None))
        if pk is not None and pk != p.village_id:
            refusals.append(
                Refusal(p.item, "code", taken_message(code=p.code, holder=name))
            )
            continue
        holders[p.code] = (p.village_id or -1, _("本次录入的另一个村"))
    return refusals
