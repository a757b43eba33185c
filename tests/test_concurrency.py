"""Parallel disbursements on one đề án can never together exceed its KC support.

Runs on PostgreSQL only: SQLite has a single writer, so there is no parallel write to race.
"""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from programmes.models import Disbursement, Project
from tests.factories import ProjectFactory, disburse

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_reference_data"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

WORKERS = 8


def run_in_parallel(target, count: int) -> list[str]:
    """Start `count` threads that call `target` at the same moment; return each outcome."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            target(index)
            result = "ok"
        except (ValidationError, IntegrityError):
            result = "refused"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_parallel_service_calls_cannot_overspend():
    project = ProjectFactory(kc_support=300_000_000)
    # Eight people each try to pay 100 triệu at once: only three payments fit.
    outcomes = run_in_parallel(lambda i: disburse(project, 100_000_000, voucher_number=f"PC-{i}"), WORKERS)

    assert sorted(outcomes) == ["ok"] * 3 + ["refused"] * (WORKERS - 3)
    project.refresh_from_db()
    assert project.disbursed_amount == 300_000_000
    assert Disbursement.objects.filter(project=project).count() == 3
    assert sum(Disbursement.objects.filter(project=project).values_list("amount", flat=True)) == 300_000_000


def test_parallel_raw_inserts_are_stopped_by_the_database():
    """Even writers that skip the service and its lock cannot overspend."""
    project = ProjectFactory(kc_support=250_000_000)

    def insert(i: int) -> None:
        with transaction.atomic():
            Disbursement.objects.create(
                project_id=project.pk,
                paid_on=datetime.date(2024, 6, 1),
                amount=100_000_000,
                source=Disbursement.Source.PROVINCIAL,
                kind=Disbursement.Kind.PAYMENT,
                voucher_number=f"RAW-{i}",
            )

    outcomes = run_in_parallel(insert, WORKERS)

    assert outcomes.count("ok") == 2
    project.refresh_from_db()
    assert project.disbursed_amount == 200_000_000
    assert Project.objects.get(pk=project.pk).disbursements.count() == 2
