"""manage.py backup → restore → verify_backup on PostgreSQL: one archive with the database and the files,
restored into an empty database only, its row counts and money sums checked table by table."""

import io
import tarfile
import uuid

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from programmes import backups
from programmes.models import Project
from tests.factories import ProjectFactory, disburse

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_reference_data"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore back up PostgreSQL"),
]


@pytest.fixture
def empty_database():
    live = backups.database_url()
    name = f"khuyencong_restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(backups.with_database(live, "postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield backups.with_database(live, name)
    with psycopg.connect(backups.with_database(live, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_backup(output, **options) -> str:
    out = io.StringIO()
    call_command("backup", "--output", str(output), stdout=out, **options)
    return out.getvalue().strip().splitlines()[-1]


def test_backup_restore_verify(tmp_path, settings, empty_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "dinh-kem").mkdir(parents=True)
    (settings.MEDIA_ROOT / "dinh-kem" / "quyet-dinh.pdf").write_bytes(b"%PDF-1.4 quyet dinh")
    project = ProjectFactory(kc_support=300_000_000)
    disburse(project, 120_000_000)

    archive = run_backup(tmp_path / "backups")
    assert archive.startswith(str(tmp_path / "backups" / "khuyencong-")) and archive.endswith(".tar")
    with tarfile.open(archive) as tar:
        assert {"database.dump", "manifest.json", "media/dinh-kem/quyet-dinh.pdf"} <= set(tar.getnames())
    manifest = backups.read_manifest(archive)
    assert manifest["tables"]["programmes_project"]["rows"] == 1
    assert manifest["tables"]["programmes_project"]["sums"]["disbursed_amount"] == "120000000"

    restored_media = tmp_path / "restored-media"
    call_command("restore", archive, "--database-url", empty_database, "--media-root", str(restored_media))
    with psycopg.connect(empty_database) as conn:
        assert conn.execute("SELECT kc_support, disbursed_amount FROM programmes_project").fetchall() == [
            (300_000_000, 120_000_000)
        ]
    assert (restored_media / "dinh-kem" / "quyet-dinh.pdf").read_bytes() == b"%PDF-1.4 quyet dinh"

    # Restoring again into the same (now full) database is refused before anything is written.
    with pytest.raises(CommandError, match="already holds"):
        call_command("restore", archive, "--database-url", empty_database)

    # verify_backup: equal to the manifest; a write since the backup is reported, not a failure.
    disburse(Project.objects.get(), 30_000_000)
    out = io.StringIO()
    call_command("verify_backup", archive, stdout=out)
    report = out.getvalue()
    assert "OK:" in report
    assert "changed since the backup: programmes_project.disbursed_amount: sum 120000000, 150000000 found" in report


def test_a_restored_copy_that_differs_from_its_manifest_fails_verification(tmp_path, monkeypatch):
    ProjectFactory(kc_support=300_000_000)
    archive = run_backup(tmp_path)
    manifest = backups.read_manifest(archive)
    manifest["tables"]["programmes_project"]["rows"] += 1  # as if the dump had lost a đề án
    monkeypatch.setattr(backups, "read_manifest", lambda path: manifest)
    with pytest.raises(CommandError, match="programmes_project: 2 rows, 1 found"):
        call_command("verify_backup", archive)


def test_old_archives_beyond_the_retention_are_deleted(tmp_path):
    for stamp in ("20261201-010000", "20261202-010000", "20261203-010000"):
        (tmp_path / f"khuyencong-{stamp}.tar").write_bytes(b"")
    newest = run_backup(tmp_path, keep=2)
    assert sorted(path.name for path in tmp_path.glob("*.tar")) == [
        "khuyencong-20261203-010000.tar",
        newest.split("/")[-1],
    ]
