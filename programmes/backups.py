"""Backups that restore (manage.py backup, restore, verify_backup; PostgreSQL).

One archive per backup, `khuyencong-YYYYMMDD-HHMMSS.tar`: the database in pg_dump's custom format, the
uploaded and generated files (MEDIA_ROOT), and a manifest of every table's row count and money sums
(its bigint columns other than keys). The dump and the manifest read the same snapshot (pg_dump
--snapshot with one exported from the transaction that counts), so a restored copy must match the
manifest exactly, whatever was written while the backup ran.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import subprocess
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import psycopg
from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone

ARCHIVE_PREFIX = "khuyencong-"
DUMP = "database.dump"
MANIFEST = "manifest.json"
MEDIA = "media"


def database_url(alias_settings: dict | None = None) -> str:
    """The live database as a libpq URL (for pg_dump and psycopg)."""
    db = alias_settings or settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise CommandError("Backups need PostgreSQL (DATABASE_URL=postgres://…); a SQLite file is copied as it is.")
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + quote(name, safe="")))


def tables_and_sums(cursor) -> dict[str, dict]:
    """Every table of the public schema: its rows and the sum of each money-like (bigint) column."""
    cursor.execute(
        "SELECT c.table_name, c.column_name FROM information_schema.columns c "
        "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
        "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.data_type = 'bigint' "
        "AND c.column_name <> 'id' AND c.column_name NOT LIKE '%%\\_id' ORDER BY 1, 2"
    )
    money: dict[str, list[str]] = {}
    for table, column in cursor.fetchall():
        money.setdefault(table, []).append(column)
    cursor.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
        "AND table_type = 'BASE TABLE' ORDER BY 1"
    )
    result = {}
    for (table,) in cursor.fetchall():
        columns = money.get(table, [])
        sums = ", ".join(f'COALESCE(SUM("{column}"), 0)::text' for column in columns)
        cursor.execute(f'SELECT COUNT(*){", " + sums if sums else ""} FROM "{table}"')
        row = cursor.fetchone()
        result[table] = {"rows": row[0], "sums": dict(zip(columns, row[1:], strict=True))}
    return result


def backup(output: Path, keep: int) -> Path:
    url = database_url()
    output.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    archive = output / f"{ARCHIVE_PREFIX}{stamp}.tar"
    with tempfile.TemporaryDirectory() as work, psycopg.connect(url, autocommit=False) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        dump = Path(work) / DUMP
        run(["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}", f"--file={dump}", url])
        with conn.cursor() as cursor:
            tables = tables_and_sums(cursor)
        conn.rollback()
        manifest = {
            "created_at": timezone.now().isoformat(),
            "database": settings.DATABASES["default"]["NAME"],
            "tables": tables,
        }
        partial = archive.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as tar:
            tar.add(dump, arcname=DUMP)
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            if Path(settings.MEDIA_ROOT).is_dir():
                tar.add(settings.MEDIA_ROOT, arcname=MEDIA)
        os.replace(partial, archive)  # a half-written archive never carries the final name
    for old in sorted(output.glob(f"{ARCHIVE_PREFIX}*.tar"))[:-keep] if keep > 0 else []:
        old.unlink()
    return archive


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        member = tar.extractfile(MANIFEST)
        if member is None:
            raise CommandError(f"{archive} holds no {MANIFEST}: not a backup of this application.")
        return json.load(member)


def restore(archive: Path, target_url: str, media_root: Path | None) -> None:
    """Into an empty database only: a restore never mixes with rows already there."""
    with psycopg.connect(target_url, autocommit=True) as conn:
        existing = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()[0]
    if existing:
        raise CommandError(f"The target database already holds {existing} tables: restore only into an empty one.")
    with tempfile.TemporaryDirectory() as work, tarfile.open(archive) as tar:
        tar.extract(DUMP, work, filter="data")
        run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={target_url}", str(Path(work) / DUMP)])
        if media_root is not None:
            members = [m for m in tar.getmembers() if m.name == MEDIA or m.name.startswith(MEDIA + "/")]
            with tempfile.TemporaryDirectory() as unpacked:
                tar.extractall(unpacked, members=members, filter="data")
                source = Path(unpacked) / MEDIA
                if source.is_dir():
                    media_root.mkdir(parents=True, exist_ok=True)
                    for path in source.rglob("*"):
                        destination = media_root / path.relative_to(source)
                        if path.is_dir():
                            destination.mkdir(exist_ok=True)
                        else:
                            destination.parent.mkdir(parents=True, exist_ok=True)
                            path.replace(destination)


def verify(archive: Path) -> tuple[list[str], list[str]]:
    """Restore into a scratch database and compare it table by table with the manifest (must be equal)
    and with the live database (what changed since the backup, for information). Returns both lists."""
    manifest = read_manifest(archive)
    live_url = database_url()
    scratch = f"khuyencong_verify_{datetime.datetime.now():%Y%m%d%H%M%S}_{os.getpid()}"
    with psycopg.connect(with_database(live_url, "postgres"), autocommit=True) as admin:
        try:
            admin.execute(f'CREATE DATABASE "{scratch}"')
        except psycopg.errors.InsufficientPrivilege as exc:
            raise CommandError(
                "verify_backup restores into a scratch database, which this role may not create: run it with a"
                " DATABASE_URL whose role has CREATEDB (e.g. the superuser's, as in the README's schedule)."
            ) from exc
    try:
        restore(archive, with_database(live_url, scratch), None)
        with psycopg.connect(with_database(live_url, scratch)) as conn, conn.cursor() as cursor:
            restored = tables_and_sums(cursor)
        with psycopg.connect(live_url) as conn, conn.cursor() as cursor:
            live = tables_and_sums(cursor)
    finally:
        with psycopg.connect(with_database(live_url, "postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    return differences(manifest["tables"], restored), differences(restored, live)


def differences(expected: dict, found: dict) -> list[str]:
    lines = []
    for table in sorted(set(expected) | set(found)):
        a, b = expected.get(table), found.get(table)
        if a is None or b is None:
            lines.append(f"{table}: {'missing' if b is None else 'not in the backup'}")
            continue
        if a["rows"] != b["rows"]:
            lines.append(f"{table}: {a['rows']} rows, {b['rows']} found")
        for column in sorted(set(a["sums"]) | set(b["sums"])):
            if a["sums"].get(column) != b["sums"].get(column):
                lines.append(f"{table}.{column}: sum {a['sums'].get(column)}, {b['sums'].get(column)} found")
    return lines


def run(command: list[str]) -> None:
    """Run a PostgreSQL tool; a database URL's password goes in PGPASSWORD, not on the command line
    (where `ps` shows it to every user of the machine)."""
    env, args = dict(os.environ), []
    for part in command:
        option, url = part.split("=", 1) if part.startswith("--dbname=") else ("", part)
        if "://" in url:
            parts = urlsplit(url)
            if parts.password:
                env["PGPASSWORD"] = unquote(parts.password)
                netloc = parts.netloc.rsplit("@", 1)[1]
                user = parts.username
                url = urlunsplit(parts._replace(netloc=f"{quote(unquote(user), safe='')}@{netloc}" if user else netloc))
        args.append(f"{option}={url}" if option else url)
    done = subprocess.run(args, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise CommandError(f"{command[0]} failed: {done.stderr.strip()}")
