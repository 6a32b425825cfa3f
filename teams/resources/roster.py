"""The 驻村工作队队员花名册 (roster) workbook's columns; its importer is ``roster_import``."""

from django.utils.translation import gettext as _

from teams.models import Membership, Person
from teams.resources.roster_import import RosterImporter
from teams.selectors import membership_list
from zhucun.workbooks.columns import (
    ChoiceWidget,
    Column,
    DateWidget,
    IdNumberWidget,
    PhoneWidget,
    TextWidget,
    WorkbookResource,
    YesNoWidget,
)
from zhucun.workbooks.values import CellError, clean_text, fold, parse_date_precision

ROLE_LABELS = {
    (Membership.Role.FIRST_SECRETARY, False): "第一书记",
    (Membership.Role.FIRST_SECRETARY, True): "第一书记兼队长",
    (Membership.Role.LEADER, True): "队长",
    (Membership.Role.MEMBER, False): "队员",
}


class RoleWidget(TextWidget):
    """驻村职务 → (role, is_leader): 第一书记兼队长 is a first secretary who leads."""

    def __init__(self):
        super().__init__(max_length=16)
        self.by_key = {fold(label): key for key, label in ROLE_LABELS.items()}
        self.by_key[fold("第一书记（兼队长）")] = (
            Membership.Role.FIRST_SECRETARY,
            True,
        )

    def clean(self, value, row=None, **kwargs):
        found = self.by_key.get(fold(value))
        if found is None:
            raise CellError(
                _(
                    "“%(value)s”不是驻村职务，应为：第一书记、第一书记兼队长、队长、队员。"
                )
                % {"value": clean_text(value)}
            )
        return found


class BirthMonthWidget(DateWidget):
    """出生年月: (date, whether a day was given), to compare with the 身份证号码."""

    def clean(self, value, row=None, **kwargs):
        return parse_date_precision(value)


class RosterResource(WorkbookResource):
    kind = "roster"
    title = _("驻村工作队队员花名册")

    sequence = Column("序号", None, TextWidget(16), imported=False)
    prefecture = Column(
        "市（州）",
        "team__village__county__parent__name",
        TextWidget(64, name=True),
        required=True,
    )
    county = Column(
        "县（市、区）",
        "team__village__county__name",
        TextWidget(64, name=True),
        required=True,
    )
    township = Column(
        "乡（镇）",
        "team__village__township__name",
        TextWidget(64, name=True),
        required=True,
    )
    village = Column(
        "村", "team__village__name", TextWidget(64, name=True), required=True
    )
    name = Column("姓名", "person__name", TextWidget(32, name=True), required=True)
    gender = Column("性别", "person__gender", ChoiceWidget(Person.Gender))
    ethnicity = Column("民族", "person__ethnicity", TextWidget(16, name=True))
    birth = Column("出生年月", "person__birth_date", BirthMonthWidget(), personal=True)
    id_number = Column(
        "身份证号码",
        "person__id_number",
        IdNumberWidget(),
        required=True,
        aliases=("身份证号", "公民身份号码"),
        personal=True,
    )
    political_status = Column(
        "政治面貌",
        "person__political_status",
        ChoiceWidget(
            Person.PoliticalStatus,
            aliases={"党员": "cpc", "预备党员": "cpc_probationary", "团员": "cyl"},
        ),
    )
    unit = Column("派出单位", "unit__name", TextWidget(128), required=True)
    current_post = Column("现任职务", "person__current_post", TextWidget(64))
    rank = Column("职级", "person__rank", ChoiceWidget(Person.Rank))
    role = Column("驻村职务", "role", RoleWidget(), required=True)
    on_staff = Column("是否在编在岗", "person__on_staff", YesNoWidget())
    start_date = Column("驻村起始时间", "start_date", DateWidget(), required=True)
    end_date = Column("驻村结束时间", "end_date", DateWidget(), blank=None)
    phone = Column(
        "联系电话", "person__phone", PhoneWidget(), aliases=("电话",), personal=True
    )
    remark = Column("备注", None, TextWidget(200), imported=False)

    class Meta:
        model = Membership
        fields = (
            "sequence",
            "prefecture",
            "county",
            "township",
            "village",
            "name",
            "gender",
            "ethnicity",
            "birth",
            "id_number",
            "political_status",
            "unit",
            "current_post",
            "rank",
            "role",
            "on_staff",
            "start_date",
            "end_date",
            "phone",
            "remark",
        )
        import_id_fields = ()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._sequence = 0

    def dehydrate_sequence(self, membership: Membership) -> int:
        self._sequence += 1
        return self._sequence

    def dehydrate_role(self, membership: Membership) -> str:
        leads = membership.is_leader or membership.role == Membership.Role.LEADER
        if membership.role == Membership.Role.FIRST_SECRETARY:
            return ROLE_LABELS[(membership.role, membership.is_leader)]
        return "队长" if leads else "队员"

    def dehydrate_remark(self, membership: Membership) -> str:
        return ""

    def export_queryset(self, *, county=None):

        memberships = (
            Membership.objects.all()
            if self.user is None
            else membership_list(user=self.user)
        )
        memberships = memberships.select_related(
            "person",
            "unit",
            "team__village__township",
            "team__village__county__parent",
        )
        if county is not None:
            memberships = memberships.filter(
                team__village__township__path__startswith=county.path
            )
        return memberships.order_by(
            "team__village__county__code",
            "team__village__township__code",
            "team__village__name",
            "team__start_date",
            "role",
            "start_date",
            "person__id_number",
        )


RosterResource.importer_class = RosterImporter
