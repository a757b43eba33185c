from decimal import Decimal

from django.utils import translation

from programmes.lib.formatting import money, percent, ratio


def test_money_uses_vietnamese_grouping():
    with translation.override("vi"):
        assert money(1234567) == "1.234.567"
        assert money(0) == "0"


def test_money_uses_english_grouping_in_english():
    with translation.override("en"):
        assert money(1234567) == "1,234,567"


def test_percent_is_rounded_once_at_display():
    with translation.override("vi"):
        assert percent(ratio(3316, 10000)) == "33,16%"
        assert percent(ratio(1, 3)) == "33,33%"
        assert percent(ratio(2, 3)) == "66,67%"
        assert percent(ratio(5, 0)) == "–"


def test_ratio_is_exact():
    assert ratio(1, 8) == Decimal("12.5")


def test_a_decision_is_cited_as_in_official_documents():
    import datetime

    from programmes.models import Plan

    plan = Plan(
        decision_number="1282/QĐ-UBND", decision_issuer="UBND tỉnh Hòa Bình", decision_date=datetime.date(2023, 6, 15)
    )
    with translation.override("vi"):
        assert plan.decision_citation == "Quyết định số 1282/QĐ-UBND ngày 15/6/2023 của UBND tỉnh Hòa Bình"


def test_download_names_keep_the_d_of_dong():
    from programmes.lib.text import file_slug

    assert file_slug("Thành phố Đà Nẵng") == "thanh-pho-da-nang"  # Django's slugify alone: "thanh-pho-a-nang"
    assert file_slug("Đắk Lắk") == "dak-lak"
    assert file_slug("15/BC-SCT") == "15bc-sct"
