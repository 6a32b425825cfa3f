"""身份证号码 (GB 11643-1999): normalisation, the ISO 7064 MOD 11-2 check digit, derived facts."""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")


@dataclass(frozen=True)
class IdFacts:
    number: str
    birth_date: datetime.date
    gender: str  # "M" or "F", as Person.Gender


def check_digit(first17: str) -> str:
    """The 18th character of an ID whose first 17 digits are given."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalize_id_number(raw: str) -> str:
    """Full-width to half-width, spaces dropped, a lowercase x made upper."""
    text = unicodedata.normalize("NFKC", str(raw))
    return re.sub(r"\s+", "", text).upper()


def parse_id_number(raw: str) -> IdFacts:
    """Validate an ID and return it normalised with its birth date and gender."""
    number = normalize_id_number(raw)
    if not _SHAPE.match(number):
        raise ValidationError(
            _("身份证号码“%(value)s”应为18位：17位数字加1位数字或X。"),
            code="id_shape",
            params={"value": mask_id_number(number)},
        )
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号码中的出生日期%(value)s不是有效日期。"),
            code="id_birth_date",
            params={"value": number[6:14]},
        ) from None
    if not datetime.date(1900, 1, 1) <= birth <= datetime.date.today():
        raise ValidationError(
            _("身份证号码中的出生日期%(value)s不在合理范围内。"),
            code="id_birth_date",
            params={"value": number[6:14]},
        )
    if check_digit(number[:17]) != number[17]:
        raise ValidationError(
            _("身份证号码校验位错误（GB 11643），请核对是否录入有误。"),
            code="id_check_digit",
        )
    return IdFacts(
        number=number, birth_date=birth, gender="M" if int(number[16]) % 2 else "F"
    )


def mask_id_number(number: str) -> str:
    """5134**********123X: the first four and the last four characters stay."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str) -> str:
    """138****5678."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
