"""The Reports page, a draft's page and an import batch's page run a pinned number of queries,
the same for a few rows as for many (issue 17). A broken pin prints the SQL it ran.

The Reports page with a preview: the session, the user and their profile, the parameters'
choices, the report's figures (`figures.summary`, eleven queries), its list of đề án
(`figures.project_rows`, four) and Biểu 05 (`figures.impact`: one, and two more (the total, the contents)
when a listed đề án has beneficiaries), the user's drafts and issued versions. A draft adds the draft
and its issued versions. A batch: the session, the user, the batch, and its page of changes.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.imports import services as import_services
from reports import services as report_services
from tests.factories import current_province, disburse, draft_report
from tests.import_files import headers, xlsx
from tests.report_data import TRIEU, d, project
from tests.test_imports import rows_for, run

pytestmark = pytest.mark.django_db

REPORT_PAGE = 26
DRAFT_PAGE = 25  # with the signed copies of its versions
BATCH_PREVIEWED = 5
BATCH_IMPORTED = 7


def sql_of(client, url, params=None) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    return [query["sql"] for query in context.captured_queries]


def assert_pinned(queries: list[str], pinned: int, what: str) -> None:
    assert len(queries) == pinned, f"{what}: {len(queries)} queries, pinned at {pinned}:\n" + "\n".join(
        f"{number}. {sql}" for number, sql in enumerate(queries, start=1)
    )


def more_projects(thanhhoa_2024, count: int) -> None:
    for _ in range(count):
        item = project(thanhhoa_2024["local"], 10, started=d(2024, 3, 5))
        disburse(item, 5 * TRIEU, paid_on=d(2024, 5, 2))


def h1(province):
    return {"scope": "province", "province": province.pk, "year": 2024, "preset": "h1", "level": "all"}


def test_the_reports_page_runs_a_pinned_number_of_queries(client, thanhhoa_2024, thanhhoa_manager):
    client.force_login(thanhhoa_manager)
    url, params = reverse("reports:index"), h1(current_province("38"))
    sql_of(client, url, params)  # warm the session
    few = sql_of(client, url, params)
    more_projects(thanhhoa_2024, 12)
    many = sql_of(client, url, params)
    assert_pinned(few, REPORT_PAGE, "few đề án")
    assert_pinned(many, REPORT_PAGE, "many đề án")


def test_a_drafts_page_runs_a_pinned_number_of_queries(client, thanhhoa_2024, thanhhoa_manager, administrator):
    report = report_services.report_save(
        report=draft_report(province=current_province("38"), year=2024, preset="h1", date_from=d(2024, 1, 1),
                      date_until=d(2024, 6, 30)),
        user=thanhhoa_manager,
    )  # fmt: skip
    first = report_services.report_issue(report=report, user=thanhhoa_manager, number="15/BC-SCT",
                                         issued_on=d(2024, 7, 5))  # fmt: skip
    client.force_login(thanhhoa_manager)
    url = reverse("reports:draft", args=[report.pk])
    sql_of(client, url)
    few = sql_of(client, url)
    report_services.period_unlock(lock=first.lock, user=administrator, reason="Bổ sung đề án")
    more_projects(thanhhoa_2024, 12)
    report_services.report_issue(report=report, user=thanhhoa_manager, number="16/BC-SCT", issued_on=d(2024, 7, 6))
    many = sql_of(client, url)
    assert_pinned(few, DRAFT_PAGE, "one version, few đề án")
    assert_pinned(many, DRAFT_PAGE, "two versions, many đề án")


def test_a_batchs_page_runs_a_pinned_number_of_queries(client, thanhhoa, thanhhoa_manager):
    client.force_login(thanhhoa_manager)
    rows = rows_for("disbursements", thanhhoa)
    bad = [[row[0], "31/02/2024", *row[2:]] for row in rows]  # every row refused: the errors are listed
    data = xlsx(headers("disbursements"), bad)
    previewed = import_services.batch_create(kind="disbursements", name="a.xlsx", data=data, user=thanhhoa_manager)
    import_services.batch_preview(batch=previewed, user=thanhhoa_manager)
    url = reverse("imports:batch", args=[previewed.pk])
    sql_of(client, url)
    assert_pinned(sql_of(client, url), BATCH_PREVIEWED, "a previewed batch with its errors")

    few, _outcome = run("disbursements", xlsx(headers("disbursements"), rows), thanhhoa_manager)
    sql_of(client, reverse("imports:batch", args=[few.pk]))
    assert_pinned(sql_of(client, reverse("imports:batch", args=[few.pk])), BATCH_IMPORTED, "3 changes")
    many_rows = [[thanhhoa[1][1].code, d(2024, 7, 1 + i % 28), 100_000 + i, "", "Thanh toán", f"N-{i}", ""]
                 for i in range(40)]  # fmt: skip
    many, outcome = run("disbursements", xlsx(headers("disbursements"), many_rows), thanhhoa_manager)
    assert outcome.written, outcome.errors
    assert_pinned(sql_of(client, reverse("imports:batch", args=[many.pk])), BATCH_IMPORTED, "40 changes")
