"""Reads of grades, training and target letters, shared by pages, API and exports.

Rows are scoped to what the user may see (zhucun.access.scoped), here and nowhere else.
One module per subject, as the pages: ``cycle`` (years, county, the year's people),
``grading``, ``training``, ``letters`` and the ``record``; all readable as
``assessments.selectors.X``.
"""

# The pages (and funding's) read the county choices as selectors.counties_for, as
# they did when this was one module.
from teams.selectors import counties_for

from .cycle import DAYS, FIRST_YEAR, county_get, served_memberships, year_choices
from .grading import (
    BARRED_RULES,
    AssessmentFilterSet,
    CapSummary,
    GradingRow,
    assessment_get,
    assessment_list,
    barred_units,
    excellent_cap_summary,
    grading_memberships,
    grading_people,
    grading_rows,
    term_end_year,
    terms_for_term_end,
)
from .letters import (
    TargetItemFilterSet,
    TargetLetterFilterSet,
    letter_members,
    letter_teams,
    target_item_get,
    target_item_list,
    target_items_of,
    target_letter_get,
    target_letter_list,
    teams_without_letter,
)
from .record import (
    AttendanceYear,
    PersonRecord,
    TrainingYear,
    person_findings,
    person_record,
    person_record_get,
)
from .training import (
    TrainingEventFilterSet,
    TrainingPace,
    TrainingRecordFilterSet,
    attendee_candidates,
    training_days_list,
    training_event_get,
    training_event_list,
    training_pace,
    training_record_get,
    training_record_list,
    training_teams,
)

__all__ = [
    "counties_for",
    "AssessmentFilterSet",
    "AttendanceYear",
    "BARRED_RULES",
    "CapSummary",
    "DAYS",
    "FIRST_YEAR",
    "GradingRow",
    "PersonRecord",
    "TargetItemFilterSet",
    "TargetLetterFilterSet",
    "TrainingEventFilterSet",
    "TrainingPace",
    "TrainingRecordFilterSet",
    "TrainingYear",
    "assessment_get",
    "assessment_list",
    "attendee_candidates",
    "barred_units",
    "county_get",
    "excellent_cap_summary",
    "grading_memberships",
    "grading_people",
    "grading_rows",
    "letter_members",
    "letter_teams",
    "person_findings",
    "person_record",
    "person_record_get",
    "served_memberships",
    "target_item_get",
    "target_item_list",
    "target_items_of",
    "target_letter_get",
    "target_letter_list",
    "teams_without_letter",
    "term_end_year",
    "terms_for_term_end",
    "training_days_list",
    "training_event_get",
    "training_event_list",
    "training_pace",
    "training_record_get",
    "training_record_list",
    "training_teams",
    "year_choices",
]
