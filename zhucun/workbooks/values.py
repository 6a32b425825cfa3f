"""Turning what people type into Excel cells into values, or a Chinese reason why not.

Two kinds of normalisation:

- ``fold`` is for *matching* (header names, region and unit names, choice labels):
  NFKC (full-width brackets and digits become half-width) with every space removed,
  so ``县（市、区）``, ``县(市、区)`` and ``县 （市、区）`` are one key.
- ``clean_text`` is for *storing* text: full-width digits, letters and spaces become
  half-width and stray spaces go, but Chinese punctuation such as ``（）`` stays as
  typed, so a stored name is not rewritten by a re-import.
"""

import datetime
import functools
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhucun.id_numbers import normalize_id_number, phone_message, validate_phone

# Characters ``str.split`` does not take for spaces: zero-width ones and the BOM.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
# Full-width ASCII letters and digits (U+FF10–FF19, FF21–FF3A, FF41–FF5A). Non-breaking
# and ideographic spaces need no table: ``str.split`` already treats them as spaces.
_TEXT_TABLE = {
    **{code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)},
    **{code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)},
    **{code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)},
    **dict.fromkeys(map(ord, INVISIBLE)),
}
_NEEDS_TABLE = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a" + INVISIBLE + "]")


class CellError(ValueError):
    """A cell whose value cannot be used; the message is shown to the clerk."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_blank(value) -> bool:
    """None, or text made only of spaces (non-breaking and zero-width ones too)."""
    if value is None:
        return True
    if type(value) is str:
        text = value.strip()
        return not text or not text.strip(INVISIBLE).strip()
    return False


def number_text(value) -> str:
    """A number as people see it: 120.0 → "120", 2018.06 → "2018.06"."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def _text(value) -> str:
    if type(value) is not str:
        if value is None:
            return ""
        if isinstance(value, (int, float)):
            return number_text(value)
        if isinstance(value, (datetime.date, datetime.datetime)):
            return value.isoformat()
        value = str(value)
    if _NEEDS_TABLE.search(value):
        value = value.translate(_TEXT_TABLE)
    return value


def clean_text(value) -> str:
    """Text to store: full-width letters/digits made half-width, spaces tidied."""
    return " ".join(_text(value).split())


def clean_name(value) -> str:
    """A person's or place's name: no spaces inside (``张　三`` → ``张三``)."""
    return "".join(_text(value).split())


@functools.lru_cache(maxsize=65536)
def _fold(value) -> str:
    return "".join(unicodedata.normalize("NFKC", _text(value)).split())


def fold(value) -> str:
    """A key for matching names: NFKC, no spaces at all."""
    try:
        return _fold(value)
    except TypeError:  # unhashable: never a cell value, but be safe
        return "".join(unicodedata.normalize("NFKC", _text(value)).split())


# --- dates ----------------------------------------------------------------
_DATE_TEXT = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*"
    r"(?:月\s*|[-/.]\s*)?(?:(?P<d>\d{1,2})\s*日?)?"
)
_COMPACT_DATE = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})?")
_TIME_TAIL = re.compile(r"[T\s]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
# Excel's serial day numbers (1900 system): 1 = 1900-01-01, with the 1900 leap bug.
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_SERIAL_RANGE = (20000, 80000)  # 1954 … 2119: plausible dates, not years or counts


def _date_or_error(year: int, month: int, day: int | None, raw) -> datetime.date:
    try:
        value = datetime.date(year, month, day or 1)
    except ValueError:
        raise CellError(
            _("“%(value)s”不是有效日期。") % {"value": clean_text(raw)}
        ) from None
    if not 1900 <= value.year <= 2100:
        raise CellError(
            _("日期“%(value)s”的年份不在合理范围内。") % {"value": clean_text(raw)}
        )
    return value


def parse_date_precision(value) -> tuple[datetime.date, bool]:
    """(date, whether a day was given). A month alone means its first day."""
    if isinstance(value, datetime.datetime):
        return value.date(), True
    if isinstance(value, datetime.date):
        return value, True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _date_from_number(value)
    text = unicodedata.normalize("NFKC", clean_text(value))
    text = _TIME_TAIL.sub("", text).strip()
    match = _DATE_TEXT.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match is None:
        raise CellError(
            _(
                "“%(value)s”不是可识别的日期，请写成2018-06-01、2018/6/1、"
                "2018.6.1、2018年6月1日或2018年6月。"
            )
            % {"value": clean_text(value)}
        )
    day = match.group("d")
    date = _date_or_error(
        int(match.group("y")), int(match.group("m")), int(day) if day else None, value
    )
    return date, day is not None


def _date_from_number(value: float) -> tuple[datetime.date, bool]:
    if float(value).is_integer():
        number = int(value)
        if 19000101 <= number <= 21001231:
            return parse_date_precision(str(number))
        if _SERIAL_RANGE[0] <= number <= _SERIAL_RANGE[1]:
            return _EXCEL_EPOCH + datetime.timedelta(days=number), True
        raise CellError(
            _("“%(value)s”不是日期，请写成2018-06-01或2018年6月的形式。")
            % {"value": number}
        )
    text = repr(float(value))  # 2018.06 typed into a General cell
    year, _dot, month = text.partition(".")
    if len(year) == 4 and month == "1":
        # 2018.10 typed as a number shows as 2018.1: October or January?
        raise CellError(
            _(
                "“%(value)s”被Excel存成了数字，无法区分是1月还是10月，"
                "请写成2018年10月或2018-10-01。"
            )
            % {"value": text}
        )
    return parse_date_precision(text)


def parse_date(value) -> datetime.date:
    """A date in any of the forms counties use; a month alone means its first day."""
    return parse_date_precision(value)[0]


def parse_month(value) -> datetime.date:
    """The first day of the month a cell names (年月)."""
    return parse_date(value).replace(day=1)


# --- yes / no ---------------------------------------------------------------
_YES = {"是", "√", "✓", "✔", "y", "yes", "1", "true", "有", "对"}
_NO = {"否", "×", "✗", "✘", "n", "no", "0", "false", "无", "不是"}


def parse_bool(value) -> bool | None:
    """是/否, √/blank, Y/N, 1/0; None when blank."""
    if isinstance(value, bool):
        return value
    if is_blank(value):
        return None
    key = fold(number_text(value) if isinstance(value, (int, float)) else value)
    key = key.lower()
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellError(
        _("“%(value)s”应为“是”或“否”（也可填√、Y/N、1/0）。")
        % {"value": clean_text(value)}
    )


# --- numbers ----------------------------------------------------------------
_UNIT_TAIL = re.compile(r"(户|人|天|日|元|年|次|名)$")


def _number_text(value) -> str:
    text = fold(value).replace(",", "")
    return _UNIT_TAIL.sub("", text)


def parse_int(value) -> int:
    """A whole number: 120, 120.0, "１２０", "120户"."""
    if isinstance(value, bool):
        raise CellError(_("应填写整数。"))
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("“%(value)s”应为整数。") % {"value": number_text(value)})
        return int(value)
    if isinstance(value, int):
        return value
    text = _number_text(value)
    if not re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        raise CellError(_("“%(value)s”应为整数。") % {"value": clean_text(value)})
    return int(text.split(".")[0])


def parse_decimal(value, places: int = 2) -> Decimal:
    """A decimal number, rounded to ``places``: 20000, "20,000.00", "2万"."""
    if isinstance(value, bool):
        raise CellError(_("应填写数字。"))
    if isinstance(value, (int, float)):
        number = Decimal(number_text(value))
    else:
        text = _number_text(value)
        scale = Decimal(1)
        if text.endswith("万"):
            text, scale = text[:-1], Decimal(10000)
        try:
            number = Decimal(text) * scale
        except InvalidOperation:
            raise CellError(
                _("“%(value)s”应为数字。") % {"value": clean_text(value)}
            ) from None
    if not number.is_finite():
        raise CellError(_("“%(value)s”应为数字。") % {"value": clean_text(value)})
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def parse_year(value) -> int:
    """A year, 2014–2030 in this policy: 2018, 2018.0, "2018年"."""
    year = parse_int(value)
    if not 2000 <= year <= 2100:
        raise CellError(_("“%(value)s”不是有效年度。") % {"value": clean_text(value)})
    return year


# --- 身份证号码 and phone -----------------------------------------------------


def parse_id_text(value) -> str:
    """An 18-character ID typed as text; a number cell has lost digits already."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellError(
            _(
                "身份证号码被Excel存成了数字，后几位已经丢失（Excel只保留15位有效数字）。"
                "请把该列设置为“文本”格式后重新录入完整号码。"
            )
        )
    text = normalize_id_number(clean_text(value))
    if "*" in text:
        raise CellError(
            _(
                "身份证号码中有*号：这是隐去部分数字的导出表，不能用于导入。"
                "请使用有完整号码的表格。"
            )
        )
    if re.fullmatch(r"\d+(\.\d+)?E\+?\d+", text):
        raise CellError(
            _(
                "身份证号码显示为科学计数法（%(value)s），Excel已把它存成数字并丢失了"
                "后几位。请把该列设置为“文本”格式后重新录入完整号码。"
            )
            % {"value": text}
        )
    return text


def parse_phone(value) -> str:
    """A phone number: the one rule of ``zhucun.id_numbers.validate_phone``."""
    text = fold(value) if not isinstance(value, (int, float)) else number_text(value)
    try:
        validate_phone(text)
    except ValidationError:
        raise CellError(phone_message()) from None
    return text
