"""Pages of the county's yearly cycle: grading, training, target letters, the record.

Every list reads its rows from ``assessments.selectors`` (the API and the xlsx
export read the same), pages 50 rows at a time and offers the whole list as a
workbook with ``?format=xlsx``. Every write goes through ``assessments.services``.
A county outside the user's scope, like any row outside it, answers 404.
One module per subject (``grading``, ``training``, ``letters``, ``record``);
``assessments/urls.py`` reads the pages from here.
"""

from .grading import barred, grading, term_end
from .letters import (
    item_edit,
    item_progress,
    letter_create,
    letter_detail,
    letter_list,
    letter_missing,
)
from .record import index, person_record
from .training import (
    training_behind,
    training_create,
    training_days,
    training_detail,
    training_list,
    training_record_delete,
)

__all__ = [
    "barred",
    "grading",
    "index",
    "item_edit",
    "item_progress",
    "letter_create",
    "letter_detail",
    "letter_list",
    "letter_missing",
    "person_record",
    "term_end",
    "training_behind",
    "training_create",
    "training_days",
    "training_detail",
    "training_list",
    "training_record_delete",
]
