"""An audit trail nobody can rewrite (issue 20, point 5): raw SQL as the serving role.

The app's writes run as a role that owns nothing (`programmes.audit`, `manage.py grant_serving_role`);
these tests take that role inside the test's transaction (`SET LOCAL ROLE`), so the role, its grants
and every write roll back with the test. PostgreSQL only: SQLite has no roles and no such guards.
"""

import io
import uuid
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from programmes import audit, services
from programmes.imports import services as import_services
from programmes.imports.models import ImportBatch, ImportChange
from programmes.models import Disbursement
from reports import services as report_services
from reports.models import IssuedReport, PeriodLock, ReportReview, SignedReport
from tests.factories import ProjectFactory, current_province, disburse, draft_report
from tests.import_files import headers, xlsx
from tests.report_data import TRIEU, d

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="roles and the audit guards are PostgreSQL's"),
]


def refused(sql: str, params=None, *, match: str = "") -> str:
    """Run `sql` in a savepoint; return the database's refusal (the test fails if it was accepted)."""
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    message = str(error.value)
    assert match in message, message
    return message


def accepted(sql: str, params=None) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def columns_but(model, *left_out: str) -> str:
    """The model's columns for a raw INSERT … SELECT copying a row, but those left out."""
    return ", ".join(field.column for field in model._meta.concrete_fields if field.column not in left_out)


@pytest.fixture
def serving_role(db):
    """A fresh role made the serving role by the command, and a block that runs as it."""
    role = f"kc_serving_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN')
    call_command("grant_serving_role", role, stdout=io.StringIO())

    @contextmanager
    def as_serving_role():
        with connection.cursor() as cursor:
            cursor.execute(f'SET LOCAL ROLE "{role}"')
        try:
            yield role
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")

    return as_serving_role


@pytest.fixture
def spare(thanhhoa_2024):
    """A đề án of the same plan with money left to pay (the report's are all paid)."""
    return ProjectFactory(plan=thanhhoa_2024["local"], code="AUDIT-SPARE")


@pytest.fixture
def issued(thanhhoa_2024, spare, thanhhoa_manager):
    """Thanh Hóa's H1 2024 report issued: its period (01/01–30/06/2024) is locked."""
    report = draft_report(province=current_province("38"), year=2024, preset="h1", date_from=d(2024, 1, 1),
                          date_until=d(2024, 6, 30))  # fmt: skip
    report = report_services.report_save(report=report, user=thanhhoa_manager)
    return report_services.report_issue(report=report, user=thanhhoa_manager, number="15/BC-SCT",
                                        issued_on=d(2024, 7, 5))  # fmt: skip


def test_every_history_table_and_every_kept_table_carries_its_guard():
    histories = audit.history_tables(apps.get_models())
    assert "programmes_historicaldisbursement" in histories and "reports_historicalperiodlock" in histories
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal")
        triggers = set(cursor.fetchall())
    for table in (*histories, *audit.KEPT_AS_WRITTEN):
        assert (table, f"{table}_kept_as_written") in triggers
    assert ("imports_importbatch", "imports_importbatch_forward_only") in triggers
    assert ("reports_periodlock", "reports_periodlock_ends_once") in triggers
    for table, _day in audit.LOCKED_MONEY:
        for event in ("insert", "update", "delete"):
            assert (table, f"{table}_period_lock_{event}") in triggers


def test_history_rows_refuse_update_and_delete_as_the_serving_role_and_as_the_owner(serving_role, thanhhoa_officer):
    payment = disburse(ProjectFactory(), 5 * TRIEU, paid_on=d(2024, 8, 1), user=thanhhoa_officer)
    record = payment.history.get()
    with serving_role():
        refused("UPDATE programmes_historicaldisbursement SET amount = 1 WHERE history_id = %s", [record.pk],
                match="permission denied")  # fmt: skip
        refused("DELETE FROM programmes_historicaldisbursement WHERE history_id = %s", [record.pk],
                match="permission denied")  # fmt: skip
        refused("TRUNCATE programmes_historicaldisbursement", match="permission denied")
    # The owner (here a superuser) is refused by the trigger itself, until they drop it.
    refused("UPDATE programmes_historicaldisbursement SET amount = 1 WHERE history_id = %s", [record.pk],
            match="kept as written")  # fmt: skip
    refused("DELETE FROM programmes_historicalproject", match="kept as written")
    record.refresh_from_db()
    assert record.amount == 5 * TRIEU


def test_the_serving_role_cannot_lift_a_guard(serving_role):
    with serving_role():
        for sql in (
            "ALTER TABLE programmes_historicalproject DISABLE TRIGGER USER",
            "DROP TRIGGER programmes_historicalproject_kept_as_written ON programmes_historicalproject",
            "ALTER TABLE programmes_disbursement DISABLE TRIGGER programmes_disbursement_total_insert",
            "CREATE TRIGGER t BEFORE DELETE ON reports_issuedreport EXECUTE FUNCTION khuyencong_kept_as_written()",
            "CREATE OR REPLACE FUNCTION khuyencong_kept_as_written() RETURNS trigger AS $$ BEGIN RETURN OLD; END $$"
            " LANGUAGE plpgsql",
            "SET session_replication_role = replica",
            "TRUNCATE programmes_disbursement",
            "CREATE TABLE programmes_shadow (id int)",
        ):
            refused(sql)
        # The owner's clearing switch is honoured for the owner only.
        with transaction.atomic(), audit.append_only_suspended():
            refused("DELETE FROM programmes_historicalproject", match="permission denied")


def test_the_owner_clears_synthetic_history_only_inside_the_switch(thanhhoa_officer):
    payment = disburse(ProjectFactory(), 1 * TRIEU, user=thanhhoa_officer)
    refused("DELETE FROM programmes_historicaldisbursement WHERE id = %s", [payment.pk], match="kept as written")
    with transaction.atomic(), audit.append_only_suspended():
        assert accepted("DELETE FROM programmes_historicaldisbursement WHERE id = %s", [payment.pk]) == 1
    refused("DELETE FROM programmes_historicalproject", match="kept as written")


def test_an_issued_report_its_review_and_its_signed_copy_are_kept_as_written(
    serving_role, issued, ministry_reviewer, thanhhoa_manager
):
    review = report_services.report_accept(issued=issued, user=ministry_reviewer)
    copy = SignedReport.objects.create(issued_report=issued, current_province_id=issued.current_province_id,
                                       source="upload", pdf=bytes(issued.pdf) + b"%signed", pdf_sha256="0" * 64,
                                       signed_by=thanhhoa_manager)  # fmt: skip
    forged = b"%PDF-1.7 forged"
    with serving_role():
        # Replacing the frozen PDF together with its hash, in the same row: refused.
        refused("UPDATE reports_issuedreport SET pdf = %s, pdf_sha256 = %s WHERE id = %s",
                [forged, IssuedReport.digest(forged), issued.pk], match="permission denied")  # fmt: skip
        refused("DELETE FROM reports_issuedreport WHERE id = %s", [issued.pk])
        refused("UPDATE reports_reportreview SET action = 'returned' WHERE id = %s", [review.pk])
        refused("DELETE FROM reports_signedreport WHERE id = %s", [copy.pk])
    refused("UPDATE reports_issuedreport SET pdf = %s WHERE id = %s", [forged, issued.pk], match="kept as written")
    refused("UPDATE reports_signedreport SET pdf = %s WHERE id = %s", [forged, copy.pk], match="kept as written")
    assert IssuedReport.digest(bytes(IssuedReport.objects.get(pk=issued.pk).pdf)) == issued.pdf_sha256
    assert ReportReview.objects.get(pk=review.pk).action == "accepted"


def test_a_payment_inside_a_locked_period_is_refused_at_the_database(serving_role, issued, thanhhoa_2024):
    inside = Disbursement.objects.get(project=thanhhoa_2024["group"], paid_on=d(2024, 5, 15))
    outside = Disbursement.objects.get(project=thanhhoa_2024["group"], paid_on=d(2024, 10, 15))
    with serving_role():
        refused("UPDATE programmes_disbursement SET note = 'sửa lén' WHERE id = %s", [inside.pk], match="locked")
        refused("DELETE FROM programmes_disbursement WHERE id = %s", [inside.pk], match="locked")
        # Moved out of the period, or another payment moved into it: refused both ways.
        refused("UPDATE programmes_disbursement SET paid_on = '2024-07-15' WHERE id = %s", [inside.pk])
        refused("UPDATE programmes_disbursement SET paid_on = '2024-06-01' WHERE id = %s", [outside.pk])
        listed = columns_but(Disbursement, "id", "paid_on")
        refused(
            f"INSERT INTO programmes_disbursement ({listed}, paid_on) "
            f"SELECT {listed.replace('entry_token', 'NULL')}, '2024-06-30' FROM programmes_disbursement WHERE id = %s",
            [outside.pk],
            match="locked",
        )
        assert accepted("UPDATE programmes_disbursement SET note = 'ghi chú' WHERE id = %s", [outside.pk]) == 1
    inside.refresh_from_db()
    assert (inside.paid_on, inside.note, Disbursement.objects.filter(paid_on=d(2024, 6, 30)).exists()) == (
        d(2024, 5, 15),
        inside.note,
        False,
    )


def test_the_app_works_as_the_serving_role_and_an_unlock_reopens_the_period(
    serving_role, issued, spare, thanhhoa_2024, administrator, thanhhoa_officer
):
    inside = Disbursement.objects.get(project=thanhhoa_2024["group"], paid_on=d(2024, 5, 15))
    with serving_role():
        payment = disburse(spare, 1 * TRIEU, paid_on=d(2024, 9, 1), user=thanhhoa_officer)
        services.disbursement_delete(disbursement=payment, user=thanhhoa_officer)
        refused("UPDATE reports_periodlock SET date_until = '2024-03-31' WHERE id = %s", [issued.lock.pk])
        refused("UPDATE reports_periodlock SET unlocked_at = now() WHERE id = %s", [issued.lock.pk])  # no reason
        refused("DELETE FROM reports_periodlock WHERE id = %s", [issued.lock.pk], match="permission denied")
        report_services.period_unlock(lock=issued.lock, user=administrator, reason="Chứng từ ghi sai ngày")
        refused("UPDATE reports_periodlock SET unlocked_at = NULL WHERE id = %s", [issued.lock.pk])  # relocked
        assert accepted("UPDATE programmes_disbursement SET note = 'đã sửa' WHERE id = %s", [inside.pk]) == 1
    lock = PeriodLock.objects.get(pk=issued.lock.pk)
    assert lock.unlocked_at is not None and lock.history.latest().history_user == administrator


def test_an_import_batch_moves_forward_only_and_its_changes_are_kept(serving_role, thanhhoa_manager, administrator):
    project = ProjectFactory(code="AUDIT-01")
    rows = [["AUDIT-01", d(project.plan.year, 6, 1), 1_000_000, "", "Thanh toán", "C-1", ""]]
    data = xlsx(headers("disbursements"), rows)
    with serving_role():
        batch = import_services.batch_create(kind="disbursements", name="giai-ngan.xlsx", data=data,
                                             user=thanhhoa_manager)  # fmt: skip
        discarded = import_services.batch_create(kind="disbursements", name="thu.xlsx", data=data,
                                                 user=thanhhoa_manager)  # fmt: skip
        outcome = import_services.batch_import(batch=batch, user=thanhhoa_manager)
        assert outcome.written, outcome.errors
        change = ImportChange.objects.get(batch=batch)
        refused("UPDATE imports_importchange SET after = '{}' WHERE id = %s", [change.pk], match="permission denied")
        refused("DELETE FROM imports_importchange WHERE id = %s", [change.pk], match="permission denied")
        refused("UPDATE imports_importbatch SET file_data = 'x' WHERE id = %s", [batch.pk], match="keeps its file")
        refused("UPDATE imports_importbatch SET user_id = %s WHERE id = %s", [administrator.pk, batch.pk])
        refused("UPDATE imports_importbatch SET status = 'previewed' WHERE id = %s", [batch.pk], match="cannot go")
        refused("UPDATE imports_importbatch SET created = 5 WHERE id = %s", [batch.pk])
        refused("DELETE FROM imports_importbatch WHERE id = %s", [batch.pk], match="is kept")
        assert accepted("DELETE FROM imports_importbatch WHERE id = %s", [discarded.pk]) == 1  # never imported
        import_services.batch_void(batch=batch, user=administrator, reason="Nhập nhầm tệp")
        refused("UPDATE imports_importbatch SET status = 'imported' WHERE id = %s", [batch.pk], match="cannot go")
    assert ImportBatch.objects.get(pk=batch.pk).status == "voided" and not Disbursement.objects.exists()


def test_a_history_row_written_outside_a_request_names_its_process(serving_role, monkeypatch):
    payment = disburse(ProjectFactory(), 1 * TRIEU)
    record = payment.history.get()
    assert record.history_user is None and record.history_change_reason == audit.process_name()
    with serving_role():
        refused(
            "UPDATE programmes_historicaldisbursement SET history_change_reason = '' WHERE history_id = %s",
            [record.pk],
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s",
            ["programmes_historicaldisbursement_names_its_author"],
        )
        (definition,) = cursor.fetchone()
    assert "history_user_id IS NOT NULL" in definition
    monkeypatch.setattr("sys.argv", ["/srv/khuyencong/manage.py", "import_data", "disbursements", "x.xlsx"])
    assert audit.process_name() == "manage.py import_data"
    monkeypatch.setattr("sys.argv", ["/srv/venv/bin/gunicorn"])
    assert audit.process_name() == "gunicorn"


def test_a_history_row_naming_nobody_is_refused_at_the_database(thanhhoa_officer):
    payment = disburse(ProjectFactory(), 1 * TRIEU, user=thanhhoa_officer)
    listed = columns_but(Disbursement.history.model, "history_id", "history_user_id", "history_change_reason")
    refused(
        f"INSERT INTO programmes_historicaldisbursement ({listed}, history_change_reason) "
        f"SELECT {listed}, '' FROM programmes_historicaldisbursement WHERE id = %s",
        [payment.pk],
        match="names_its_author",
    )
    named = accepted(
        f"INSERT INTO programmes_historicaldisbursement ({listed}, history_change_reason) "
        f"SELECT {listed}, 'manage.py sửa_tay' FROM programmes_historicaldisbursement WHERE id = %s",
        [payment.pk],
    )
    assert named == 1


def test_the_command_refuses_a_role_that_could_lift_the_guards(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (owner,) = cursor.fetchone()
    with pytest.raises(CommandError, match="superuser"):
        call_command("grant_serving_role", owner)
    with pytest.raises(CommandError, match="does not exist"):
        call_command("grant_serving_role", "kc_nobody_here")
    with pytest.raises(CommandError, match="plain role name"):
        call_command("grant_serving_role", 'x"; DROP TABLE auth_user; --')
    assert audit.serving_role_problems()[:2] == ["superuser", f"owns {owned_tables()} tables"]  # the tests' role


def owned_tables() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
            " AND n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
        )
        return cursor.fetchone()[0]


def test_a_lock_passes_only_to_a_later_version_of_its_report(serving_role, issued, thanhhoa_manager):
    second = report_services.report_issue(report=issued.report, user=thanhhoa_manager, number="16/BC-SCT",
                                          issued_on=d(2024, 7, 6))  # fmt: skip
    lock = PeriodLock.objects.get(unlocked_at__isnull=True)
    assert lock.issued_report_id == second.pk
    with serving_role():
        refused("UPDATE reports_periodlock SET issued_report_id = %s WHERE id = %s", [issued.pk, lock.pk],
                match="may only be ended")  # fmt: skip
