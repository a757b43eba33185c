"""Every page an officer, a manager and a reviewer works in, drawn by Chromium at 768, 800, 1024 and 1366 px
(issue 22): no sideways page scroll, no box squeezed narrower than its text, the money columns and the row
actions on the screen, axe without a critical or serious finding; and, with the browser set to English,
no English left in what the pages show or say to a screen reader.

Runs in `.ci/run` (never skipped there); screenshots go to $SCREENSHOTS_DIR when set.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from tests.english import english_runs
from tests.test_browser import CHROMIUM, IN_CI, axe_problems, chromium, log_in, register  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_reference_data"),
    pytest.mark.skipif(CHROMIUM is None and not IN_CI, reason="Chromium is not installed (apt-get install chromium)"),
]

WIDTHS = [768, 800, 1024, 1366]
AXE_WIDTHS = tuple(WIDTHS)  # axe on every page at every width

# What a page must never do, measured in the page: the document wider than the window; a box narrower than
# its text's longest word (the search help of a 0-px-wide list, one letter per line).
LAYOUT_PROBLEMS = """() => {
  const found = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width + 1) {
    found.push('page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + width);
  }
  const ctx = document.createElement('canvas').getContext('2d');
  for (const el of document.querySelectorAll('#content *')) {
    const own = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join(' ').trim();
    if (own.length < 4 || el.closest('.visually-hidden')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'inline' || style.visibility === 'hidden') continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0) continue;
    ctx.font = [style.fontStyle, style.fontWeight, style.fontSize, style.fontFamily].join(' ');
    const longest = Math.max(...own.split(/\\s+|(?<=-)/).map((word) => ctx.measureText(word).width));
    const inner = box.width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    // (the canvas measures with the first font of the list: allow for a fallback's wider letters)
    if (inner * 1.2 + 2 < longest) {
      found.push('squeezed ' + el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' + Math.round(inner)
        + 'px < ' + Math.round(longest) + 'px: ' + own.slice(0, 30));
    }
  }
  return found;
}"""

# Money columns and the row's actions: on the screen, inside the list's own box.
IN_VIEW = """(selectors) => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const selector of selectors) {
    const el = document.querySelector(selector);
    if (!el) continue;
    const box = el.getBoundingClientRect();
    const scroller = el.closest('.results, .inline-group, .table-scroll');
    const right = scroller ? Math.min(width, scroller.getBoundingClientRect().right) : width;
    if (box.right > right + 1 || box.left < 0) {
      out.push(selector + ' ends at ' + Math.round(box.right) + ' > ' + Math.round(right));
    }
  }
  return out;
}"""

MONEY_COLUMNS = [
    "#result_list th.column-support_column",
    "#result_list th.column-disbursed_column",
    "#result_list th.column-percent_column",
    "#result_list th.column-amount_column",
    "#result_list th.column-planned_column",
]
PAYMENT_ROW = ["#id_disbursements-0-paid_on", "#id_disbursements-0-amount", "#id_disbursements-0-DELETE"]


@pytest.fixture
def work(register):  # noqa: F811
    """Đề án with long names and a payment each (tests/test_browser.py), so the pages have rows to lay out."""
    return register


def open_tab(chromium, live_server, width: int, locale: str = "vi-VN"):  # noqa: F811
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale=locale)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.base = live_server.url
    tab.width = width
    tab.shots = Path(os.environ.get("SCREENSHOTS_DIR") or "/tmp")
    return context, tab


@contextmanager
def opened(chromium, live_server, width: int, locale: str = "vi-VN"):  # noqa: F811
    context, tab = open_tab(chromium, live_server, width, locale)
    try:
        yield tab
    finally:
        context.close()


def list_paths(user) -> list[str]:
    """Every list of the admin the user may read."""
    paths = []
    for model in admin.site._registry:
        opts = model._meta
        if not (user.is_superuser or user.has_perm(f"{opts.app_label}.view_{opts.model_name}")):
            continue
        try:
            paths.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        except NoReverseMatch:
            continue
    return sorted(paths)


def page_problems(tab, path: str, name: str, in_view=()) -> list[str]:
    tab.goto(tab.base + path)
    tab.wait_for_load_state("load")
    problems = [f"{name}: {p}" for p in tab.evaluate(LAYOUT_PROBLEMS)]
    problems += [f"{name}: {p}" for p in tab.evaluate(IN_VIEW, list(in_view))]
    if tab.width in AXE_WIDTHS:
        problems += [f"{name}: axe {p}" for p in axe_problems(tab)]
    tab.screenshot(path=str(tab.shots / f"layout-{name.replace('/', '_')}-{tab.width}.png"))
    return problems


@pytest.mark.parametrize("role", ["thanhhoa_officer", "ministry_reviewer"])
def test_every_page_fits_the_screen_with_money_and_actions_in_view(chromium, live_server, request, role, work):  # noqa: F811
    """Each width in turn (one set-up for the four: the pages are read, not changed)."""
    user = request.getfixturevalue(role)
    project = work[0]
    problems = []
    for width in WIDTHS:
        with opened(chromium, live_server, width) as tab:
            log_in(tab, user)
            at = f"{role}-{width}"
            problems += page_problems(tab, reverse("admin:index"), f"{at}-start", [".start-table thead th:last-child"])
            for path in list_paths(user):
                problems += page_problems(tab, path, f"{at}-{path.strip('/').split('/')[-1]}", MONEY_COLUMNS)
            change = reverse("admin:programmes_project_change", args=[project.pk])
            problems += page_problems(tab, change, f"{at}-project", PAYMENT_ROW)
            problems += page_problems(tab, reverse("reports:index"), f"{at}-reports")
            if role == "thanhhoa_officer":
                problems += page_problems(tab, reverse("imports:index"), f"{at}-imports")
    assert not problems, "\n".join(problems)


def test_the_filters_are_a_drawer_below_1200_px_and_beside_the_list_above(
    chromium,  # noqa: F811
    live_server,
    thanhhoa_officer,
    work,
):
    for width in (768, 800, 1024):
        with opened(chromium, live_server, width) as tab:
            log_in(tab, thanhhoa_officer)
            tab.goto(tab.base + reverse("admin:programmes_project_changelist"))
            listing = tab.locator("#changelist .changelist-form-container").bounding_box()
            assert listing["width"] >= width - 80, "the list has the screen's width"
            drawer = tab.locator("details.filter-drawer")
            assert not drawer.evaluate("d => d.open"), "closed until asked for"
            tab.click("details.filter-drawer > summary")
            assert drawer.evaluate("d => d.open")
            tab.click("#changelist-filter a:has-text('2024')")
            tab.wait_for_load_state("load")
            assert "2024" in tab.url
            # The exports are one menu: the toolbar is one row of three buttons.
            tools = tab.locator("#content .object-tools > li")
            assert tools.count() == 3
            assert len({round(tools.nth(i).bounding_box()["y"]) for i in range(tools.count())}) == 1, "no wrap"
            tab.click(".export-menu summary")
            assert tab.locator(".export-menu a.exportlink").first.is_visible()
    with opened(chromium, live_server, 1366) as tab:
        log_in(tab, thanhhoa_officer)
        tab.goto(tab.base + reverse("admin:programmes_project_changelist"))
        assert tab.locator("details.filter-drawer").evaluate("d => d.open")
        filters = tab.locator("#changelist-filter").bounding_box()
        listing = tab.locator("#changelist .changelist-form-container").bounding_box()
        assert filters["x"] > listing["x"] + listing["width"] - 1, "beside, on the right"
        tools = tab.locator("#content .object-tools > li")
        assert len({round(tools.nth(i).bounding_box()["y"]) for i in range(tools.count())}) == 1


ENGLISH_ROLES = ["thanhhoa_officer", "thanhhoa_manager", "ministry_reviewer", "administrator"]

COLLECT_TEXT = """() => {
  const parts = [document.title, document.body.innerText];
  const named = '[aria-label],[title],[alt],[placeholder],input[type=submit],input[type=button]';
  document.querySelectorAll(named).forEach((e) => {
    for (const a of ['aria-label', 'title', 'alt', 'placeholder']) if (e.getAttribute(a)) parts.push(e.getAttribute(a));
    if (e.tagName === 'INPUT' && e.value) parts.push(e.value);
  });
  return parts.join('\\n');
}"""


@pytest.mark.parametrize("role", ENGLISH_ROLES)
def test_no_english_on_any_page_with_the_browser_set_to_english(chromium, live_server, request, role, work, tmp_path):  # noqa: F811
    """Start page, every list, the first row's page and history, the add pages, the app's own pages; a delete
    page, a missing record, a refused import and a draft report."""
    from tests.import_files import headers, xlsx

    user = request.getfixturevalue(role)
    context, tab = open_tab(chromium, live_server, 1366, locale="en-US")
    found: dict[str, list[str]] = {}

    def visit(path: str) -> None:
        tab.goto(tab.base + path)
        tab.wait_for_load_state("load")
        runs = english_runs(tab.evaluate(COLLECT_TEXT))
        if runs:
            found[path] = sorted(set(runs))

    try:
        visit(reverse("admin:login"))
        log_in(tab, user)
        visit(reverse("admin:index"))
        for path in list_paths(user):
            visit(path)
            rows = tab.evaluate(
                "() => [...document.querySelectorAll('#result_list tbody a')].map(a => a.getAttribute('href'))"
                ".filter(h => h && h.includes('/change/'))"
            )
            if rows:
                visit(rows[0])
                visit(rows[0].replace("/change/", "/history/"))
            adds = tab.evaluate(
                "() => [...document.querySelectorAll('.object-tools a.addlink')].map(a => a.getAttribute('href'))"
            )
            for add in adds:
                visit(add)
        for name in ("reports:index", "reports:status", "reports:completeness", "reports:quality", "jobs:index",
                     "accounts:security", "admin:password_change"):  # fmt: skip
            try:
                visit(reverse(name))
            except NoReverseMatch:
                continue
        if role != "ministry_reviewer":
            visit(reverse("imports:index"))
        if role == "thanhhoa_officer":
            visit(reverse("admin:programmes_project_delete", args=[work[0].pk]))
            visit(reverse("admin:programmes_project_change", args=[999_999_999]))  # gone, or another province's
            upload = tmp_path / "giai-ngan.xlsx"
            upload.write_bytes(
                xlsx(headers("disbursements"), [[work[0].code, "hôm qua", "-5", "", "Thanh toán", "", ""]])
            )
            tab.goto(tab.base + reverse("imports:index"))
            tab.select_option("#id_kind", "disbursements")
            tab.set_input_files("#id_file", str(upload))
            tab.click("button:has-text('Kiểm tra tệp')")
            tab.wait_for_selector(".import-errors")
            visit(tab.url.removeprefix(tab.base))  # a refused file's page: every message Vietnamese
        if role == "thanhhoa_manager":
            from tests.factories import current_province

            query = f"?scope=province&province={current_province('38').pk}&year=2024&preset=h1&level=all"
            tab.goto(tab.base + reverse("reports:index") + query)
            tab.click("button:has-text('Tạo bản thảo')")
            tab.wait_for_selector("#id_advantages")
            visit(tab.url.removeprefix(tab.base))  # a draft and its issue form
        assert not found, found
    finally:
        context.close()


def test_the_import_preview_fits_and_shows_each_update_before_and_after(
    chromium,  # noqa: F811
    live_server,
    thanhhoa_officer,
    work,
    tmp_path,
):
    from tests.import_files import headers, xlsx

    project = work[0]
    payment = project.disbursements.get()
    rows = [
        [project.code, payment.paid_on, 250_000_000, "", "Thanh toán", payment.voucher_number, "điều chỉnh số tiền"],
        [work[1].code, "20/09/2024", "50.000.000", "", "Thanh toán", "UNC-02", ""],
    ]
    upload = tmp_path / "giai-ngan.xlsx"
    upload.write_bytes(xlsx(headers("disbursements"), rows))
    problems = []
    for width in WIDTHS:
        with opened(chromium, live_server, width) as tab:
            log_in(tab, thanhhoa_officer)
            tab.goto(tab.base + reverse("imports:index"))
            tab.select_option("#id_kind", "disbursements")
            tab.set_input_files("#id_file", str(upload))
            tab.click("button:has-text('Kiểm tra tệp')")
            tab.wait_for_selector(".import-rows")
            assert "Số tiền (đồng): 300.000.000 → 250.000.000" in tab.locator(".import-rows").inner_text()
            problems += [f"{width}: {p}" for p in tab.evaluate(LAYOUT_PROBLEMS)]
            if width in AXE_WIDTHS:
                problems += [f"{width}: axe {p}" for p in axe_problems(tab)]
            tab.screenshot(path=str(tab.shots / f"layout-import-preview-{width}.png"), full_page=True)
    assert not problems, problems


def test_report_dates_are_dd_mm_yyyy_with_the_admins_calendar_in_an_english_browser(
    chromium,  # noqa: F811
    live_server,
    thanhhoa_manager,
):
    """5 March is "05/03/2024" on the Reports page whatever the browser's language, typed or picked."""
    context, tab = open_tab(chromium, live_server, 1024, locale="en-US")
    try:
        log_in(tab, thanhhoa_manager)
        tab.goto(tab.base + reverse("reports:index"))
        assert tab.get_attribute("#id_date_from", "type") == "text"
        assert tab.get_attribute("#id_date_from", "placeholder") == "dd/mm/yyyy"
        tab.click("#calendarlink0")
        tab.click(".calendarbox:visible td a >> text='5'")
        picked = tab.input_value("#id_date_from")
        assert picked[:2] == "05" and picked[2] == "/" and len(picked) == 10, picked
    finally:
        context.close()


def test_the_report_pages_fit_for_a_manager(chromium, live_server, thanhhoa_manager, thanhhoa_2024):  # noqa: F811
    """The Reports page with a preview, the status page and a draft with its issue form."""
    from reports.models import Report
    from tests.factories import COMPLETE_NARRATIVE, current_province

    province = current_province("38").pk
    preview = f"{reverse('reports:index')}?scope=province&province={province}&year=2024&preset=h1&level=all"
    problems, draft = [], None
    for width in WIDTHS:
        with opened(chromium, live_server, width) as tab:
            log_in(tab, thanhhoa_manager)
            problems += page_problems(tab, preview, f"manager-{width}-report-preview")
            problems += page_problems(tab, reverse("reports:status"), f"manager-{width}-status")
            if draft is None:
                tab.goto(tab.base + preview)
                tab.click("button:has-text('Tạo bản thảo')")
                tab.wait_for_selector("#id_advantages")
                Report.objects.update(**COMPLETE_NARRATIVE)
                draft = tab.url.removeprefix(tab.base)
            problems += page_problems(tab, draft, f"manager-{width}-draft")
    assert not problems, "\n".join(problems)
