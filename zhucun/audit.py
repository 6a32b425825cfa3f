"""Write audit entries. Every service calls ``audit_record`` inside its own transaction."""

import contextvars
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import models

from zhucun.id_numbers import mask_personal
from zhucun.models import AuditEntry

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
    """Record one change to one object, attributed to the current audit context."""
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
