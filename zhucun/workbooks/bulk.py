"""Multi-row INSERTs for the large imports, without Django's per-value compiler.

``QuerySet.bulk_create`` spends most of its time preparing each value in Python
(about 3 µs a value); a 50,000-row roster writes some three million values. Here
the values are adapted once per column type (dates, decimals and JSON through the
field itself, everything else as is) and sent as ``INSERT … VALUES (…), (…) …
RETURNING id`` in batches as large as the database takes. The pks come back in
the order the rows were given (as ``bulk_create`` relies on too). Like
``bulk_create``, this skips ``save()`` and signals; the models here have neither.
"""

import operator
import sqlite3
from collections.abc import Callable, Sequence

from django.db import connections, models, router
from django.utils import timezone

_PASSTHROUGH = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.GenericIPAddressField,
)


def _adapter(field: models.Field, conn) -> Callable | None:
    """A function turning a value into a query parameter; None when it is one."""
    ops = conn.ops
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, conn)
    if isinstance(field, _PASSTHROUGH):
        return None
    if isinstance(field, models.DateTimeField):
        return _memo(ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        return lambda value: ops.adapt_decimalfield_value(value, digits, places)
    return lambda value: field.get_db_prep_save(value, conn)


def _memo(adapt: Callable) -> Callable:
    """Adapt a value once when every row repeats it (the audit trail's timestamp)."""
    last: list = [object(), None]

    def adapted(value):
        if value is not last[0]:
            last[0], last[1] = value, adapt(value)
        return last[1]

    return adapted


def _max_params(conn) -> int:
    if conn.vendor == "sqlite":
        conn.ensure_connection()
        return conn.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 65535  # PostgreSQL's limit of bind parameters in one statement


def insert(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence]
) -> list[int]:
    """Insert ``rows`` (values in the order of ``columns``, attnames); return pks."""
    if not rows:
        return []
    conn = connections[router.db_for_write(model)]
    meta = model._meta
    fields = [meta.get_field(column) for column in columns]
    adapters = [
        (i, adapt)
        for i, adapt in enumerate(_adapter(f, conn) for f in fields)
        if adapt is not None
    ]
    quote = conn.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_batch = max(1, min(_max_params(conn) // len(fields), 5000))
    pks: list[int] = []
    with conn.cursor() as cursor:
        for start in range(0, len(rows), per_batch):
            batch = rows[start : start + per_batch]
            params = []
            for row in batch:
                if adapters:
                    row = list(row)
                    for i, adapt in adapters:
                        row[i] = adapt(row[i])
                params.extend(row)
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES "
                + ", ".join([one] * len(batch))
                + f" RETURNING {quote(meta.pk.column)}",
                params,
            )
            pks.extend(r[0] for r in cursor.fetchall())
    return pks


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _defaults(fields: list[models.Field]) -> dict:
    now = timezone.now()
    return {
        f.attname: (
            now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_default()
        )
        for f in fields
    }


def insert_dicts(model: type[models.Model], rows: Sequence[dict]) -> list[int]:
    """Insert rows given as {attname: value}; unset fields take their defaults."""
    fields = _columns(model)
    defaults = _defaults(fields)
    names = [f.attname for f in fields]
    values = operator.itemgetter(*names)
    return insert(model, names, [values({**defaults, **row}) for row in rows])


def insert_instances(objs: Sequence[models.Model]) -> None:
    """Insert unsaved model instances and set their pks (auto_now fields: now)."""
    if not objs:
        return
    model = type(objs[0])
    fields = _columns(model)
    names = [f.attname for f in fields]
    now = timezone.now()
    auto = {
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    rows = [
        tuple(
            now if name in auto and getattr(obj, name) is None else getattr(obj, name)
            for name in names
        )
        for obj in objs
    ]
    for obj, pk in zip(objs, insert(model, names, rows), strict=True):
        obj.pk = pk
        obj._state.adding = False
