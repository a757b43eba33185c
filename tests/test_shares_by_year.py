"""Multi-year đề án (issue 21, point 6): a đề án "giai đoạn 2022–2024" carries its share of each year,
and the figures of a plan year use that year's share — its approved money, its payments performed
against the year's plan (not money carried over), its row in Biểu 03 — and the database holds the
shares to the đề án's money at commit."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from programmes import lags, services
from programmes.allocations import Share, parse, spread, written
from programmes.lib.formatting import ratio
from programmes.models import Project, ProjectAllocation, ProjectStatus, SchemeLevel
from programmes.services.projects import _write_shares
from reports import figures, locks
from reports.periods import period_for
from tests.factories import PlanFactory, PlanLineFactory, content, disburse, old_province
from tests.report_data import TRIEU, d, project
from tests.test_report_windows import LINE_COLUMNS, added, columns, lines_of, summary_of

pytestmark = pytest.mark.django_db
S = ProjectStatus
LOCAL = SchemeLevel.LOCAL
MACHINERY = "ND45-3"


def shares(*amounts_trieu, first=2022, counterpart=None) -> list[Share]:
    counterpart = counterpart or amounts_trieu
    return [
        Share(first + number, amount * TRIEU, counterpart[number] * TRIEU)
        for number, amount in enumerate(amounts_trieu)
    ]


@pytest.fixture
def period_2022_2024(db):
    """Thanh Hóa (before the merger): a đề án "giai đoạn 2022–2024" of the 2022 plan, 900 triệu of
    support shared 300 / 400 / 200 (counterpart 150 / 200 / 100), paid in each of its years; and a
    2023 đề án of one year."""
    province = old_province("38")
    plans = {year: PlanFactory(province=province, year=year) for year in (2022, 2023, 2024)}
    for year, planned in ((2022, 300), (2023, 900), (2024, 200)):
        PlanLineFactory(
            plan=plans[year], content=content(MACHINERY), planned_amount=planned * TRIEU, planned_projects=1
        )
    phase = project(
        plans[2022],
        900,
        counterpart_funds=450 * TRIEU,
        started=d(2022, 4, 1),
        name="Xây dựng mô hình trình diễn giai đoạn 2022–2024",
        end_date=d(2024, 11, 30),
    )
    _write_shares(phase, shares(300, 400, 200, counterpart=(150, 200, 100)), None, "")
    disburse(phase, 200 * TRIEU, paid_on=d(2022, 6, 1))
    disburse(phase, 300 * TRIEU, paid_on=d(2023, 3, 1))
    disburse(phase, 100 * TRIEU, paid_on=d(2023, 9, 1))
    disburse(phase, 150 * TRIEU, paid_on=d(2024, 2, 1))
    single = project(plans[2023], 500, started=d(2023, 4, 1))
    disburse(single, 200 * TRIEU, paid_on=d(2023, 5, 1))
    return {"province": province, "phase": Project.objects.get(pk=phase.pk), "single": single, "plans": plans}


def local_line(summary):
    return lines_of(summary)[(LOCAL, MACHINERY)]


def approved(summary) -> int:
    return summary.status_total.approved[LOCAL]


def biểu_03(province, period) -> dict:
    return {
        row.code: row
        for row in figures.project_rows(figures.coverage(period, province=province))
        if isinstance(row, figures.ProjectRow)
    }


def test_each_year_counts_its_share_and_its_payments_against_its_plan(period_2022_2024):
    province, phase = period_2022_2024["province"], period_2022_2024["phase"]
    assert phase.final_year == 2024
    year_2022, year_2023, first_half_2024 = (
        summary_of(province, period_for(2022, "year")),
        summary_of(province, period_for(2023, "year")),
        summary_of(province, period_for(2024, "h1")),
    )
    assert approved(year_2022) == 300 * TRIEU
    assert approved(year_2023) == (400 + 500) * TRIEU
    assert approved(first_half_2024) == 200 * TRIEU
    assert local_line(year_2022).counterpart == 150 * TRIEU
    assert local_line(year_2023).counterpart == (200 + 500) * TRIEU

    # The payments of 2023 and 2024 on the 2022 đề án are performed against those years' plans.
    line = local_line(year_2023)
    assert (line.performed, line.cumulative, line.carried_over) == (600 * TRIEU, 600 * TRIEU, 0)
    assert year_2023.carry_over.performed == 0
    assert line.percent_of_plan == ratio(600, 900)
    assert local_line(first_half_2024).performed == 150 * TRIEU
    assert first_half_2024.carry_over.performed == 0
    assert year_2023.status_total.paid[LOCAL] == 600 * TRIEU
    # Started in 2022: not counted again as started in 2023.
    assert line.started == 1

    # Same period last year: 2024's H1 against 2023's H1 payments on the đề án with a 2023 share.
    assert local_line(first_half_2024).last_year == (300 + 200) * TRIEU


def test_a_window_over_its_years_is_the_sum_of_their_reports(period_2022_2024):
    province = period_2022_2024["province"]
    window = period_for(2024, "custom", date_from=d(2022, 1, 1), date_until=d(2024, 6, 30))
    assert columns(summary_of(province, window)) == added(
        summary_of(province, period_for(2022, "year")),
        summary_of(province, period_for(2023, "year")),
        summary_of(province, period_for(2024, "h1")),
    )
    assert set(LINE_COLUMNS) >= {"performed", "carried_over"}


def test_the_status_page_figures_use_the_share_too(period_2022_2024):
    cov = figures.coverage(period_for(2023, "year"), province=period_2022_2024["province"])
    quick = figures.summary(cov, comparisons=False, counts_on=d(2023, 12, 31))
    assert approved(quick) == 900 * TRIEU
    assert quick.status_total.paid[LOCAL] == 600 * TRIEU
    assert quick.status_total.projects == 2  # the 2022 đề án is listed by the 2023 report


def test_biểu_03_lists_the_đề_án_in_each_of_its_years_with_that_years_share(period_2022_2024):
    province, phase = period_2022_2024["province"], period_2022_2024["phase"]
    row = biểu_03(province, period_for(2023, "year"))[phase.code]
    assert (row.support, row.counterpart, row.total_cost) == (400 * TRIEU, 200 * TRIEU, 600 * TRIEU)
    assert (row.paid_in_period, row.paid_to_date) == (400 * TRIEU, 400 * TRIEU)
    assert row.percent_paid == 100
    assert "Giai đoạn 2022–2024, phần năm 2023" in row.note
    assert "Chuyển tiếp" not in row.note
    first = biểu_03(province, period_for(2022, "year"))[phase.code]
    assert (first.support, first.paid_to_date) == (300 * TRIEU, 200 * TRIEU)
    window = biểu_03(province, period_for(2023, "custom", date_from=d(2022, 1, 1), date_until=d(2023, 12, 31)))
    assert (window[phase.code].support, window[phase.code].paid_to_date) == (700 * TRIEU, 600 * TRIEU)
    # After its last year it is carried over like any đề án of an earlier plan.
    plan_2025 = PlanFactory(province=province, year=2025)
    disburse(project(plan_2025, 100), 10 * TRIEU, paid_on=d(2025, 3, 1))
    assert phase.code not in biểu_03(province, period_for(2025, "h1"))


def test_an_adjustment_changes_the_share_of_the_year_it_applies_in(period_2022_2024, thanhhoa_manager):
    province, phase = period_2022_2024["province"], period_2022_2024["phase"]
    services.project_adjust(
        project=phase,
        decision_number="88/QĐ-UBND",
        decision_issuer="UBND tỉnh",
        decision_date=d(2023, 9, 20),
        effective_on=d(2023, 10, 1),
        kc_support=1_000 * TRIEU,
    )
    assert [share.kc_support for share in ProjectAllocation.objects.filter(project=phase)] == [
        300 * TRIEU,
        500 * TRIEU,
        200 * TRIEU,
    ]
    # Before it applies, the 2023 share in force is the one approved; after, the adjusted one.
    assert approved(summary_of(province, period_for(2023, "h1"))) == (400 + 500) * TRIEU
    assert approved(summary_of(province, period_for(2023, "year"))) == (500 + 500) * TRIEU
    assert biểu_03(province, period_for(2023, "h1"))[phase.code].support == 400 * TRIEU
    assert biểu_03(province, period_for(2023, "year"))[phase.code].support == 500 * TRIEU
    assert approved(summary_of(province, period_for(2022, "year"))) == 300 * TRIEU

    # An adjustment after its last year changes the last share; none may take a share below zero.
    with pytest.raises(ValidationError) as refused:
        services.project_adjust(
            project=phase,
            decision_number="89/QĐ-UBND",
            decision_issuer="UBND tỉnh",
            decision_date=d(2024, 3, 1),
            kc_support=750 * TRIEU,
        )
    assert "phần kinh phí năm 2024" in " ".join(refused.value.messages)


def test_the_service_checks_the_shares_against_the_đề_án(period_2022_2024, thanhhoa_officer):
    plan = period_2022_2024["plans"][2023]
    draft = project(plan, 600, status=S.REGISTERED, decision_date=None, counterpart_funds=0)

    def refused(shares_, **changes) -> str:
        for name, value in changes.items():
            setattr(draft, name, value)
        with pytest.raises(ValidationError) as error:
            services.project_save(project=draft, user=thanhhoa_officer, allocations=shares_)
        return " ".join(error.value.messages)

    both = {"counterpart": (0, 0)}
    assert "cộng lại 500.000.000 đồng, không bằng 600.000.000 đồng" in refused(shares(300, 200, first=2023, **both))
    assert "bắt đầu từ năm của kế hoạch (2023)" in refused(shares(300, 300, first=2022, **both))
    assert "ít nhất hai năm" in refused(shares(600, first=2023, counterpart=(0,)))
    gap = [Share(2023, 300 * TRIEU), Share(2025, 300 * TRIEU)]
    assert "mỗi năm từ 2023 đến 2025" in refused(gap)
    assert "kết thúc năm 2025" in refused(shares(200, 200, 100, 100, first=2023, counterpart=(0, 0, 0, 0)))

    services.project_save(project=draft, user=thanhhoa_officer, allocations=shares(400, 200, first=2023, **both))
    draft.refresh_from_db()
    assert draft.final_year == 2024
    # The money of a shared đề án changes only with its shares; no shares: one year again.
    assert "chia kinh phí theo năm" in refused(None, kc_support=700 * TRIEU)
    services.project_save(project=draft, user=thanhhoa_officer, allocations=shares(500, 200, first=2023, **both))
    services.project_save(project=draft, user=thanhhoa_officer, allocations=[])
    draft.refresh_from_db()
    assert draft.final_year is None and not draft.allocations.exists()


def test_once_approved_the_shares_change_only_by_an_adjustment(period_2022_2024, thanhhoa_manager):
    phase = period_2022_2024["phase"]
    with pytest.raises(ValidationError) as refused:
        services.project_save(
            project=phase, user=thanhhoa_manager, allocations=shares(400, 300, 200, counterpart=(150, 200, 100))
        )
    assert "quyết định điều chỉnh" in " ".join(refused.value.messages)


def test_the_period_lock_holds_a_multi_year_đề_án_in_each_of_its_years(period_2022_2024):
    phase = period_2022_2024["phase"]
    for year in (2022, 2023, 2024):
        assert figures.is_listed_in(phase, period_for(year, "year"))
    assert not figures.is_listed_in(phase, period_for(2025, "year"))
    lock = type("Lock", (), {"year": 2023, "date_from": d(2023, 1, 1), "date_until": d(2023, 12, 31)})()
    assert locks._listed(lock, phase)


def test_settlement_is_late_only_after_the_last_year(period_2022_2024):
    phase = period_2022_2024["phase"]
    Project.objects.filter(pk=phase.pk).update(status=S.ACCEPTED, accepted_on=d(2024, 11, 20))
    late = lags.lagging(Project.objects.filter(pk=phase.pk), d(2024, 12, 31), "unsettled")
    assert not late.exists()  # the plan's year 2022 is long past, but its last share is of 2024
    assert lags.lagging(Project.objects.filter(pk=phase.pk), d(2025, 2, 1), "unsettled").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the deferred check is PostgreSQL's")
def test_the_database_refuses_shares_that_do_not_add_up_even_by_raw_sql(period_2022_2024):
    phase = period_2022_2024["phase"]
    statements = [
        f"UPDATE programmes_projectallocation SET kc_support = kc_support + 1 WHERE project_id = {phase.pk}",
        f"DELETE FROM programmes_projectallocation WHERE project_id = {phase.pk} AND year = 2023",
        f"UPDATE programmes_project SET final_year = 2025 WHERE id = {phase.pk}",
        f"UPDATE programmes_project SET counterpart_funds = counterpart_funds - 1 WHERE id = {phase.pk}",
        f"UPDATE programmes_project SET final_year = NULL WHERE id = {phase.pk}",
    ]
    for statement in statements:
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # Moving money between years keeps the sums: the database accepts it (the service asks for an adjustment).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE programmes_projectallocation SET kc_support = kc_support + CASE year WHEN 2022 THEN 1 "
            f"WHEN 2023 THEN -1 ELSE 0 END WHERE project_id = {phase.pk}"
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_cell_of_shares_reads_and_writes_back(period_2022_2024):
    phase = period_2022_2024["phase"]
    read, complete = parse("2022: 300.000.000; 2023: 400 000 000 ;2024:200.000.000")
    assert [share.kc_support for share in read] == [300 * TRIEU, 400 * TRIEU, 200 * TRIEU] and not complete
    assert [share.counterpart_funds for share in spread(phase, read)] == [150 * TRIEU, 200 * TRIEU, 100 * TRIEU]
    stored = services.projects.stored_shares(phase)
    assert parse(written(stored)) == (stored, True)
    with pytest.raises(ValueError, match="năm: số tiền"):
        parse("2022 300 triệu")


def test_an_import_row_carries_the_shares_and_an_export_gives_them_back(period_2022_2024, administrator):
    from programmes.imports.formats import ProjectFormat
    from tests.import_files import headers, xlsx
    from tests.test_imports import run

    columns = headers("projects")
    assert columns[-1] == "Phân bổ kinh phí theo năm"
    row = [
        "TH-2023-GD", "Mô hình trình diễn giai đoạn 2023–2024", "38", 2023, "KCĐP", "ND45-3",
        "Trung tâm Khuyến công Thanh Hóa", "21/QĐ-UBND", d(2023, 2, 20), 700_000_000, 300_000_000,
        d(2023, 3, 1), d(2024, 10, 30), "Đã phê duyệt", "", "2023: 400.000.000; 2024: 300.000.000",
    ]  # fmt: skip
    wrong = [*row[:-1], "2023: 400.000.000; 2024: 200.000.000"]
    wrong[0] = "TH-2023-SAI"
    _batch, outcome = run("projects", xlsx(columns, [row, wrong]), administrator)
    assert not outcome.written
    assert [(number, column) for number, column, _message in outcome.errors] == [(3, "Phân bổ kinh phí theo năm")]
    assert "600.000.000 đồng, không bằng 700.000.000 đồng" in outcome.errors[0][2]

    _batch, outcome = run("projects", xlsx(columns, [row]), administrator)
    assert outcome.ok, outcome.errors
    imported = Project.objects.get(code="TH-2023-GD")
    assert imported.final_year == 2024
    assert [(share.year, share.kc_support, share.counterpart_funds) for share in imported.allocations.all()] == [
        (2023, 400 * TRIEU, 171_428_571),
        (2024, 300 * TRIEU, 128_571_429),
    ]
    exported = {
        cells[0]: cells[-1]
        for cells in ProjectFormat.export_rows(Project.objects.filter(code__in=["TH-2023-GD", "DA-NONE"]))
    }
    assert exported == {"TH-2023-GD": "2023: 400.000.000 / 171.428.571 / 0; 2024: 300.000.000 / 128.571.429 / 0"}
    # The export read back changes nothing.
    again = [*row[:-1], exported["TH-2023-GD"]]
    _batch, outcome = run("projects", xlsx(columns, [again]), administrator)
    assert outcome.ok, outcome.errors
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 1)


def test_the_officer_enters_the_shares_in_the_đề_án_page_and_a_wrong_sum_is_refused_there(
    client, period_2022_2024, thanhhoa_officer
):
    from django.urls import reverse

    from tests.admin_posts import page_data

    draft = project(period_2022_2024["plans"][2023], 600, status=S.REGISTERED, decision_date=None, counterpart_funds=0)
    client.force_login(thanhhoa_officer)
    url = reverse("admin:programmes_project_change", args=[draft.pk])
    data = page_data(client.get(url))
    data.update({"allocations-TOTAL_FORMS": 2, "change_reason": ""})
    for index, (year, amount) in enumerate(((2023, "400.000.000"), (2024, "100.000.000"))):
        data.update({f"allocations-{index}-year": year, f"allocations-{index}-kc_support": amount})
        data.update({f"allocations-{index}-counterpart_funds": "0", f"allocations-{index}-other_funds": "0"})
    response = client.post(url, data)
    assert response.status_code == 200
    formset = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "allocations")
    assert "cộng lại 500.000.000 đồng, không bằng 600.000.000 đồng" in " ".join(formset.non_form_errors()), (
        formset.errors,
        response.context["adminform"].form.errors,
    )
    assert not ProjectAllocation.objects.filter(project=draft).exists()

    data["allocations-1-kc_support"] = "200.000.000"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    draft.refresh_from_db()
    assert draft.final_year == 2024
    assert list(draft.allocations.values_list("year", "kc_support")) == [(2023, 400 * TRIEU), (2024, 200 * TRIEU)]
    assert ProjectAllocation.history.filter(project_id=draft.pk, history_user=thanhhoa_officer).count() == 2
    history = client.get(reverse("admin:programmes_project_history", args=[draft.pk])).content.decode()
    assert "Lịch sử phân bổ kinh phí theo năm của đề án" in history and "200.000.000" in history

    # Once approved, the table is read only (an adjustment decision changes it).
    Project.objects.filter(pk=draft.pk).update(status=S.APPROVED, decision_date=d(2023, 3, 1), decision_number="5/QĐ")
    page = client.get(url)
    formset = next(f for f in page.context["inline_admin_formsets"] if f.formset.prefix == "allocations")
    assert not formset.has_change_permission and not formset.has_add_permission


def test_changing_the_money_of_a_shared_draft_without_its_shares_is_refused_at_the_table(
    client, period_2022_2024, thanhhoa_officer
):
    from django.urls import reverse

    from tests.admin_posts import page_data

    draft = project(period_2022_2024["plans"][2023], 600, status=S.REGISTERED, decision_date=None, counterpart_funds=0)
    _write_shares(draft, shares(400, 200, first=2023, counterpart=(0, 0)), None, "")
    client.force_login(thanhhoa_officer)
    url = reverse("admin:programmes_project_change", args=[draft.pk])
    data = {**page_data(client.get(url)), "kc_support": "700.000.000"}
    response = client.post(url, data)
    assert response.status_code == 200
    formset = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "allocations")
    assert "Sửa phần kinh phí của từng năm" in " ".join(formset.non_form_errors())
    draft.refresh_from_db()
    assert draft.kc_support == 600 * TRIEU


def test_the_api_lists_a_multi_year_đề_án_in_each_of_its_years_with_its_shares(period_2022_2024, ministry_reviewer):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(ministry_reviewer)
    phase = period_2022_2024["phase"]
    for year in (2022, 2023, 2024):
        answer = api.get("/api/v1/provinces/38/projects/", {"year": year}).json()
        found = {row["code"]: row for row in answer["results"]}
        assert found[phase.code]["final_year"] == 2024
        assert [share["kc_support"] for share in found[phase.code]["shares"]] == [300 * TRIEU, 400 * TRIEU, 200 * TRIEU]
    found = {row["code"] for row in api.get("/api/v1/provinces/38/projects/", {"year": 2025}).json()["results"]}
    assert phase.code not in found


def test_the_list_shows_a_multi_year_đề_án_with_its_years(client, period_2022_2024, thanhhoa_officer):
    from django.urls import reverse

    client.force_login(thanhhoa_officer)
    page = client.get(reverse("admin:programmes_project_changelist"), {"nam": 2022})
    assert "2022–2024" in page.content.decode()


def test_with_shares_the_figures_still_take_a_constant_number_of_queries(period_2022_2024):
    from django.test.utils import CaptureQueriesContext

    cov = figures.coverage(period_for(2023, "year"), province=period_2022_2024["province"])
    with CaptureQueriesContext(connection) as queries:
        figures.summary(cov)
    assert len(queries) == 13  # the look at the shares found some: their đề án and payments, two more queries
    plan_2023 = period_2022_2024["plans"][2023]
    for _ in range(3):
        more = project(plan_2023, 200, status=S.REGISTERED, decision_date=None, counterpart_funds=0)
        _write_shares(more, shares(100, 100, first=2023, counterpart=(0, 0)), None, "")
    with CaptureQueriesContext(connection) as queries:
        figures.summary(cov)
    assert len(queries) == 13
