"""send_reminders e-mails each province's managers what is due, once; the start page lists the same (issue 18)."""

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from reports import services as report_services
from reports.models import Reminder
from tests.conftest import _persona
from tests.factories import PlanFactory, current_province, disburse, draft_report
from tests.report_data import TRIEU, d, project

pytestmark = pytest.mark.django_db


@pytest.fixture
def managers(db):
    manager = _persona("thanhhoa.boss", "province_manager", "38")
    manager.email = "lanhdao@sct.thanhhoa.gov.vn"
    manager.save()
    silent = _persona("thanhhoa.noemail", "province_manager", "38")  # no address: nothing to send to
    officer = _persona("thanhhoa.staff", "province_staff", "38")
    officer.email = "chuyenvien@sct.thanhhoa.gov.vn"
    officer.save()
    return manager, silent, officer


def run(day: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("send_reminders", "--today", day, stdout=out)
    return out.getvalue()


def h1_mail():
    return [message for message in mail.outbox if "6 tháng đầu năm 2026" in message.subject]


def test_a_report_due_soon_and_then_overdue_is_told_once_each(managers):
    manager, _silent, _officer = managers
    run("2026-07-01")  # more than 7 days before 15/07: nothing yet of the first half
    assert not h1_mail()
    annual = "[Khuyến công] Báo cáo năm 2025 đã quá hạn: hạn gửi là ngày 15/01/2026."
    assert [m.subject for m in mail.outbox] == [annual]
    run("2026-07-10")
    run("2026-07-10")  # twice a day: nobody told twice
    assert [message.to for message in h1_mail()] == [[manager.email]]
    assert "15/07/2026" in h1_mail()[0].body and "đến hạn" in h1_mail()[0].subject
    run("2026-07-16")
    run("2026-07-17")
    assert len(h1_mail()) == 2 and "quá hạn" in h1_mail()[1].subject
    assert len(mail.outbox) == 3
    assert sorted(Reminder.objects.values_list("kind", flat=True)) == ["due_soon", "overdue", "overdue"]


def test_an_issued_report_is_not_reminded(managers):
    manager, *_ = managers
    with time_machine.travel("2026-07-12 09:00 +07:00", tick=False):
        report = report_services.report_save(
            report=draft_report(province=current_province("38"), year=2026, preset="h1", date_from=d(2026, 1, 1),
                          date_until=d(2026, 6, 30)),
            user=manager,
        )  # fmt: skip
        report_services.report_issue(report=report, user=manager, number="15/BC-SCT", issued_on=d(2026, 7, 12))
    run("2026-07-20")
    assert not h1_mail()


def test_a_weekly_digest_names_each_newly_lagging_project_once(managers):
    manager, *_ = managers
    plan = PlanFactory(year=2026, province=current_province("38"))
    late = project(plan, 100, started=d(2026, 3, 1), end_date=d(2026, 10, 1))
    disburse(late, TRIEU, paid_on=d(2026, 4, 1))
    run("2026-11-02")
    digests = [message for message in mail.outbox if late.code in message.body]
    assert len(digests) == 1
    run("2026-11-03")  # the same week: no second digest
    assert len([message for message in mail.outbox if late.code in message.body]) == 1
    later = project(plan, 100, started=d(2026, 3, 1), end_date=d(2026, 11, 5))
    disburse(later, TRIEU, paid_on=d(2026, 4, 1))
    run("2026-11-10")  # next week: only the new one
    last = [message for message in mail.outbox if later.code in message.body]
    assert len(last) == 1 and late.code not in last[0].body


def test_a_dry_run_sends_and_records_nothing(managers):
    out = run_dry = None
    from io import StringIO

    out = StringIO()
    call_command("send_reminders", "--today", "2026-07-10", "--dry-run", stdout=out)
    run_dry = out.getvalue()
    assert "Would send 2" in run_dry and not mail.outbox and not Reminder.objects.exists()


@time_machine.travel("2026-07-20 09:00 +07:00", tick=False)
def test_the_start_page_lists_the_same_items(client, managers):
    manager, *_ = managers
    client.force_login(manager)
    page = client.get(reverse("admin:index"))
    texts = [item.text for item in page.context["reminders"]]
    assert any("quá hạn" in text and "15/07/2026" in text for text in texts)
