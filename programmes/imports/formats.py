"""The file formats, one per kind: django-import-export resources with Vietnamese headers and natural keys.

The headers are a stable contract (`COLUMNS`): more columns may follow them, none is renamed.
Values are written as an official writes them: a province by its official code, a scheme level
as KCQG/KCĐP, an activity content by its catalogue code, a đề án by its code, a facility by its
tax code, a status or a payment kind by its Vietnamese label — never a database id. Each
resource exports a row (`export_row`) and declares the widgets that read a cell back (`widgets`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from programmes import allocations
from programmes.lib.iterables import chunked
from programmes.models import (
    Beneficiary,
    Disbursement,
    Facility,
    Indicator,
    PlanLine,
    Programme,
    Project,
    ProjectAllocation,
    ProjectStatus,
    Scheme,
    SchemeLevel,
)

from .widgets import (
    ChoiceWidget,
    CountWidget,
    DateWidget,
    KeyWidget,
    MoneyWidget,
    SharesWidget,
    TextWidget,
    YesNoWidget,
)

LEVELS = ChoiceWidget({SchemeLevel.NATIONAL: "KCQG", SchemeLevel.LOCAL: "KCĐP"})
PROGRAMMES = ChoiceWidget(
    {
        Programme.INDUSTRY_PROMOTION: "Khuyến công",
        Programme.ENERGY_EFFICIENCY: "Sử dụng năng lượng tiết kiệm và hiệu quả",
        Programme.OTHER: "Chương trình khác",
    },
    aliases={
        "KC": Programme.INDUSTRY_PROMOTION,
        "TKNL": Programme.ENERGY_EFFICIENCY,
        "SDNLTK": Programme.ENERGY_EFFICIENCY,
        "năng lượng": Programme.ENERGY_EFFICIENCY,
        "khác": Programme.OTHER,
    },
)


def programme_column(attribute: str):
    """The programme of a row's scheme: empty reads as khuyến công (appended after the older columns)."""
    return column(
        attribute, "Chương trình", PROGRAMMES, key="programme",
        note=_("Empty: khuyến công. “Sử dụng năng lượng tiết kiệm và hiệu quả” (TKNL) or “Chương trình khác” "
               "file the row under that programme's scheme, never counted as khuyến công."),
    )  # fmt: skip


STATUSES = ChoiceWidget(
    {
        ProjectStatus.REGISTERED: "Đăng ký",
        ProjectStatus.APPRAISED: "Thẩm định",
        ProjectStatus.APPROVED: "Phê duyệt",
        ProjectStatus.CONTRACTED: "Hợp đồng",
        ProjectStatus.IN_PROGRESS: "Đang thực hiện",
        ProjectStatus.ACCEPTED: "Nghiệm thu",
        ProjectStatus.SETTLED: "Quyết toán",
        ProjectStatus.STOPPED: "Ngừng",
    },
    aliases={
        "đã thẩm định": ProjectStatus.APPRAISED,
        "đã phê duyệt": ProjectStatus.APPROVED,
        "đã ký hợp đồng": ProjectStatus.CONTRACTED,
        "đã nghiệm thu": ProjectStatus.ACCEPTED,
        "đã quyết toán": ProjectStatus.SETTLED,
        "ngừng thực hiện": ProjectStatus.STOPPED,
    },
)
PAYMENT_KINDS = ChoiceWidget(
    {
        Disbursement.Kind.ADVANCE: "Tạm ứng",
        Disbursement.Kind.PAYMENT: "Thanh toán",
        Disbursement.Kind.SETTLEMENT: "Quyết toán",
    }
)
SOURCES = ChoiceWidget(
    {
        Disbursement.Source.CENTRAL: "Ngân sách trung ương",
        Disbursement.Source.PROVINCIAL: "Ngân sách tỉnh",
        Disbursement.Source.COMMUNE: "Ngân sách xã",
    },
    aliases={"NSTW": Disbursement.Source.CENTRAL, "NS tỉnh": Disbursement.Source.PROVINCIAL, "NS xã": "ns_xa"},
)
FACILITY_KINDS = ChoiceWidget(
    {
        Facility.Kind.SME: "Doanh nghiệp nhỏ và vừa",
        Facility.Kind.COOPERATIVE: "Hợp tác xã",
        Facility.Kind.COOPERATIVE_UNION: "Liên hiệp hợp tác xã",
        Facility.Kind.COOPERATIVE_GROUP: "Tổ hợp tác",
        Facility.Kind.HOUSEHOLD_BUSINESS: "Hộ kinh doanh",
        Facility.Kind.ARTISAN: "Nghệ nhân",
        Facility.Kind.CLUSTER_INVESTOR: "Chủ đầu tư hạ tầng cụm công nghiệp",
    },
    aliases={"DNNVV": Facility.Kind.SME, "doanh nghiệp": Facility.Kind.SME, "HTX": Facility.Kind.COOPERATIVE},
)
INDUSTRIES = ChoiceWidget(
    {
        Facility.Industry.PROCESSING: "a. Chế biến nông – lâm – thủy sản và chế biến thực phẩm",
        Facility.Industry.CONSUMER_GOODS: "b. Hàng công nghiệp phục vụ tiêu dùng, xuất khẩu, thay thế nhập khẩu",
        Facility.Industry.CHEMICALS_MATERIALS: "c. Hóa chất phục vụ nông nghiệp, nông thôn; vật liệu xây dựng",
        Facility.Industry.MECHANICAL: "d. Cơ khí, điện, điện tử – tin học; công nghiệp hỗ trợ",
        Facility.Industry.HANDICRAFTS: "đ. Hàng tiểu thủ công nghiệp",
        Facility.Industry.MINING: "e. Khai thác, chế biến khoáng sản",
        Facility.Industry.CLEANER_PRODUCTION: "g. Sản xuất sạch hơn; xử lý ô nhiễm môi trường",
    },
    aliases={"đ": Facility.Industry.HANDICRAFTS},
)


def column(attribute: str, header: str, widget, *, required: bool = False, note=None, key: str | None = None):
    """A column of a format: `attribute` on the exported row, `header` in the file, `note` in the template."""
    field = fields.Field(attribute=attribute, column_name=header, widget=widget)
    field.required = required
    field.note = note
    field.key = key or attribute.split("__")[0]
    return field


def plan_key_columns() -> tuple[fields.Field, ...]:
    """The columns naming a plan line (a plan's row, a đề án's plan and content): new fields each call."""
    return (
        column(
            "plan__province__code", "Mã tỉnh", KeyWidget("code"), required=True, key="province",
            note=_("The official code of the province in that year (codes were reused after 1/7/2025)."),
        ),
        column("plan__year", "Năm", CountWidget(), required=True, key="year", note=_("The year of the plan.")),
        column("plan__scheme__level", "Cấp", LEVELS, required=True, key="level", note=_("KCQG or KCĐP.")),
        column(
            "content__code", "Mã nội dung", KeyWidget("code"), required=True, key="content",
            note=_("A catalogue code, e.g. QD1881-3 or ND45-4."),
        ),
    )  # fmt: skip


class Format(resources.Resource):
    """A kind's columns; `key` names the value an importer reads (`row.values[key]`)."""

    kind: str = ""
    title = ""
    model = None
    related: tuple[str, ...] = ()

    @classmethod
    def columns(cls) -> list[fields.Field]:
        return list(cls.fields.values())

    @classmethod
    def headers(cls) -> list[str]:
        return [field.column_name for field in cls.columns()]

    @classmethod
    def export_queryset(cls, queryset: QuerySet) -> QuerySet:
        return queryset.select_related(*cls.related).order_by("pk")

    @classmethod
    def export_row(cls, obj) -> list:
        return [field.widget.render(field.get_value(obj)) for field in cls.columns()]

    @classmethod
    def export_rows(cls, queryset: QuerySet, chunk_size: int = 2_000) -> Iterator[list]:
        """Every row as `export_row` gives it, read as tuples of the columns' paths (`values_list`):
        no model instance is built per row, the joins are the paths' own (a national list: 300.000
        đề án, most of an export's time was building instances)."""
        columns = cls.columns()
        renders = [field.widget.render for field in columns]
        rows = cls.export_queryset(queryset).values_list(*(field.attribute for field in columns))
        for values in rows.iterator(chunk_size=chunk_size):
            yield [render(value) for render, value in zip(renders, values, strict=True)]

    @classmethod
    def cell_kinds(cls) -> list[str]:
        """How each column's cells are written: "number", "date" or "text"."""
        return [getattr(field.widget, "cell", "text") for field in cls.columns()]


class PlanFormat(Format):
    kind, title, model = "plans", _("Annual plans (lines by activity content)"), PlanLine
    related = ("plan__province", "plan__scheme", "content")
    province, year, level, content = plan_key_columns()
    planned_amount = column("planned_amount", "Kinh phí kế hoạch (đồng)", MoneyWidget(), required=True)
    planned_projects = column("planned_projects", "Số đề án kế hoạch", CountWidget())
    decision_number = column(
        "plan__decision_number", "Số quyết định phê duyệt", TextWidget(60), key="decision_number",
        note=_("With its date: the plan is approved by this decision (a province manager's import); empty: a draft."),
    )  # fmt: skip
    decision_date = column("plan__decision_date", "Ngày quyết định phê duyệt", DateWidget(), key="decision_date")
    decision_issuer = column(
        "plan__decision_issuer", "Cơ quan phê duyệt", TextWidget(200), key="decision_issuer",
        note=_("e.g. UBND tỉnh Thanh Hóa"),
    )  # fmt: skip
    programme = programme_column("plan__scheme__programme")


class ProjectFormat(Format):
    kind, title, model = "projects", _("Projects (đề án)"), Project
    related = ("plan__province", "plan__scheme", "content", "implementing_unit")
    code = column(
        "code", "Mã đề án", TextWidget(40), required=True, note=_("Identifies the project (unique nationwide).")
    )
    name = column("name", "Tên đề án", TextWidget(500), required=True)
    province, year, level, content = plan_key_columns()
    implementing_unit = column(
        "implementing_unit__name", "Đơn vị thực hiện", TextWidget(300), required=True, key="implementing_unit",
        note=_("Matched by name within the province; a new name creates the organisation."),
    )  # fmt: skip
    decision_number = column("decision_number", "Số quyết định", TextWidget(60))
    decision_date = column("decision_date", "Ngày quyết định", DateWidget())
    kc_support = column("kc_support", "Kinh phí khuyến công (đồng)", MoneyWidget(), required=True)
    counterpart_funds = column("counterpart_funds", "Vốn đối ứng (đồng)", MoneyWidget())
    start_date = column("start_date", "Ngày bắt đầu", DateWidget())
    end_date = column("end_date", "Ngày kết thúc", DateWidget())
    status = column(
        "status", "Trạng thái", STATUSES, required=True,
        note=_("The dates a status needs come from the row: approval from the decision date, start from the "
               "start date, acceptance and settlement from the end date."),
    )  # fmt: skip
    programme = programme_column("plan__scheme__programme")
    # Written by `export_rows` from the đề án's shares (the column's path only says whether it has any).
    allocations = column(
        "final_year", "Phân bổ kinh phí theo năm", SharesWidget(), key="allocations",
        note=_("A multi-year project only: each year's share from the plan's year, “2022: 300.000.000; "
               "2023: 400.000.000”, the counterpart and other funds after slashes "
               "(“2022: 300.000.000 / 150.000.000 / 0”) or shared like the support. Empty: unchanged."),
    )  # fmt: skip

    @classmethod
    def export_rows(cls, queryset: QuerySet, chunk_size: int = 2_000) -> Iterator[list]:
        """`Format.export_rows`, with the shares of a multi-year đề án written out: one more query for
        a chunk of rows holding any (most hold none)."""
        names = list(cls.fields)
        code_at, shares_at = names.index("code"), names.index("allocations")
        for chunk in chunked(super().export_rows(queryset, chunk_size), chunk_size):
            shared = [row[code_at] for row in chunk if row[shares_at]]
            written = {}
            if shared:
                stored = defaultdict(list)
                for row in ProjectAllocation.objects.filter(project__code__in=shared).values(
                    "project__code", "year", *allocations.MONEY
                ):
                    stored[row["project__code"]].append(row)
                written = {code: allocations.written(allocations.shares_of(rows)) for code, rows in stored.items()}
            for row in chunk:
                row[shares_at] = written.get(row[code_at], "") if row[shares_at] else ""
                yield row


class FacilityFormat(Format):
    kind, title, model = "facilities", _("Rural-industry facilities"), Facility
    related = ("province", "commune")
    tax_code = column("tax_code", "Mã số thuế", KeyWidget("tax_code"), note=_("Identifies the facility."))
    name = column("name", "Tên cơ sở", TextWidget(300), required=True)
    kind_ = column("kind", "Loại hình", FACILITY_KINDS, required=True, key="kind")
    province = column(
        "province__code", "Mã tỉnh", KeyWidget("code"), required=True, key="province",
        note=_("The code of the province of today."),
    )  # fmt: skip
    commune = column("commune__code", "Mã xã", KeyWidget("code"), key="commune")
    address = column("address", "Địa chỉ", TextWidget(300))
    industry = column("industry", "Ngành nghề", INDUSTRIES, note=_("The letter (a, b, c, d, đ, e, g) or the name."))
    representative = column("representative", "Người đại diện", TextWidget(150))
    phone = column("phone", "Điện thoại", TextWidget(30))
    workforce = column("workforce", "Số lao động", CountWidget())
    # Hiệu quả sau hỗ trợ: the figures before and after support and their years (a blank cell keeps
    # what the register has, so a file without them erases nothing).
    revenue_before = column("revenue_before", "Doanh thu trước hỗ trợ (đồng)", MoneyWidget())
    revenue_after = column("revenue_after", "Doanh thu sau hỗ trợ (đồng)", MoneyWidget())
    assets_before = column("assets_before", "Tổng tài sản trước hỗ trợ (đồng)", MoneyWidget())
    assets_after = column("assets_after", "Tổng tài sản sau hỗ trợ (đồng)", MoneyWidget())
    workers_before = column("workers_before", "Lao động trước hỗ trợ", CountWidget())
    workers_after = column("workers_after", "Lao động sau hỗ trợ", CountWidget())
    products_before = column("products_before", "Số sản phẩm trước hỗ trợ", CountWidget())
    products_after = column("products_after", "Số sản phẩm sau hỗ trợ", CountWidget())
    impact_year_before = column(
        "impact_year_before", "Năm số liệu trước hỗ trợ", CountWidget(),
        note=_("The year the figures before support are of, e.g. 2023."),
    )  # fmt: skip
    impact_year_after = column("impact_year_after", "Năm số liệu sau hỗ trợ", CountWidget())


class BeneficiaryFormat(Format):
    kind, title, model = "beneficiaries", _("Beneficiaries of projects"), Beneficiary
    related = ("project", "facility")
    project = column("project__code", "Mã đề án", KeyWidget("code"), required=True, key="project")
    facility = column(
        "facility__tax_code", "Mã số thuế", KeyWidget("tax_code"), required=True, key="facility",
        note=_("The facility must be in the register already (import facilities first)."),
    )  # fmt: skip
    support_amount = column("support_amount", "Kinh phí hỗ trợ (đồng)", MoneyWidget(), required=True)
    counterpart_amount = column("counterpart_amount", "Vốn đối ứng (đồng)", MoneyWidget())
    note = column("note", "Nội dung hỗ trợ", TextWidget(300))
    support_item = column(
        "support_item__code", "Hạng mục hỗ trợ", KeyWidget("code"), key="support_item",
        note=_("What the support pays for: the item's code (e.g. MMTB) or an unambiguous part of its name; "
               "its cap in law is checked once the project is approved."),
    )  # fmt: skip
    eligible_cost = column(
        "eligible_cost", "Chi phí hợp lệ (đồng)", MoneyWidget(),
        note=_("The approved estimate of the supported item, which a percent cap is taken of."),
    )  # fmt: skip
    technology_line = column(
        "technology_line", "Dây chuyền công nghệ", YesNoWidget(),
        note=_("“Có” for a whole technology line (the machinery cap × 1,5)."),
    )  # fmt: skip
    cap_exception = column(
        "cap_exception", "Quyết định cho phép vượt mức", TextWidget(60),
        note=_("The number of the decision that allows support above the cap, if there is one."),
    )  # fmt: skip


class DisbursementFormat(Format):
    kind, title, model = "disbursements", _("Disbursements"), Disbursement
    related = ("project",)
    project = column("project__code", "Mã đề án", KeyWidget("code"), required=True, key="project")
    paid_on = column("paid_on", "Ngày giải ngân", DateWidget(), required=True)
    amount = column("amount", "Số tiền (đồng)", MoneyWidget(), required=True)
    source = column("source", "Nguồn", SOURCES, note=_("Empty: the source follows the project's level."))
    kind_ = column("kind", "Loại", PAYMENT_KINDS, required=True, key="kind")
    voucher_number = column(
        "voucher_number", "Số chứng từ", TextWidget(60),
        note=_("Identifies the payment within its project; without it a row matches an identical payment."),
    )  # fmt: skip
    note = column("note", "Ghi chú", TextWidget(300))


class IndicatorFormat(Format):
    kind, title, model = "indicators", _("Project outputs (indicators)"), Indicator
    related = ("project", "kind")
    project = column("project__code", "Mã đề án", KeyWidget("code"), required=True, key="project")
    indicator = column(
        "kind__name", "Chỉ tiêu", TextWidget(200), required=True, key="indicator",
        note=_("The indicator's name or code in the catalogue."),
    )  # fmt: skip
    unit = column("kind__unit", "Đơn vị", TextWidget(40), key="unit")
    planned = column("planned", "Kế hoạch", CountWidget())
    achieved = column("achieved", "Thực hiện", CountWidget())
    achieved_on = column(
        "achieved_on", "Ngày số liệu thực hiện", DateWidget(),
        note=_("The date of the achieved figure; empty: the day of the import."),
    )  # fmt: skip

    @classmethod
    def export_queryset(cls, queryset):
        return super().export_queryset(queryset.filter(project__isnull=False))


class SchemeFormat(Format):
    """National (KCQG) and local (KCĐP) schemes with their legal basis and programme."""

    kind, title, model = "schemes", _("Schemes (national and local programmes)"), Scheme
    related = ("province",)
    code = column("code", "Mã chương trình", TextWidget(40), required=True, note=_("Identifies the scheme."))
    name = column("name", "Tên chương trình", TextWidget(300), required=True)
    level = column("level", "Cấp", LEVELS, required=True, note=_("KCQG or KCĐP."))
    province = column(
        "province__code", "Mã tỉnh", KeyWidget("code"), key="province",
        note=_("For a KCĐP scheme: the code of the province of today; empty for KCQG."),
    )  # fmt: skip
    legal_basis = column(
        "legal_basis", "Căn cứ pháp lý", TextWidget(300), required=True,
        note=_("e.g. Nghị quyết số 12/2021/NQ-HĐND ngày 10/12/2021"),
    )  # fmt: skip
    start_year = column("start_year", "Từ năm", CountWidget(), required=True)
    end_year = column("end_year", "Đến năm", CountWidget(), required=True)
    programme = programme_column("programme")


FORMATS: dict[str, type[Format]] = {
    format_.kind: format_
    for format_ in (
        PlanFormat,
        ProjectFormat,
        FacilityFormat,
        BeneficiaryFormat,
        DisbursementFormat,
        IndicatorFormat,
        SchemeFormat,
    )
}
