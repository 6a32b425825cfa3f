"""Writes of part 四, readable as ``attendance.services.X``.

``grid``: the monthly grid and its lock (save, submit, reopen); ``records``:
household visits, quarterly reports, leader meetings and the inbox.
"""

from .grid import (
    DAY_FIELDS,
    REMARK_MAX,
    VALUE_FIELDS,
    GridEntry,
    GridSaveResult,
    attendance_grid_save,
    attendance_reopen,
    attendance_submit,
    field_label,
    grid_key,
    may_reopen,
    township_members,
)
from .records import (
    household_visit_create,
    leader_meeting_create,
    reminders_mark_read,
    team_report_submit,
)

__all__ = [
    "DAY_FIELDS",
    "REMARK_MAX",
    "VALUE_FIELDS",
    "GridEntry",
    "GridSaveResult",
    "attendance_grid_save",
    "attendance_reopen",
    "attendance_submit",
    "field_label",
    "grid_key",
    "household_visit_create",
    "leader_meeting_create",
    "may_reopen",
    "reminders_mark_read",
    "team_report_submit",
    "township_members",
]
