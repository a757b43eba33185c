"""Reference data installed by `migrate` itself: provinces with their lineage, communes, contents."""

import datetime

import pytest
from django.contrib.auth.models import Group

from programmes.lib.text import search_key
from programmes.models import ActivityContent, Commune, Organisation, Province, Scheme

pytestmark = pytest.mark.django_db


def test_it_installs_the_63_units_before_the_merger_and_the_34_after():
    assert Province.objects.valid_on(datetime.date(2024, 6, 1)).count() == 63
    assert Province.objects.valid_on(datetime.date(2025, 6, 30)).count() == 63
    assert Province.objects.valid_on(datetime.date(2025, 7, 1)).count() == 34
    assert Province.objects.current_units().count() == 34


def test_a_code_is_resolved_with_a_date():
    assert Province.objects.resolve("52", datetime.date(2024, 5, 1)).name == "Bình Định"
    assert Province.objects.resolve("52", datetime.date(2025, 7, 1)).name == "Gia Lai"
    assert Province.objects.resolve("80", datetime.date(2025, 6, 30)).name == "Long An"
    assert Province.objects.resolve("80", datetime.date(2026, 1, 1)).name == "Tây Ninh"
    with pytest.raises(Province.DoesNotExist):
        Province.objects.resolve("49", datetime.date(2025, 8, 1))  # Quảng Nam is gone


def test_each_old_unit_leads_to_its_unit_of_today():
    danang = Province.objects.get(code="48", valid_to__isnull=True)
    assert sorted(p.name for p in danang.lineage.exclude(pk=danang.pk)) == ["Quảng Nam", "Thành phố Đà Nẵng"]
    phu_tho = Province.objects.get(code="25", valid_to__isnull=True)
    assert sorted(p.name for p in phu_tho.lineage.exclude(pk=phu_tho.pk)) == ["Hòa Bình", "Phú Thọ", "Vĩnh Phúc"]
    old_binh_thuan = Province.objects.get(code="60")
    assert old_binh_thuan.successor.name == "Lâm Đồng" and old_binh_thuan.region == "nam"
    assert old_binh_thuan.successor.region == "trung"


def test_hue_became_a_city_before_the_merger():
    chain = Province.objects.filter(code="46").order_by("valid_to")
    # Ordered by valid_to: 31/12/2024, 30/06/2025, still valid.
    old, city, today = sorted(chain, key=lambda p: p.valid_to or datetime.date.max)
    assert (old.name, old.kind, old.valid_to) == ("Thừa Thiên Huế", "tinh", datetime.date(2024, 12, 31))
    assert (city.name, city.kind, city.valid_from) == ("Thành phố Huế", "thanh_pho", datetime.date(2025, 1, 1))
    assert old.successor == city and city.successor == today and old.current == today


def test_regions_count_28_15_20_before_the_merger():
    before = Province.objects.valid_on(datetime.date(2024, 1, 1))
    assert before.filter(region="bac").count() == 28
    assert before.filter(region="trung").count() == 15
    assert before.filter(region="nam").count() == 20


def test_it_installs_the_communes_of_today():
    assert Commune.objects.count() == 3321
    assert not Commune.objects.exclude(province__valid_to__isnull=True).exists()


def test_it_installs_the_versioned_activity_contents():
    assert list(ActivityContent.objects.filter(catalogue__code="ND45").values_list("code", flat=True)) == [
        f"ND45-{n}" for n in range(1, 10)
    ]
    assert ActivityContent.objects.filter(catalogue__code="QD1881").count() == 7
    assert ActivityContent.objects.get(code="ND45-3").group.code == "QD1881-1"


def test_it_installs_the_main_bodies_and_national_schemes():
    assert Organisation.objects.filter(kind="so", province__valid_to__isnull=True).count() == 34
    assert Organisation.objects.filter(name="Sở Công Thương Quảng Nam").exists()
    assert Organisation.objects.filter(kind="tt_vung").count() == 3
    assert set(Scheme.objects.values_list("code", flat=True)) >= {"KCQG-2021-2025", "KCQG-2026-2030"}


def test_it_creates_the_role_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "province_staff",
        "province_manager",
        "ministry_reviewer",
    }
    reviewer = Group.objects.get(name="ministry_reviewer")
    assert all(code.startswith("view_") for code in reviewer.permissions.values_list("codename", flat=True))


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Quảng Nam", "quang nam"),
        ("ĐẮK LẮK", "dak lak"),
        ("Thừa  Thiên   Huế", "thua thien hue"),
        ("Hòa Bình", "hoa binh"),
    ],
)
def test_search_keys_ignore_accents_and_case(text, key):
    assert search_key(text) == key


def test_reloading_the_reference_data_changes_nothing():
    from django.core.management import call_command

    before = (Province.objects.count(), Commune.objects.count(), Organisation.objects.count())
    call_command("load_reference_data", verbosity=0)
    assert (Province.objects.count(), Commune.objects.count(), Organisation.objects.count()) == before
