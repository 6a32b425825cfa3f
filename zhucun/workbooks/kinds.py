"""The seven kinds of workbook, and the app resource that describes each one."""

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

# KIND (the command-line name) → the WorkbookResource in its app's resources.py.
KINDS = {
    "villages": "villages.resources.VillageResource",
    "units": "teams.resources.UnitResource",
    "roster": "teams.resources.RosterResource",
    "attendance": "attendance.resources.AttendanceResource",
    "training": "assessments.resources.TrainingResource",
    "assessments": "assessments.resources.AssessmentResource",
    "funding": "funding.resources.FundResource",
}

TITLES = {
    "villages": _("贫困村名册"),
    "units": _("派出单位"),
    "roster": _("驻村工作队队员花名册"),
    "attendance": _("月度考勤表"),
    "training": _("培训记录"),
    "assessments": _("年度考核"),
    "funding": _("工作经费"),
}


def resource_class(kind: str):
    """The resource class of a kind; KeyError for an unknown kind."""
    return import_string(KINDS[kind])
