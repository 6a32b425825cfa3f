"""Columns of the workbooks, declared as django-import-export fields and widgets.

Each app's ``resources.py`` declares its kinds with these: a ``WorkbookResource``
(a django-import-export ``ModelResource``) whose ``Column`` fields carry the exact
header names of ``spec/import-formats.md``. The same declaration serves

- the export (``Resource.export_resource``: attribute chains and ``render``),
- the import (``Column.parse``: the widgets' ``clean``, with Chinese messages),
- the admin, through django-import-export's own machinery.

A widget's ``clean`` raises ``CellError`` with a message for the clerk. A blank cell
is decided by the column, not the widget: required → error; otherwise the column's
``blank`` value, where ``KEEP`` means "leave what is stored" on an update.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from zhucun import periods
from zhucun.id_numbers import mask_personal, parse_id_number
from zhucun.workbooks import values
from zhucun.workbooks.values import CellError


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()  # a blank optional cell leaves the stored value as it is


class TextWidget(widgets.Widget):
    """Free text; ``name=True`` removes inner spaces (张　三 → 张三)."""

    def __init__(self, max_length: int = 200, name: bool = False):
        super().__init__(coerce_to_string=False)
        self.max_length = max_length
        self.name = name

    def clean(self, value, row=None, **kwargs):
        text = values.clean_name(value) if self.name else values.clean_text(value)
        if len(text) > self.max_length:
            raise CellError(
                _("内容过长（%(length)d字），最多%(max)d字。")
                % {"length": len(text), "max": self.max_length}
            )
        return text

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class ChoiceWidget(widgets.Widget):
    """A label of a ``TextChoices`` (or an alias of one) → its stored value."""

    def __init__(self, choices: type[models.TextChoices], aliases: Mapping = None):
        super().__init__(coerce_to_string=False)
        self.choices = choices
        self.labels = {value: str(label) for value, label in choices.choices}
        self.by_key = {values.fold(label): value for value, label in choices.choices}
        for alias, value in (aliases or {}).items():
            self.by_key[values.fold(alias)] = value

    def clean(self, value, row=None, **kwargs):
        found = self.by_key.get(values.fold(value))
        if found is None:
            raise CellError(
                _("“%(value)s”不是可选值，应为：%(choices)s。")
                % {
                    "value": values.clean_text(value),
                    "choices": "、".join(self.labels.values()),
                }
            )
        return found

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, "" if value is None else str(value))


class YesNoWidget(widgets.Widget):
    """是/否, √/blank, Y/N, 1/0 → True/False; exported as 是/否."""

    def __init__(self):
        super().__init__(coerce_to_string=False)

    def clean(self, value, row=None, **kwargs):
        return values.parse_bool(value)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return _("是") if value else _("否")


class DateWidget(widgets.Widget):
    """Any date form counties use; ``month=True`` for 年月 (the first of the month)."""

    def __init__(self, month: bool = False):
        super().__init__(coerce_to_string=False)
        self.month = month

    def clean(self, value, row=None, **kwargs):
        return values.parse_month(value) if self.month else values.parse_date(value)

    def render(self, value, obj=None, **kwargs):
        if isinstance(value, datetime.datetime):
            value = value.date()
        return value


class IntegerWidget(widgets.Widget):
    def __init__(self, minimum: int | None = 0, maximum: int | None = None):
        super().__init__(coerce_to_string=False)
        self.minimum, self.maximum = minimum, maximum

    def clean(self, value, row=None, **kwargs):
        number = values.parse_int(value)
        _check_range(number, self.minimum, self.maximum)
        return number

    def render(self, value, obj=None, **kwargs):
        return value


class YearWidget(IntegerWidget):
    """A data year, refused outside ``zhucun.periods``' span with its one message."""

    def __init__(self):
        super().__init__(periods.FIRST_YEAR, periods.LAST_YEAR)

    def clean(self, value, row=None, **kwargs):
        try:
            year = values.parse_year(value)
        except CellError:
            year = values.parse_int(value)  # a number far off: the span's message
        for refusal in periods.year_refusals([(None, year)]):
            raise CellError(refusal.message)
        return year


class DecimalWidget(widgets.Widget):
    def __init__(
        self,
        places: int = 2,
        minimum: Decimal | None = None,
        maximum: Decimal | None = None,
        positive: bool = False,
    ):
        super().__init__(coerce_to_string=False)
        self.places, self.minimum, self.maximum = places, minimum, maximum
        self.positive = positive

    def clean(self, value, row=None, **kwargs):
        number = values.parse_decimal(value, self.places)
        if self.positive and number <= 0:
            raise CellError(_("应大于0。"))
        _check_range(number, self.minimum, self.maximum)
        return number

    def render(self, value, obj=None, **kwargs):
        return value


class IdNumberWidget(widgets.Widget):
    """身份证号码: 18 characters as text, check digit verified, lowercase x accepted."""

    def __init__(self):
        super().__init__(coerce_to_string=False)

    def clean(self, value, row=None, **kwargs):
        text = values.parse_id_text(value)
        try:
            return parse_id_number(text).number
        except Exception as exc:  # a ValidationError with a Chinese message
            messages = getattr(exc, "messages", [str(exc)])
            raise CellError("".join(messages)) from None

    def render(self, value, obj=None, **kwargs):
        return value or ""


class PhoneWidget(widgets.Widget):
    def __init__(self):
        super().__init__(coerce_to_string=False)

    def clean(self, value, row=None, **kwargs):
        return values.parse_phone(value)

    def render(self, value, obj=None, **kwargs):
        return value or ""


def _check_range(number, minimum, maximum) -> None:
    if minimum is not None and number < minimum:
        raise CellError(
            _("%(value)s小于允许的最小值%(min)s。") % {"value": number, "min": minimum}
        )
    if maximum is not None and number > maximum:
        raise CellError(
            _("%(value)s大于允许的最大值%(max)s。") % {"value": number, "max": maximum}
        )


class Column(fields.Field):
    """One column of a workbook: its exact header, how to read it, if it is required."""

    def __init__(
        self,
        column_name: str,
        attribute: str | None = None,
        widget: widgets.Widget | None = None,
        *,
        required: bool = False,
        blank=KEEP,
        aliases: Sequence[str] = (),
        import_only: bool = False,
        imported: bool = True,
        personal: bool = False,
        **kwargs,
    ):
        super().__init__(
            attribute=attribute,
            column_name=column_name,
            widget=widget or TextWidget(),
            **kwargs,
        )
        self.required = required
        self.blank = blank
        self.aliases = tuple(aliases)
        self.import_only = import_only
        self.imported = imported  # False: a layout column (序号, 备注) never read
        self.personal = personal  # 身份证号码 / 联系电话 / 出生年月: masked on export
        # Values that repeat down a column are cleaned once (personal numbers do not).
        self.cacheable = not personal

    def parse(self, raw):
        """The value of a cell, ``blank`` when empty; CellError when unusable."""
        if values.is_blank(raw):
            if self.required:
                raise CellError(_("必填，不能为空。"))
            return self.blank
        return self.widget.clean(raw)


class WorkbookResource(resources.ModelResource):
    """One kind of workbook: its columns, its export rows and its importer.

    Subclasses set ``kind`` (the command-line name), ``title`` (the sheet title),
    ``importer_class`` and ``export_queryset``. ``full_personal_data`` False masks
    the 身份证号码 and 联系电话 columns on export.
    """

    kind = ""
    title = ""
    importer_class = None

    def __init__(self, *, user=None, full_personal_data: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.full_personal_data = full_personal_data

    # --- the columns ----------------------------------------------------------
    @classmethod
    def columns(cls) -> list[Column]:
        """Every column, in the order of the spec (``Meta.fields``, the export's order)."""
        return [cls.fields[name] for name in cls._meta.fields]

    @classmethod
    def import_columns(cls) -> list[Column]:
        return cls.columns()

    @classmethod
    def export_columns(cls) -> list[Column]:
        return [c for c in cls.columns() if not c.import_only]

    @classmethod
    def column_by_name(cls) -> dict[str, tuple[str, Column]]:
        """Canonical column name → (field name, column)."""
        return {
            cls.fields[name].column_name: (name, cls.fields[name])
            for name in cls._meta.fields
        }

    def has_personal_columns(self) -> bool:
        return any(c.personal for c in self.export_columns())

    # --- export ---------------------------------------------------------------
    def export_queryset(self, *, county=None) -> models.QuerySet:
        """The rows this resource's user may export (scoped), optionally one county."""
        raise NotImplementedError

    def sheet_name(self, instance) -> str:
        """The sheet a row goes to on export (one sheet unless a kind says otherwise)."""
        return self.title

    def _export_plan(self) -> list[tuple[Column, object]]:
        """(column, dehydrate method or None) in order, for this instance's fields."""
        plan = []
        for name in self._meta.fields:
            column = self.fields[name]
            if not column.import_only:
                plan.append((column, getattr(self, f"dehydrate_{name}", None)))
        return plan

    def export_row(self, instance, plan=None) -> list:
        row = []
        for column, dehydrate in plan or self._export_plan():
            value = dehydrate(instance) if dehydrate else column.export(instance)
            if column.personal and not self.full_personal_data and value:
                value = _mask(column, value)
            row.append(value)
        return row

    def iter_export_rows(self, queryset) -> Iterable[tuple[str, list]]:
        plan = self._export_plan()
        for instance in self.iter_queryset(queryset):
            yield self.sheet_name(instance), self.export_row(instance, plan)

    def get_export_headers(self, selected_fields=None):
        return [c.column_name for c in self.export_columns()]

    def export_resource(self, instance, selected_fields=None, **kwargs):
        return self.export_row(instance)


def _mask(column: Column, value):
    """The cell as a reader without the right sees it (zhucun.id_numbers)."""
    masked = mask_personal(column.attribute.rsplit("__", 1)[-1], value)
    return "" if masked is None else masked
