"""The audit trail's one writer: no other module builds an ``AuditEntry``.

A single and a bulk entry point side by side (as Saleor's ``giftcard/events.py``):

- ``audit_record`` (one change to one row) and ``audit_record_about`` (an action
  on something that is not one row, such as a whole export);
- ``audit_records``: the entries of one bulk write (a grid, a rollup), one INSERT;
- ``AuditBatch``: an import's entries, collected while it writes and inserted
  together once every pk is known.

Every service writes its entries inside its own transaction.

The actor (as Zulip's ``acting_user``): every service acting for a person takes the
keyword ``user=`` and passes it down as ``user=``; the audit context (set per
request by ``AuditMiddleware``, or by ``audit_context`` in commands and imports)
supplies the address and the source. The context's user is only the fallback for the
callers that do not pass ``user=`` yet (the admin's forms and actions,
``zhucun/admin.py``'s account entries); without either, the entry has no actor (the
system's rollups, reminders and summaries, the demo commands).
"""

import contextvars
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import models
from django.utils import timezone

from zhucun.id_numbers import mask_personal
from zhucun.models import AuditEntry
from zhucun.workbooks.bulk import insert

# Personal fields are stored masked in the trail: the trail is readable by counties.
_MASKED_FIELDS = {"id_number", "phone"}


@dataclass(frozen=True)
class AuditContext:
    user: object | None = None
    ip_address: str | None = None
    source: str = "page"
    request: object | None = (
        None  # the user is read from it at write time (DRF sets it late)
    )

    @property
    def actor(self):
        if self.user is not None:
            return self.user
        return getattr(self.request, "user", None)


_SYSTEM = AuditContext(source="system")
_context: contextvars.ContextVar[AuditContext] = contextvars.ContextVar(
    "zhucun_audit_context",
    default=_SYSTEM,  # noqa: B039 - a frozen dataclass, never mutated
)


@contextmanager
def audit_context(
    *, user=None, ip_address: str | None = None, source: str = "page", request=None
):
    """Attribute the writes made inside the block to a user, an address and a path."""
    token = _context.set(
        AuditContext(user=user, ip_address=ip_address, source=source, request=request)
    )
    try:
        yield
    finally:
        _context.reset(token)


def client_ip(request) -> str | None:
    """The client's address (REMOTE_ADDR; a trusted proxy must set it, see README)."""
    return request.META.get("REMOTE_ADDR") or None


class AuditMiddleware:
    """Attribute every write made while serving a request to its user and address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        source = (
            "api"
            if request.path.startswith("/api/")
            else ("admin" if request.path.startswith("/admin/") else "page")
        )
        with audit_context(
            ip_address=client_ip(request), source=source, request=request
        ):
            return self.get_response(request)


def _plain(value):
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def _masked(field: str, value):
    if field in _MASKED_FIELDS and isinstance(value, str) and value:
        return mask_personal(field, value)
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict:
    """The concrete field values of an instance, as JSON-ready data."""
    names = fields or [f.attname for f in instance._meta.concrete_fields]
    return {name: _plain(getattr(instance, name)) for name in names}


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for the fields that changed, personal data masked."""
    return {
        k: [_masked(k, before.get(k)), _masked(k, after.get(k))]
        for k in after
        if before.get(k) != after.get(k)
    }


def audit_record(
    *,
    action: str,
    instance: models.Model,
    changes: dict | None = None,
    county_code: str = "",
    user=None,
) -> AuditEntry:
    """Record one change to one object, by ``user`` (see the module docstring)."""
    return audit_record_about(
        action=action,
        model=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance),
        changes=changes,
        county_code=county_code,
        user=user,
    )


def audit_record_about(
    *,
    action: str,
    model: str,
    object_id: str,
    object_repr: str,
    changes: dict | None = None,
    county_code: str = "",
    user=None,
    source: str | None = None,
) -> AuditEntry:
    """Record an action on something that is not one row (a whole export).

    Attributed like ``audit_record``: the actor, the address and the source come
    from the current audit context unless given.
    """
    ctx = _context.get()
    actor = user if user is not None else ctx.actor
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        source=source or ctx.source,
        ip_address=ctx.ip_address,
        action=action,
        model=model,
        object_id=object_id,
        object_repr=object_repr[:200],
        county_code=county_code,
        changes=changes or {},
    )


def audit_records(rows: Sequence[dict], *, user=None) -> None:
    """Record the changes of one bulk write in one statement.

    Each row holds ``action``, ``model``, ``object_id``, ``object_repr``,
    ``county_code`` and ``changes``; attributed like ``audit_record``.
    """
    if not rows:
        return
    ctx = _context.get()
    actor = user if user is not None else ctx.actor
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor_id=actor_id,
                source=ctx.source,
                ip_address=ctx.ip_address,
                **row,
            )
            for row in rows
        ]
    )


class AuditBatch:
    """An import's audit entries, inserted together once every pk is known.

    The actor and the address are given (the import's user and IP), the source is
    ``import``.
    """

    COLUMNS = (
        "at",
        "actor_id",
        "source",
        "ip_address",
        "action",
        "model",
        "object_id",
        "object_repr",
        "county_code",
        "changes",
    )

    def __init__(self, *, user, ip_address: str | None):
        self.actor_id = user.pk if getattr(user, "pk", None) else None
        self.ip_address = ip_address
        self.at = timezone.now()
        self.rows: list[tuple] = []

    def _add(self, action, model, pk, changes, county_code, label) -> None:
        self.rows.append(
            (
                self.at,
                self.actor_id,
                "import",
                self.ip_address,
                action,
                model._meta.label_lower,
                str(pk),
                str(label)[:200],
                county_code,
                changes,
            )
        )

    def created(self, obj, fields: Sequence[str], county_code: str = "", label=None):
        """A new object (saved, so its pk is known) with the given fields."""
        self._add(
            "create",
            type(obj),
            obj.pk,
            created_changes({f: getattr(obj, f) for f in fields}),
            county_code,
            str(obj) if label is None else label,
        )

    def created_values(self, model, pk, values: dict, fields, county_code, label):
        """A new row written from a dict of values (see ``bulk.insert_dicts``)."""
        changes = created_changes({f: values.get(f) for f in fields})
        self._add("create", model, pk, changes, county_code, label)

    def updated(self, obj, changes: dict, county_code: str = "", label=None):
        self._add(
            "update",
            type(obj),
            obj.pk,
            changes,
            county_code,
            str(obj) if label is None else label,
        )

    def write(self) -> int:
        """Insert the collected entries (one statement a batch); return how many."""
        insert(AuditEntry, self.COLUMNS, self.rows)
        return len(self.rows)


_PLAIN = (bool, int, str)


def created_changes(values: dict) -> dict:
    """What ``diff({}, snapshot(…))`` gives, without its per-field cost.

    Values are made JSON-ready as ``snapshot`` does (dates → text); the personal
    fields still go through ``diff`` so that they are masked by the one function
    that masks the audit trail.
    """
    changes = {
        k: [None, v if isinstance(v, _PLAIN) else str(v)]
        for k, v in values.items()
        if v is not None
    }
    personal = {k: values[k] for k in _MASKED_FIELDS if k in changes}
    if personal:
        changes.update(diff({}, personal))
    return changes
