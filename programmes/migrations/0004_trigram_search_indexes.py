"""On PostgreSQL, index the accent-free search keys with trigrams so that admin search
(`search_text LIKE '%…%'`) does not scan 300.000 đề án or 500.000 facilities.

pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it. Where it cannot
be created, search still works, only without the index; the migration says so and goes on.
SQLite needs nothing: its databases are small.
"""

from django.db import migrations, transaction

INDEXES = [
    ("programmes_project_search_trgm", "programmes_project"),
    ("programmes_facility_search_trgm", "programmes_facility"),
    ("programmes_province_search_trgm", "programmes_province"),
    ("programmes_organisation_search_trgm", "programmes_organisation"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as exc:  # noqa: BLE001 - any refusal means: go on without the index
        print(f"\n  pg_trgm is not available ({exc}); search works without trigram indexes.")
        return
    for name, table in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("programmes", "0003_reference_data")]

    operations = [migrations.RunPython(create, drop)]
