"""Build the demo province and the demo logins.

Thanh Hóa 2024 is built so that the figures of its published report come out exactly
(shared/domain.md §7):
- local (KCĐP) plan 3.277 triệu đồng: 08 machinery đề án at 08 facilities, 02 of them completed
  in the first 6 months (600 triệu đồng), the other 06 in the last 6 months; support to fairs in
  07 provinces and 03 supply–demand fairs; 100 % disbursed by the end of the year;
- national (KCQG) plan 2.950 triệu đồng under contracts with the Cục, 100 % disbursed.
A smaller old-Quảng Nam 2024 plan and a Đà Nẵng 2026 plan show the 2025 merger and give the
Đà Nẵng officer data of their own. Names of facilities and decision numbers are illustrative.

Every write goes through the services, so the demo data carries its change history. Running the
command again changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from programmes import services
from programmes.models import (
    ActivityContent,
    Beneficiary,
    ConsultancyService,
    Disbursement,
    Facility,
    Indicator,
    IndicatorKind,
    Organisation,
    Plan,
    PlanLine,
    Programme,
    Project,
    ProjectStatus,
    Province,
    Role,
    Scheme,
    SchemeLevel,
)

TRIEU = 1_000_000
DEMO_PASSWORD = "khuyencong2026"
DEMO_USERS = [
    # (username, role, province code of today, full name)
    ("quantri", Role.ADMINISTRATOR, None, "Quản trị hệ thống"),
    ("bo.kiemtra", Role.MINISTRY_REVIEWER, None, "Cán bộ Cục ĐMST, CĐX&KC"),
    ("thanhhoa.lanhdao", Role.PROVINCE_MANAGER, "38", "Lãnh đạo Sở Công Thương Thanh Hóa"),
    ("thanhhoa.chuyenvien", Role.PROVINCE_STAFF, "38", "Chuyên viên Trung tâm Khuyến công Thanh Hóa"),
    ("danang.lanhdao", Role.PROVINCE_MANAGER, "48", "Lãnh đạo Sở Công Thương Đà Nẵng"),
    ("danang.chuyenvien", Role.PROVINCE_STAFF, "48", "Chuyên viên Sở Công Thương Đà Nẵng"),
]
MARKER_CODE = "TH-KCDP-2024-01"


@dataclass(frozen=True)
class DemoProject:
    code: str
    name: str
    content: str
    support_trieu: int
    counterpart_trieu: int
    facility: str | None  # name of the single beneficiary facility
    accepted: datetime.date
    location: str = ""
    district: str = ""
    group_facilities: tuple[str, ...] = ()


def d(day: int, month: int, year: int = 2024) -> datetime.date:
    return datetime.date(year, month, day)


# The energy-saving đề án of the demo (a scheme of "sử dụng năng lượng tiết kiệm và hiệu quả").
ENERGY_PROJECT = DemoProject(
    "TH-TKNL-2024-01",
    "Hỗ trợ thay thế lò sấy chè tiết kiệm năng lượng",
    "ND45-3",
    200,
    260,
    "Cơ sở chè Như Thanh",
    d(28, 6),
    "xã Như Thanh",
    "huyện Như Thanh",
)
# Paid consultancy of the Thanh Hóa centre in 2024: service, contracts, revenue (triệu đồng).
CONSULTANCY = [
    ("Tư vấn lập dự án đầu tư, hồ sơ đề án khuyến công", 6, 126),
    ("Tư vấn kiểm toán năng lượng", 3, 195),
]

LOCAL_PROJECTS = [
    DemoProject(
        "TH-KCDP-2024-01",
        "Hỗ trợ ứng dụng máy xay xát, đánh bóng gạo tiên tiến",
        "ND45-3",
        300,
        340,
        "Cơ sở xay xát Lê Văn Hùng",
        d(20, 6),
        "xã Hoằng Hóa",
        "huyện Hoằng Hóa",
    ),
    DemoProject(
        "TH-KCDP-2024-02",
        "Hỗ trợ ứng dụng dây chuyền sản xuất nước mắm đóng chai",
        "ND45-3",
        300,
        360,
        "HTX chế biến hải sản Ba Làng",
        d(25, 6),
        "phường Hải Bình",
        "thị xã Nghi Sơn",
    ),
    DemoProject(
        "TH-KCDP-2024-03",
        "Hỗ trợ ứng dụng máy chế biến gỗ mỹ nghệ",
        "ND45-3",
        300,
        320,
        "Công ty TNHH Mộc Đông Sơn",
        d(15, 11),
        "xã Đông Tiến",
        "huyện Đông Sơn",
    ),
    DemoProject(
        "TH-KCDP-2024-04",
        "Hỗ trợ ứng dụng máy dệt chiếu cói",
        "ND45-3",
        300,
        310,
        "HTX cói Nga Sơn",
        d(18, 11),
        "xã Nga Sơn",
        "huyện Nga Sơn",
    ),
    DemoProject(
        "TH-KCDP-2024-05",
        "Hỗ trợ ứng dụng máy sản xuất bánh gai",
        "ND45-3",
        280,
        300,
        "Cơ sở bánh gai Tứ Trụ",
        d(22, 11),
        "xã Thọ Xuân",
        "huyện Thọ Xuân",
    ),
    DemoProject(
        "TH-KCDP-2024-06",
        "Hỗ trợ ứng dụng máy sản xuất gạch không nung",
        "ND45-3",
        270,
        330,
        "Công ty CP Vật liệu Yên Định",
        d(25, 11),
        "xã Yên Định",
        "huyện Yên Định",
    ),
    DemoProject(
        "TH-KCDP-2024-07",
        "Hỗ trợ ứng dụng máy chế biến chè",
        "ND45-3",
        250,
        260,
        "HTX chè Như Thanh",
        d(28, 11),
        "xã Như Thanh",
        "huyện Như Thanh",
    ),
    DemoProject(
        "TH-KCDP-2024-08",
        "Hỗ trợ ứng dụng máy may công nghiệp",
        "ND45-3",
        250,
        280,
        "Cơ sở may Quảng Xương",
        d(2, 12),
        "xã Quảng Xương",
        "huyện Quảng Xương",
    ),
    DemoProject(
        "TH-KCDP-2024-09",
        "Hỗ trợ cơ sở CNNT tham gia hội chợ triển lãm tại 07 tỉnh, thành phố",
        "ND45-4",
        427,
        0,
        None,
        d(10, 12),
    ),
    DemoProject(
        "TH-KCDP-2024-10",
        "Tổ chức 03 hội chợ kết nối cung cầu sản phẩm CNNT",
        "ND45-4",
        600,
        0,
        None,
        d(12, 12),
        "TP Thanh Hóa",
    ),
]

NATIONAL_PROJECTS = [
    DemoProject(
        "TH-KCQG-2024-01",
        "Hỗ trợ ứng dụng máy móc thiết bị tiên tiến trong chế biến nông sản (đề án nhóm)",
        "ND45-3",
        1500,
        1650,
        None,
        d(20, 11),
        group_facilities=(
            "Cơ sở chế biến lạc Hậu Lộc",
            "HTX nông sản Thiệu Hóa",
            "Cơ sở miến gạo Hà Trung",
            "Công ty TNHH Thực phẩm Vĩnh Lộc",
            "Cơ sở chế biến sắn Ngọc Lặc",
        ),
    ),
    DemoProject(
        "TH-KCQG-2024-02",
        "Xây dựng mô hình trình diễn kỹ thuật sản xuất gạch không nung",
        "ND45-3",
        550,
        1300,
        "Công ty CP Gạch Hà Trung",
        d(25, 11),
        "xã Hà Trung",
        "huyện Hà Trung",
    ),
    DemoProject(
        "TH-KCQG-2024-03",
        "Đào tạo nghề mây tre đan cho lao động nông thôn",
        "ND45-1",
        400,
        0,
        "HTX mây tre đan Thạch Thành",
        d(15, 10),
        "xã Thạch Thành",
        "huyện Thạch Thành",
    ),
    DemoProject(
        "TH-KCQG-2024-04",
        "Hỗ trợ xây dựng phòng trưng bày, giới thiệu sản phẩm CNNT tiêu biểu",
        "ND45-4",
        500,
        0,
        None,
        d(30, 11),
        "TP Thanh Hóa",
    ),
]

QUANG_NAM_PROJECTS = [
    DemoProject(
        "QNA-KCDP-2024-01",
        "Hỗ trợ ứng dụng máy sấy nông sản",
        "ND45-3",
        250,
        300,
        "HTX nông nghiệp Điện Bàn",
        d(10, 11),
        "xã Điện Bàn",
        "thị xã Điện Bàn",
    ),
    DemoProject(
        "QNA-KCDP-2024-02",
        "Hỗ trợ ứng dụng máy dệt thổ cẩm",
        "ND45-3",
        200,
        220,
        "Cơ sở dệt Mã Châu",
        d(20, 11),
        "xã Duy Xuyên",
        "huyện Duy Xuyên",
    ),
]

DANANG_PROJECTS = [
    DemoProject(
        "DN-KCDP-2026-01",
        "Hỗ trợ ứng dụng máy chế biến nước mắm Nam Ô",
        "ND45-3",
        300,
        350,
        "Cơ sở nước mắm Nam Ô",
        d(30, 10, 2026),
        "phường Hải Vân",
    ),
]
# Thanh Hóa's đề án of 2026, under way: 70 % advanced, the rest still to pay, so the province's
# logins have real work to do (a payment to enter, a beneficiary to add, a report to draft).
THANH_HOA_2026_PROJECTS = [
    DemoProject(
        "TH-KCDP-2026-01",
        "Hỗ trợ ứng dụng dây chuyền sấy nông sản tiết kiệm năng lượng",
        "ND45-3",
        400,
        450,
        "HTX nông sản Triệu Sơn",
        d(30, 11, 2026),
        "xã Triệu Sơn",
    ),
    DemoProject(
        "TH-KCDP-2026-02",
        "Hỗ trợ ứng dụng máy ép viên nén mùn cưa",
        "ND45-3",
        350,
        380,
        "Công ty TNHH Lâm sản Bá Thước",
        d(15, 12, 2026),
        "xã Bá Thước",
    ),
]


class Command(BaseCommand):
    help = (
        "Create the demo logins and the demo data (Thanh Hóa 2024 as published and its đề án of 2026 under "
        "way, plus Quảng Nam 2024 and Đà Nẵng 2026). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Build everything, then roll it back.")
        parser.add_argument("--print-logins", action="store_true", help="Only print the demo logins and the URL.")
        parser.add_argument("--port", default="8000", help="Port shown in the printed URL.")

    def handle(self, *args, dry_run=False, print_logins=False, port="8000", **options):
        if print_logins:
            self.print_logins(port)
            return
        with transaction.atomic():
            users = {
                username: self.ensure_user(username, role, code, name) for username, role, code, name in DEMO_USERS
            }
            if Project.objects.filter(code=MARKER_CODE).exists():
                self.log("Demo data already present; logins refreshed.")
            else:
                self.build(users)
                self.log(self.style.SUCCESS("Demo data created."))
            if dry_run:
                transaction.set_rollback(True)
                self.log("Dry run: rolled back.")

    def log(self, message: str) -> None:
        if self.verbosity_level >= 1:
            self.stdout.write(message)

    @property
    def verbosity_level(self) -> int:
        return getattr(self, "_verbosity", 1)

    def execute(self, *args, **options):
        self._verbosity = options.get("verbosity", 1)
        return super().execute(*args, **options)

    def print_logins(self, port: str) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Khuyến công tracker: http://127.0.0.1:{port}/admin/"))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, code, _name in DEMO_USERS:
            where = f" – {Province.objects.get(code=code, valid_to__isnull=True).name}" if code else ""
            self.stdout.write(f"  {username:<22} {Role(role).label}{where}")
        self.stdout.write("")

    # --- building -------------------------------------------------------------------------------

    def ensure_user(self, username: str, role: str, code: str | None, full_name: str):
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.first_name = full_name
            user.save()
        province = Province.objects.get(code=code, valid_to__isnull=True) if code else None
        return services.user_set_role(user=user, role=role, province=province)

    def build(self, users) -> None:
        author = users["thanhhoa.chuyenvien"]
        manager = users["thanhhoa.lanhdao"]
        old_thanh_hoa = Province.objects.get(code="38", valid_to=d(30, 6, 2025))
        local_scheme = self.local_scheme(
            old_thanh_hoa, "Quyết định số 1562/QĐ-UBND ngày 12/5/2021 của UBND tỉnh Thanh Hóa"
        )
        national_scheme = Scheme.objects.get(code="KCQG-2021-2025")

        local_plan = self.plan(
            local_scheme,
            old_thanh_hoa,
            2024,
            "125/QĐ-UBND",
            "UBND tỉnh Thanh Hóa",
            d(10, 1),
            [("ND45-3", 2250, 8), ("ND45-4", 1027, 2)],
            manager,
        )
        national_plan = self.plan(
            national_scheme,
            old_thanh_hoa,
            2024,
            "3124/QĐ-BCT",
            "Bộ Công Thương",
            d(29, 12, 2023),
            [("ND45-3", 2050, 2), ("ND45-1", 400, 1), ("ND45-4", 500, 1)],
            manager,
        )
        # The year's targets (chỉ tiêu) of the local plan's lines.
        for content, kind, planned in (("ND45-3", "CS_MMTB", 8), ("ND45-4", "GIAN_HANG", 24)):
            services.indicator_save(
                indicator=Indicator(
                    plan=local_plan,
                    content=ActivityContent.objects.get(code=content),
                    kind=IndicatorKind.objects.get(code=kind),
                    planned=planned,
                ),
                user=manager,
            )
        for spec in LOCAL_PROJECTS:
            self.project(local_plan, spec, manager, author, first_half=spec.accepted <= d(30, 6))
        for spec in NATIONAL_PROJECTS:
            self.project(national_plan, spec, manager, author, contracted_with_cuc=True)
        self.other_programmes(old_thanh_hoa, manager, author)
        thanh_hoa = Province.objects.get(code="38", valid_to__isnull=True)
        th_2026 = self.plan(
            self.local_scheme(thanh_hoa, "Nghị quyết số 18/2025/NQ-HĐND ngày 10/12/2025 của HĐND tỉnh Thanh Hóa",
                              (2026, 2030)),
            thanh_hoa, 2026, "95/QĐ-UBND", "UBND tỉnh Thanh Hóa", d(15, 1, 2026), [("ND45-3", 1200, 3)], manager,
        )  # fmt: skip
        for spec in THANH_HOA_2026_PROJECTS:
            self.project(th_2026, spec, manager, author, finished=False)

        danang_author, danang_manager = users["danang.chuyenvien"], users["danang.lanhdao"]
        old_quang_nam = Province.objects.get(code="49", valid_to=d(30, 6, 2025))
        qna_plan = self.plan(
            self.local_scheme(old_quang_nam, "Quyết định số 2230/QĐ-UBND ngày 20/8/2021 của UBND tỉnh Quảng Nam"),
            old_quang_nam,
            2024,
            "310/QĐ-UBND",
            "UBND tỉnh Quảng Nam",
            d(5, 2),
            [("ND45-3", 450, 2)],
            danang_manager,
        )
        for spec in QUANG_NAM_PROJECTS:
            self.project(qna_plan, spec, danang_manager, danang_author)
        danang = Province.objects.get(code="48", valid_to__isnull=True)
        danang_scheme = self.local_scheme(
            danang, "Quyết định số 45/QĐ-UBND ngày 15/1/2026 của UBND thành phố Đà Nẵng", (2026, 2030)
        )
        danang_plan = self.plan(
            danang_scheme,
            danang,
            2026,
            "120/QĐ-UBND",
            "UBND thành phố Đà Nẵng",
            d(20, 1, 2026),
            [("ND45-3", 900, 3)],
            danang_manager,
        )
        for spec in DANANG_PROJECTS:
            self.project(danang_plan, spec, danang_manager, danang_author, finished=False)

    def other_programmes(self, province: Province, manager, author) -> None:
        """Beside khuyến công, what a centre also runs: energy saving (never counted as khuyến công)
        and paid consultancy with its revenue (Biểu 06 of a report asked for it)."""
        scheme, _ = Scheme.objects.get_or_create(
            code=f"TKNL-{province.code}-2021-2025",
            defaults={
                "name": f"Chương trình sử dụng năng lượng tiết kiệm và hiệu quả {province.name} giai đoạn 2021–2025",
                "level": SchemeLevel.LOCAL,
                "province": province,
                "legal_basis": "Quyết định số 280/QĐ-TTg ngày 13/3/2019 của Thủ tướng Chính phủ",
                "start_year": 2021,
                "end_year": 2025,
                "programme": Programme.ENERGY_EFFICIENCY,
            },
        )
        plan = self.plan(scheme, province, 2024, "87/QĐ-UBND", "UBND tỉnh Thanh Hóa", d(20, 1),
                         [("ND45-3", 450, 1)], manager)  # fmt: skip
        self.project(plan, ENERGY_PROJECT, manager, author, first_half=True)
        for service, contracts, revenue in CONSULTANCY:
            if not ConsultancyService.objects.filter(province=province, year=2024, service=service).exists():
                services.save(
                    ConsultancyService(
                        province=province, year=2024, service=service, contracts=contracts, revenue=revenue * TRIEU
                    ),
                    user=author,
                )

    @staticmethod
    def output_of(content: str, facilities: int) -> tuple[IndicatorKind, int]:
        """The output a demo đề án reports (Biểu 02): facilities equipped, trainees, booths."""
        code, planned = {"ND45-3": ("CS_MMTB", max(facilities, 1)), "ND45-1": ("LD_DAO_TAO", 35)}.get(
            content, ("GIAN_HANG", 12)
        )
        return IndicatorKind.objects.get(code=code), planned

    def local_scheme(self, province: Province, legal_basis: str, years=(2021, 2025)) -> Scheme:
        scheme, _ = Scheme.objects.get_or_create(
            code=f"KCDP-{province.code}-{years[0]}-{years[1]}",
            defaults={
                "name": f"Chương trình khuyến công {province.name} giai đoạn {years[0]}–{years[1]}",
                "level": SchemeLevel.LOCAL,
                "province": province,
                "legal_basis": legal_basis,
                "start_year": years[0],
                "end_year": years[1],
            },
        )
        return scheme

    def plan(self, scheme, province, year, number, issuer, date, lines, approver) -> Plan:
        plan = Plan.objects.filter(scheme=scheme, province=province, year=year).first()
        if plan is None:  # On a database that has generated data, add to its plan.
            plan = Plan(
                scheme=scheme,
                province=province,
                year=year,
                status=Plan.Status.APPROVED,
                decision_number=number,
                decision_issuer=issuer,
                decision_date=date,
                note="Dữ liệu minh họa dựng theo số liệu báo cáo đã công bố." if province.code == "38" else "",
            )
            services.plan_save(plan=plan, user=approver)
        for code, trieu, count in lines:
            PlanLine.objects.get_or_create(
                plan=plan,
                content=ActivityContent.objects.get(code=code),
                defaults={"planned_amount": trieu * TRIEU, "planned_projects": count},
            )
        return plan

    def facility(self, name: str, province: Province, district: str) -> Facility:
        facility = Facility.objects.filter(name=name).first()
        if facility:
            return facility
        commune = province.current.communes.order_by("code")[Facility.objects.count() % 40]
        facility = Facility(
            name=name,
            kind=Facility.Kind.COOPERATIVE
            if name.startswith("HTX")
            else (Facility.Kind.SME if name.startswith("Công ty") else Facility.Kind.HOUSEHOLD_BUSINESS),
            tax_code=f"{province.code}{Facility.objects.count() + 1:08d}" if not name.startswith("Cơ sở") else None,
            province=province.current,
            commune=commune,
            address=f"{commune.name}, {province.current.name}",
            historic_district=district,
            industry=Facility.Industry.PROCESSING,
            workforce=12 + Facility.objects.count() * 3,
        )
        # Hiệu quả sau hỗ trợ (Biểu 05): the year before support and the year after, as provinces publish.
        workers = facility.workforce
        facility.revenue_before, facility.revenue_after = workers * 90 * TRIEU, workers * 117 * TRIEU
        facility.assets_before, facility.assets_after = workers * 60 * TRIEU, workers * 75 * TRIEU
        facility.workers_before, facility.workers_after = workers, workers + 4
        facility.products_before, facility.products_after = 2, 3
        facility.impact_year_before, facility.impact_year_after = 2023, 2025
        facility.full_clean()
        facility.save()
        return facility

    def project(
        self, plan, spec: DemoProject, approver, author, *, first_half=False, contracted_with_cuc=False, finished=True
    ) -> Project:
        year = plan.year
        implementing = Organisation.objects.get(
            province=plan.province.current, kind=Organisation.Kind.PROVINCIAL_CENTRE
        )
        project = Project(
            plan=plan,
            code=spec.code,
            name=spec.name,
            content=ActivityContent.objects.get(code=spec.content),
            implementing_unit=implementing,
            location=spec.location,
            historic_district=spec.district,
            is_group=bool(spec.group_facilities),
            kc_support=spec.support_trieu * TRIEU,
            counterpart_funds=spec.counterpart_trieu * TRIEU,
            registered_on=d(15, 1, year),
            appraised_on=d(5, 2, year) if not first_half else d(25, 1, year),
            decision_number=f"{spec.code.split('-')[-1]}/QĐ-{'BCT' if contracted_with_cuc else 'SCT'}",
            decision_issuer="Bộ Công Thương"
            if contracted_with_cuc
            else plan.decision_issuer.replace("UBND", "Sở Công Thương"),
            decision_date=d(1, 2, year) if first_half else d(1, 3, year),
            start_date=d(1, 2, year) if first_half else d(1, 3, year),
            end_date=spec.accepted,
            status=ProjectStatus.APPRAISED,
        )
        # Staff register and prepare the đề án; the manager approves it.
        services.project_save(project=project, user=author)
        project.status = ProjectStatus.APPROVED
        services.project_save(project=project, user=approver)
        facilities = [self.facility(name, plan.province, spec.district) for name in spec.group_facilities] or (
            [self.facility(spec.facility, plan.province, spec.district)] if spec.facility else []
        )
        for facility in facilities:
            share = project.kc_support // len(facilities)
            services.beneficiary_save(
                beneficiary=Beneficiary(
                    project=project,
                    facility=facility,
                    support_amount=share,
                    counterpart_amount=project.counterpart_funds // len(facilities),
                ),
                # The beneficiary list of an approved group đề án is the manager's to approve.
                user=approver if project.is_group else author,
            )
        source = (
            Disbursement.Source.CENTRAL if plan.scheme.level == SchemeLevel.NATIONAL else Disbursement.Source.PROVINCIAL
        )
        contract_day = d(1, 3, year) if first_half else d(15, 3, year)
        project.contracted_on = contract_day
        project.started_on = contract_day + datetime.timedelta(days=5)
        project.status = ProjectStatus.IN_PROGRESS
        services.project_save(project=project, user=approver)

        # Advance 70 % once under way, the rest after acceptance (TT 36/2013 Điều 13–16).
        advance = project.kc_support * 70 // 100
        advance_day = d(15, 4, year) if first_half else d(5, 8, year)
        if not finished:
            advance_day = min(spec.accepted, d(20, 5, year))
        services.disbursement_create(
            project=project,
            paid_on=advance_day,
            amount=advance,
            source=source,
            kind=Disbursement.Kind.ADVANCE,
            voucher_number=f"TU-{spec.code}",
            user=author,
        )
        kind, planned = self.output_of(spec.content, len(facilities))
        output = Indicator(project=project, kind=kind, planned=planned)
        if not finished:
            services.indicator_save(indicator=output, user=author)
            return project
        project.accepted_on = spec.accepted
        project.status = ProjectStatus.ACCEPTED
        services.project_save(project=project, user=approver)
        output.achieved, output.achieved_on = planned, spec.accepted
        services.indicator_save(indicator=output, user=author)
        services.disbursement_create(
            project=project,
            paid_on=spec.accepted + datetime.timedelta(days=3),
            amount=project.kc_support - advance,
            source=source,
            kind=Disbursement.Kind.PAYMENT,
            voucher_number=f"TT-{spec.code}",
            facility=facilities[0] if len(facilities) == 1 else None,
            user=author,
        )
        # Settled within 20 days (national đề án by 22/01 of the next year at the latest).
        project.settled_on = spec.accepted + datetime.timedelta(days=20)
        project.status = ProjectStatus.SETTLED
        services.project_save(project=project, user=approver)
        return project
