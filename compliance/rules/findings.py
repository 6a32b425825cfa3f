"""What a rule reports: one finding about one object."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Finding:
    """One breach of one rule by one object (a village, team, member, unit, …).

    ``county_code`` is the county the breach lies in ("" when none applies) and
    ``period`` the year, quarter or month judged ("2019", "2019Q2", "2019-03"; ""
    for rules that judge the state on the day).
    """

    rule: str
    severity: str
    object_type: str
    object_id: int
    label: str
    county_code: str
    period: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)
