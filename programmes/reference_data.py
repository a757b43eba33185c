"""Reference data every database needs: provinces (before and after 1/7/2025), communes, the
activity-content catalogues, national bodies and schemes, the support items and the confirmed KCQG caps.

`install_reference_data(apps)` is idempotent: migration 0003 runs it, and so can
`manage.py load_reference_data` after a newer `vietnam-provinces` release.
Sources: shared/domain.md §2 and §5; fixtures/provinces-before-2025-07-01.csv (Nghị quyết
202/2025/QH15); the `vietnam-provinces` package for the 34 units of today and their communes.
"""

from __future__ import annotations

import csv
import datetime
from decimal import Decimal
from pathlib import Path

from .lib.text import search_key
from .units import MERGER_DATE

OLD_PROVINCES_CSV = Path(__file__).resolve().parent.parent / "fixtures" / "provinces-before-2025-07-01.csv"
LAST_DAY_BEFORE_MERGER = datetime.date(2025, 6, 30)
# Thừa Thiên Huế (tỉnh) became Thành phố Huế (centrally-run city) on 1/1/2025, before the merger.
HUE_CODE = "46"
HUE_CITY_FROM = datetime.date(2025, 1, 1)

REGION_BY_LABEL = {"Bắc": "bac", "Trung – Tây Nguyên": "trung", "Nam": "nam"}
KIND_BY_LABEL = {"tỉnh": "tinh", "thành phố trung ương": "thanh_pho"}

CATALOGUES = [
    {
        "code": "ND45",
        "name": "Nội dung hoạt động khuyến công (Nghị định 45/2012/NĐ-CP, Điều 4)",
        "legal_basis": "Nghị định số 45/2012/NĐ-CP ngày 21/5/2012 của Chính phủ về khuyến công",
        "valid_from": datetime.date(2012, 7, 5),
        "valid_to": None,
    },
    {
        "code": "QD1881",
        "name": "Nhóm nội dung Chương trình khuyến công quốc gia giai đoạn 2021–2025",
        "legal_basis": "Quyết định số 1881/QĐ-TTg ngày 20/11/2020 của Thủ tướng Chính phủ",
        "valid_from": datetime.date(2021, 1, 1),
        "valid_to": datetime.date(2025, 12, 31),
    },
]

QD1881_GROUPS = [
    (
        1,
        "Hỗ trợ xây dựng mô hình trình diễn kỹ thuật, chuyển giao công nghệ và ứng dụng máy móc tiên tiến, "
        "tiến bộ khoa học kỹ thuật vào sản xuất công nghiệp – tiểu thủ công nghiệp",
        "Mô hình trình diễn, chuyển giao công nghệ, máy móc thiết bị",
    ),
    (
        2,
        "Hỗ trợ xây dựng mô hình thí điểm về áp dụng sản xuất sạch hơn, xây dựng hệ thống xử lý ô nhiễm "
        "môi trường cho cơ sở công nghiệp nông thôn",
        "Sản xuất sạch hơn, xử lý ô nhiễm môi trường",
    ),
    (3, "Hỗ trợ phát triển sản phẩm công nghiệp nông thôn", "Phát triển sản phẩm CNNT"),
    (
        4,
        "Hỗ trợ liên doanh, liên kết, tham gia cụm liên kết ngành, chuỗi giá trị, hợp tác đầu tư phát triển "
        "các cụm công nghiệp",
        "Liên doanh, liên kết, cụm công nghiệp",
    ),
    (
        5,
        "Hỗ trợ phát triển nguồn nhân lực có chất lượng, nâng cao năng lực quản lý, tư vấn, trợ giúp các cơ sở "
        "công nghiệp nông thôn",
        "Nguồn nhân lực, năng lực quản lý, tư vấn",
    ),
    (6, "Hỗ trợ tư vấn thông tin phát triển công nghiệp nông thôn, công tác truyền thông", "Thông tin, truyền thông"),
    (7, "Nâng cao năng lực tổ chức thực hiện các hoạt động khuyến công", "Năng lực tổ chức thực hiện khuyến công"),
]

# (number, name, short name, QĐ 1881 group it is reported under)
ND45_CONTENTS = [
    (1, "Đào tạo nghề, truyền nghề theo nhu cầu của các cơ sở công nghiệp nông thôn", "Đào tạo nghề, truyền nghề", 5),
    (2, "Nâng cao năng lực quản lý doanh nghiệp và áp dụng sản xuất sạch hơn", "Nâng cao năng lực quản lý, SXSH", 5),
    (
        3,
        "Xây dựng mô hình trình diễn kỹ thuật; chuyển giao công nghệ và ứng dụng máy móc tiên tiến, "
        "tiến bộ khoa học kỹ thuật vào sản xuất",
        "Mô hình trình diễn, ứng dụng máy móc thiết bị",
        1,
    ),
    (
        4,
        "Phát triển sản phẩm công nghiệp nông thôn tiêu biểu (bình chọn, hội chợ triển lãm, thương hiệu, "
        "phòng trưng bày)",
        "Phát triển sản phẩm CNNT tiêu biểu",
        3,
    ),
    (5, "Tư vấn trợ giúp cơ sở công nghiệp nông thôn", "Tư vấn trợ giúp cơ sở CNNT", 5),
    (6, "Cung cấp thông tin (thông tin tuyên truyền)", "Cung cấp thông tin, tuyên truyền", 6),
    (
        7,
        "Hỗ trợ liên doanh liên kết, hợp tác kinh tế, phát triển cụm công nghiệp và di dời cơ sở gây ô nhiễm "
        "môi trường",
        "Liên doanh liên kết, cụm công nghiệp",
        4,
    ),
    (8, "Hợp tác quốc tế về khuyến công", "Hợp tác quốc tế", None),
    (
        9,
        "Nâng cao năng lực quản lý và tổ chức thực hiện hoạt động khuyến công",
        "Năng lực quản lý, tổ chức thực hiện",
        7,
    ),
]

NATIONAL_ORGANISATIONS = [
    # (name, short name, kind, parent name)
    ("Bộ Công Thương", "BCT", "bo", None),
    ("Cục Công Thương địa phương", "Cục CTĐP", "cuc", "Bộ Công Thương"),
    ("Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công", "Cục ĐMST, CĐX&KC", "cuc", "Bộ Công Thương"),
    (
        "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp 1",
        "Trung tâm KC&TVPTCN 1",
        "tt_vung",
        "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công",
    ),
    (
        "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp 2",
        "Trung tâm KC&TVPTCN 2",
        "tt_vung",
        "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công",
    ),
    (
        "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp 3",
        "Trung tâm KC&TVPTCN 3",
        "tt_vung",
        "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công",
    ),
]

NATIONAL_SCHEMES = [
    (
        "KCQG-2014-2020",
        "Chương trình khuyến công quốc gia đến năm 2020",
        "Quyết định số 1288/QĐ-TTg ngày 01/8/2014 của Thủ tướng Chính phủ",
        2014,
        2020,
    ),
    (
        "KCQG-2021-2025",
        "Chương trình khuyến công quốc gia giai đoạn 2021–2025",
        "Quyết định số 1881/QĐ-TTg ngày 20/11/2020 của Thủ tướng Chính phủ",
        2021,
        2025,
    ),
    (
        "KCQG-2026-2030",
        "Chương trình khuyến công quốc gia giai đoạn 2026–2030",
        "Quyết định số 2646/QĐ-BCT ngày 23/9/2025 của Bộ trưởng Bộ Công Thương",
        2026,
        2030,
    ),
]


def bare_name(name: str) -> str:
    """Return a province name without its "Thành phố" prefix: "Thành phố Huế" → "Huế"."""
    return name.removeprefix("Thành phố ").strip()


def provincial_bodies(name: str, kind: str) -> list[tuple[str, str, str]]:
    """Return (name, short name, kind) of the Sở, its promotion centre and the UBND of a province."""
    bare = bare_name(name)
    level = "tỉnh" if kind == "tinh" else "thành phố"
    return [
        (f"Sở Công Thương {bare}", f"SCT {bare}", "so"),
        (f"Trung tâm Khuyến công {level} {bare}", f"TTKC {bare}", "tt_tinh"),
        (f"UBND {level} {bare}", f"UBND {bare}", "ubnd"),
    ]


def _upsert(model, lookup: dict, values: dict):
    obj, _created = model.objects.update_or_create(**lookup, defaults=values)
    return obj


def install_provinces(Province, Commune) -> None:
    import vietnam_provinces as vp

    with OLD_PROVINCES_CSV.open(encoding="utf-8") as handle:
        old_rows = list(csv.DictReader(handle))
    region_by_old_code = {row["ma_tinh_cu"]: REGION_BY_LABEL[row["vung_khuyen_cong"]] for row in old_rows}

    new_units = {}
    for unit in vp.Province.iter_all():
        code = f"{int(unit.code):02d}"
        kind = "tinh" if unit.division_type == vp.VietNamDivisionType.TINH else "thanh_pho"
        # A new unit carries the code of one of its predecessors; its region is that predecessor's.
        province = _upsert(
            Province,
            {"code": code, "valid_to": None},
            {
                "name": unit.name,
                "kind": kind,
                "region": region_by_old_code[code],
                "valid_from": MERGER_DATE,
                "successor": None,
                "search_text": search_key(code, unit.name),
            },
        )
        if province.current_id != province.pk:
            province.current = province
            province.save(update_fields=["current"])
        new_units[code] = province

    for row in old_rows:
        code, successor = row["ma_tinh_cu"], new_units[row["ma_tinh_moi"]]
        values = {
            "name": row["ten_tinh_cu"],
            "kind": KIND_BY_LABEL[row["loai"]],
            "region": REGION_BY_LABEL[row["vung_khuyen_cong"]],
            "valid_from": None,
            "successor": successor,
            "current": successor,
            "search_text": search_key(code, row["ten_tinh_cu"]),
        }
        if code == HUE_CODE:
            city = _upsert(
                Province,
                {"code": code, "valid_to": LAST_DAY_BEFORE_MERGER},
                {
                    **values,
                    "name": "Thành phố Huế",
                    "kind": "thanh_pho",
                    "valid_from": HUE_CITY_FROM,
                    "search_text": search_key(code, "Thành phố Huế"),
                },
            )
            _upsert(
                Province,
                {"code": code, "valid_to": HUE_CITY_FROM - datetime.timedelta(days=1)},
                {**values, "successor": city},
            )
        else:
            _upsert(Province, {"code": code, "valid_to": LAST_DAY_BEFORE_MERGER}, values)

    kinds = {"xã": "xa", "phường": "phuong", "đặc khu": "dac_khu"}
    existing = set(Commune.objects.values_list("code", flat=True))
    communes = []
    for ward in vp.Ward.iter_all():
        code = f"{int(ward.code):05d}"
        if code in existing:
            continue
        communes.append(
            Commune(
                code=code,
                name=ward.name,
                kind=kinds[ward.division_type.value],
                province=new_units[f"{int(ward.province_code):02d}"],
                search_text=search_key(code, ward.name),
            )
        )
    Commune.objects.bulk_create(communes, batch_size=1000)


def install_catalogues(ActivityCatalogue, ActivityContent) -> None:
    catalogues = {
        entry["code"]: _upsert(
            ActivityCatalogue, {"code": entry["code"]}, {k: v for k, v in entry.items() if k != "code"}
        )
        for entry in CATALOGUES
    }
    groups = {}
    for number, name, short_name in QD1881_GROUPS:
        code = f"QD1881-{number}"
        groups[number] = _upsert(
            ActivityContent,
            {"code": code},
            {
                "catalogue": catalogues["QD1881"],
                "number": number,
                "name": name,
                "short_name": short_name,
                "search_text": search_key(code, name, short_name),
            },
        )
    for number, name, short_name, group in ND45_CONTENTS:
        code = f"ND45-{number}"
        _upsert(
            ActivityContent,
            {"code": code},
            {
                "catalogue": catalogues["ND45"],
                "number": number,
                "name": name,
                "short_name": short_name,
                "group": groups.get(group),
                "search_text": search_key(code, name, short_name),
            },
        )


def install_organisations(Organisation, Province) -> None:
    by_name = {}
    for name, short_name, kind, parent in NATIONAL_ORGANISATIONS:
        by_name[name] = _upsert(
            Organisation,
            {"name": name, "kind": kind},
            {
                "short_name": short_name,
                "province": None,
                "parent": by_name.get(parent),
                "search_text": search_key(name, short_name),
            },
        )
    for province in Province.objects.filter(valid_to__isnull=True):
        _install_provincial_bodies(Organisation, province)
    # Bodies of the provinces that merged away keep their own records (Sở Công Thương Quảng Nam …).
    for province in Province.objects.filter(valid_to__isnull=False).select_related("successor"):
        if bare_name(province.name) != bare_name(province.successor.name):
            _install_provincial_bodies(Organisation, province)


def _install_provincial_bodies(Organisation, province) -> None:
    department = None
    for name, short_name, kind in provincial_bodies(province.name, province.kind):
        body = _upsert(
            Organisation,
            {"name": name, "kind": kind},
            {
                "short_name": short_name,
                "province": province,
                "parent": department if kind == "tt_tinh" else None,
                "search_text": search_key(name, short_name),
            },
        )
        if kind == "so":
            department = body


def install_schemes(Scheme) -> None:
    for code, name, legal_basis, start_year, end_year in NATIONAL_SCHEMES:
        _upsert(
            Scheme,
            {"code": code},
            {
                "name": name,
                "level": "kcqg",
                "province": None,
                "legal_basis": legal_basis,
                "start_year": start_year,
                "end_year": end_year,
                "search_text": search_key(code, name),
            },
        )


# The outputs reports carry beside money (report-layout.md §1d, Biểu 02): (code, order, name, unit).
INDICATOR_KINDS = [
    ("LD_DAO_TAO", 1, "Lao động được đào tạo, truyền nghề", "người"),
    ("TAP_HUAN", 2, "Lượt người được tập huấn, hội thảo", "lượt người"),
    ("MO_HINH", 3, "Mô hình trình diễn kỹ thuật", "mô hình"),
    ("CS_MMTB", 4, "Cơ sở được hỗ trợ máy móc thiết bị", "cơ sở"),
    ("SP_BINH_CHON", 5, "Sản phẩm công nghiệp nông thôn tiêu biểu được bình chọn", "sản phẩm"),
    ("HOI_CHO", 6, "Hội chợ, triển lãm", "hội chợ"),
    ("GIAN_HANG", 7, "Gian hàng được hỗ trợ", "gian hàng"),
    ("LD_VIEC_LAM", 8, "Lao động có việc làm", "người"),
]


def install_indicator_kinds(IndicatorKind) -> None:
    for code, number, name, unit in INDICATOR_KINDS:
        _upsert(IndicatorKind, {"code": code}, {"number": number, "name": name, "unit": unit})


# What support pays for (hạng mục hỗ trợ), the key of the caps in law: (code, order, name).
# support-caps.md: not the activity content (one content holds a 30 % model and 50 % machinery).
SUPPORT_ITEMS = [
    ("TLDN", 1, "Hỗ trợ thành lập doanh nghiệp sản xuất công nghiệp nông thôn"),
    ("MHTD", 2, "Xây dựng mô hình trình diễn kỹ thuật phổ biến công nghệ mới, sản xuất sản phẩm mới"),
    ("MMTB", 3, "Ứng dụng máy móc thiết bị tiên tiến, chuyển giao công nghệ"),
    ("MHCS", 4, "Mô hình cơ sở công nghiệp nông thôn đang hoạt động hiệu quả"),
    ("SXSH", 5, "Mô hình thí điểm áp dụng sản xuất sạch hơn"),
    ("XLON", 6, "Hệ thống xử lý ô nhiễm môi trường"),
    ("GHHC", 7, "Thuê gian hàng hội chợ, triển lãm"),
    ("NHSP", 8, "Đăng ký, xây dựng nhãn hiệu sản phẩm"),
    ("TVKT", 9, "Tư vấn, trợ giúp cơ sở công nghiệp nông thôn"),
    ("CCN", 10, "Lập quy hoạch, đầu tư hạ tầng cụm công nghiệp"),
]

TT28 = "Thông tư 28/2018/TT-BTC"
TT28_IN_FORCE = datetime.date(2018, 5, 11)
# The KCQG caps of TT 28/2018/TT-BTC that support-caps.md marks CONFIRMED, and only those (the
# others are entered when their text is read). Amounts in đồng.
NATIONAL_SUPPORT_CAPS = [
    {
        "item": "TLDN",
        "article": "",
        "clause": "",
        "percent": None,
        "percent_base": "",
        "amount": 10_000_000,
        "unit": "doanh_nghiep",
        "eligibility": "Chỉ ở địa bàn có điều kiện kinh tế - xã hội khó khăn, đặc biệt khó khăn.",
    },
    {
        "item": "MHTD",
        "article": "",
        "clause": "",
        "percent": Decimal("30"),
        "percent_base": "chi phí xây dựng mô hình (nhà xưởng, máy móc thiết bị, tài liệu quy trình)",
        "amount": 1_000_000_000,
        "unit": "mo_hinh",
        "eligibility": "",
    },
    {
        "item": "MMTB",
        "article": "Điều 8",
        "clause": "khoản 4",
        "percent": Decimal("50"),
        "percent_base": "chi phí máy móc thiết bị, chuyển giao công nghệ",
        "amount": 300_000_000,
        "unit": "co_so",
        "multiplier": Decimal("1.5"),
        "multiplier_condition": "day_chuyen",
        "eligibility": "Dây chuyền công nghệ: tối đa 1,5 lần mức hỗ trợ máy móc thiết bị.",
    },
]


def install_support_caps(SupportItem, SupportCap) -> None:
    items = {}
    for code, number, name in SUPPORT_ITEMS:
        items[code] = _upsert(
            SupportItem, {"code": code}, {"number": number, "name": name, "search_text": search_key(code, name)}
        )
    for cap in NATIONAL_SUPPORT_CAPS:
        values = {key: value for key, value in cap.items() if key != "item"}
        values.setdefault("multiplier", None)
        values.setdefault("multiplier_condition", "")
        _upsert(
            SupportCap,
            {"level": "kcqg", "province": None, "item": items[cap["item"]], "valid_from": TT28_IN_FORCE},
            {"document": TT28, "valid_to": None, **values},
        )


def install_reference_data(apps) -> None:
    Province = apps.get_model("programmes", "Province")
    install_provinces(Province, apps.get_model("programmes", "Commune"))
    install_catalogues(
        apps.get_model("programmes", "ActivityCatalogue"), apps.get_model("programmes", "ActivityContent")
    )
    install_organisations(apps.get_model("programmes", "Organisation"), Province)
    install_schemes(apps.get_model("programmes", "Scheme"))
    try:
        IndicatorKind = apps.get_model("programmes", "IndicatorKind")
    except LookupError:  # migration 0003 runs before the outputs existed (0011 installs them)
        return
    install_indicator_kinds(IndicatorKind)
    try:
        SupportItem, SupportCap = (
            apps.get_model("programmes", "SupportItem"),
            apps.get_model("programmes", "SupportCap"),
        )
    except LookupError:  # before migration 0018 (which installs them)
        return
    install_support_caps(SupportItem, SupportCap)
