"""The shape every domain rule of a write shares.

A domain rule (one open membership per person, one first secretary, Liangshan's
cap, the locked month, the 20% cap, the fund balance, a value's range...) is one
function in its app's ``write_rules.py``. It takes the proposed writes (one for a
service's single write, a whole sheet for an import), reads what it needs of the
database in a fixed number of queries, and returns ``Refusal`` objects, each
about one proposal (its ``item``: whatever key the caller passed) and one field,
with one Chinese message.

The service raises them (``raise_refusals``) and the page, the API, the admin
and the commands show the service's error; the importer puts them on its rows
(``reject_rows``). So the same bad write gets the same message on every path.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Refusal:
    """One rule's no: which proposal, which field (model field name), why."""

    item: Any
    field: str
    message: str


def raise_refusals(refusals: Iterable[Refusal]) -> None:
    """Raise the refusals of one write as a ValidationError keyed by field."""
    errors: dict[str, list[str]] = {}
    for refusal in refusals:
        messages = errors.setdefault(refusal.field, [])
        if refusal.message not in messages:
            messages.append(refusal.message)
    if errors:
        raise ValidationError(errors)


def reject_rows(refusals: Iterable[Refusal], columns: Mapping[str, str]) -> None:
    """Put each refusal on its row (``item`` is a workbook Row).

    ``columns`` names the workbook column of each model field the rules speak of;
    a field without a column lands on the row's first column.
    """
    for refusal in refusals:
        row = refusal.item
        if not row.ok and any(e.message == refusal.message for e in row.errors):
            continue
        row.reject(columns.get(refusal.field, ""), refusal.message)
