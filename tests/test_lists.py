"""The lists at national scale (programmes.lists): bounded counts, totals once narrowed, one sort
column served by an index, what a provincial user sees, and the query count of every list and
start page, pinned."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.lists import CappedPaginator
from programmes.models import Project
from tests.factories import BeneficiaryFactory, PlanFactory, PlanLineFactory, ProjectFactory, disburse, old_province

pytestmark = pytest.mark.django_db

PROJECTS = reverse("admin:programmes_project_changelist")


@pytest.fixture
def thanhhoa_projects():
    plan = PlanFactory(province=old_province("38"), year=2024)
    PlanLineFactory(plan=plan)
    projects = [ProjectFactory(plan=plan, kc_support=(i + 1) * 100_000_000) for i in range(5)]
    for project in projects[:2]:
        beneficiary = BeneficiaryFactory(project=project)
        disburse(project, 10_000_000, facility=beneficiary.facility, paid_on=project.decision_date)
    return projects


def changelist(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    return response


def test_the_count_stops_at_the_limit_and_the_totals_wait_for_a_narrower_list(
    client, settings, ministry_reviewer, thanhhoa_projects
):
    settings.KHUYENCONG_LIST_COUNT_LIMIT = 3
    client.force_login(ministry_reviewer)
    response = changelist(client, PROJECTS)
    cl = response.context["cl"]
    assert cl.count_capped and cl.result_count == 3
    assert "totals" not in response.context
    page = response.content.decode()
    assert "Chỉ hiện tổng cộng" in page or "tổng cộng" in page.lower()
    assert "hơn 3" in page


def test_the_totals_of_a_list_counted_in_full(client, ministry_reviewer, thanhhoa_projects):
    client.force_login(ministry_reviewer)
    response = changelist(client, PROJECTS, {"nam": "2024"})
    totals = {str(label): value for label, value in response.context["totals"]}
    assert totals["số đề án"] == "5"
    assert totals["kinh phí KC của các đề án trong danh sách"] == "1.500.000.000"
    assert totals["đã giải ngân đến nay"] == "20.000.000"


def test_the_paginator_counts_at_most_the_limit(settings, thanhhoa_projects):
    settings.KHUYENCONG_LIST_COUNT_LIMIT = 4
    paginator = CappedPaginator(Project.objects.order_by("pk"), 2)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (4, True, 2)
    settings.KHUYENCONG_LIST_COUNT_LIMIT = 10
    paginator = CappedPaginator(Project.objects.order_by("pk"), 2)
    assert (paginator.count, paginator.capped) == (5, False)


def test_only_offered_columns_sort_whatever_the_url_says(client, ministry_reviewer, thanhhoa_projects):
    client.force_login(ministry_reviewer)
    # Column 2 is the name: not offered (no index serves it); the list keeps its own order.
    response = changelist(client, PROJECTS, {"o": "2"})
    assert response.context["cl"].get_ordering(response.wsgi_request, Project.objects.all())[0] == "-year"
    # Two columns at once (o=code.support) sort by the first only.
    columns = response_columns(client, ministry_reviewer)
    both = f"{columns.index('code')}.{columns.index('support_column')}"
    response = changelist(client, PROJECTS, {"o": both})
    ordering = response.context["cl"].get_ordering(response.wsgi_request, Project.objects.all())
    assert ordering == ["code"]


def test_ties_are_broken_by_the_key_in_the_same_direction(client, ministry_reviewer, thanhhoa_projects):
    client.force_login(ministry_reviewer)
    columns = response_columns(client, ministry_reviewer)
    response = changelist(client, PROJECTS, {"o": str(columns.index("support_column"))})
    ordering = response.context["cl"].get_ordering(response.wsgi_request, Project.objects.all())
    assert ordering == ["kc_support", "pk"]
    response = changelist(client, PROJECTS, {"o": f"-{columns.index('support_column')}"})
    ordering = response.context["cl"].get_ordering(response.wsgi_request, Project.objects.all())
    assert ordering == ["-kc_support", "-pk"]
    amounts = [p.kc_support for p in response.context["cl"].result_list]
    assert amounts == sorted(amounts, reverse=True)


def response_columns(client, user) -> list[str]:
    response = changelist(client, PROJECTS)
    return [c if isinstance(c, str) else c.__name__ for c in response.context["cl"].list_display]


def test_a_provincial_user_does_not_see_their_province_on_every_row(
    client, thanhhoa_officer, ministry_reviewer, thanhhoa_projects
):
    client.force_login(thanhhoa_officer)
    response = changelist(client, PROJECTS)
    assert "province_column" not in response_columns(client, thanhhoa_officer)
    assert not any(getattr(f, "parameter_name", "") == "tinh" for f in response.context["cl"].filter_specs)
    client.force_login(ministry_reviewer)
    response = changelist(client, PROJECTS)
    assert "province_column" in response_columns(client, ministry_reviewer)
    assert any(getattr(f, "parameter_name", "") == "tinh" for f in response.context["cl"].filter_specs)


@pytest.mark.parametrize("value", ["2024", "abc", "99999999999", "-1"])
def test_the_year_filter_reads_the_stored_year(client, ministry_reviewer, thanhhoa_projects, value):
    client.force_login(ministry_reviewer)
    response = client.get(PROJECTS, {"nam": value})
    assert response.status_code == 200
    assert response.context["cl"].result_count == (5 if value == "2024" else 0)


def test_a_page_past_the_limit_is_refused_without_an_error(client, settings, ministry_reviewer, thanhhoa_projects):
    settings.KHUYENCONG_LIST_COUNT_LIMIT = 2
    client.force_login(ministry_reviewer)
    response = client.get(PROJECTS, {"p": "3"})
    assert response.status_code in (200, 302)


# --- Query counts, pinned -----------------------------------------------------------------------
# Session, user, permissions, profile and province come first; then each list's own reads: the
# filters' choices, one bounded count, the page, and (when counted in full) one totals query.
LISTS = ["project", "disbursement", "beneficiary", "facility", "plan", "projectadjustment"]
# The plan list adds up its totals from the page's plans when they all fit on it.
# The beneficiary list's support-item filter reads the items (ten rows).
LIST_QUERIES = {"project": 11, "disbursement": 10, "beneficiary": 11, "facility": 8, "plan": 11, "projectadjustment": 9}
# A reviewer's start page: session, user, profile, the plans' years, then the year's national table
# (the report's summary without last year's comparisons, nine queries, which counts the listed and
# overdue đề án per unit in its own query of the đề án).
PINNED = {
    "ministry_reviewer": {"start": 13, **LIST_QUERIES},
    # A province's start page adds what to do: its reports of this year and last (one query, none drafted
    # here) and its lagging đề án (one count).
    "thanhhoa_officer": {"start": 10, **LIST_QUERIES},
    "thanhhoa_manager": {"start": 10, **LIST_QUERIES},
}


@pytest.mark.parametrize("role", list(PINNED))
def test_query_counts_are_pinned(client, request, role, thanhhoa_projects):
    client.force_login(request.getfixturevalue(role))
    counted = {}
    for name in ["start", *LISTS]:
        url = reverse("admin:index") if name == "start" else reverse(f"admin:programmes_{name}_changelist")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counted[name] = len(captured)
    assert counted == PINNED[role]


@pytest.mark.parametrize("role", ["ministry_reviewer", "thanhhoa_officer"])
@pytest.mark.parametrize(
    ("name", "term", "expected"),
    [
        ("disbursement", "may moc", 2),  # through the đề án's text
        ("beneficiary", "co so", 2),  # through the facility's text
        ("projectadjustment", "may moc", 0),
        ("plan", "thanh hoa", 1),  # through the province's text, totals over a subquery
    ],
)
def test_a_search_through_a_related_row(client, request, role, name, term, expected, thanhhoa_projects):
    client.force_login(request.getfixturevalue(role))
    response = changelist(client, reverse(f"admin:programmes_{name}_changelist"), {"q": term, "nam": "2024"})
    assert response.context["cl"].result_count == expected


def test_plan_totals_over_a_search_spanning_pages(client, monkeypatch, ministry_reviewer, thanhhoa_projects):
    """The totals of plans found by province name, when they do not all fit on the page, are two
    aggregates over the searched plans (a subquery that must not name the plan table itself)."""
    from programmes.admin import PlanAdmin
    from tests.factories import national_scheme

    PlanLineFactory(plan=PlanFactory(province=old_province("38"), year=2024, scheme=national_scheme(2024)))
    monkeypatch.setattr(PlanAdmin, "list_per_page", 1)
    client.force_login(ministry_reviewer)
    response = changelist(client, reverse("admin:programmes_plan_changelist"), {"q": "thanh hoa"})
    assert response.context["cl"].result_count == 2
    totals = {str(label): value for label, value in response.context["totals"]}
    assert totals["kinh phí KC của các đề án thuộc kế hoạch"] == "1.500.000.000"
