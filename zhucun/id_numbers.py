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


# What a reader without 查看完整身份证号码和联系电话 sees of a person. Digits 7-14 of
# a 身份证号码 are the birth date and digit 17 the gender, so only the last four
# characters stay: enough to tell two people of the same name apart, and the birth
# date is hidden with them (a clear birth_date beside a masked number would give
# the hidden digits back).
PERSONAL_FIELDS = ("id_number", "phone", "birth_date")


# 联系电话: a mainland mobile (1[3-9] and 9 digits, as 3-4-4 with optional
# separators) or a landline with its area code (0 + 2-3 digits, then 7-8 digits,
# an optional extension after "-", a space, 转 or ext); both may start with +86.
_PHONE = re.compile(
    r"(?:\+86[ -]?)?"
    r"(?:1[3-9][0-9](?:[ -]?[0-9]{4}){2}"
    r"|0[0-9]{2,3}[ -]?[0-9]{3,4}[ -]?[0-9]{4}(?:(?:[ -]|转|ext\.?)[0-9]{1,6})?)"
)


def phone_message() -> str:
    """The one wording of a bad 联系电话 (the number itself is never echoed)."""
    return _(
        "联系电话格式不正确：应为11位手机号码（如13812345678），"
        "或带区号的固定电话（如028-12345678，可加分机号）。"
    )


def validate_phone(value: str) -> None:
    """The one phone rule of the model, the API, the admin and the imports."""
    if value and not _PHONE.fullmatch(str(value).strip()):
        raise ValidationError(phone_message(), code="phone")


def mask_id_number(number: str) -> str:
    """**************123X: only the last four characters stay."""
    return _keep_last_four(number)


def mask_phone(phone: str) -> str:
    """*******5678: only the last four digits stay."""
    return _keep_last_four(phone)


def mask_personal(field: str, value):
    """``value`` of a person's ``field`` as a reader without the right sees it.

    The one masking rule of every answer (API, pages, exports, audit, import
    messages): 身份证号码 and phone keep their last four characters, the birth
    date is withheld (None), any other field is returned as it is.
    """
    if value in (None, ""):
        return value
    if field == "id_number":
        return mask_id_number(str(value))
    if field == "phone":
        return mask_phone(str(value))
    if field == "birth_date":
        return None
    return value


def _keep_last_four(text: str) -> str:
    if len(text) <= 4:
        return "*" * len(text)
    return "*" * (len(text) - 4) + text[-4:]
