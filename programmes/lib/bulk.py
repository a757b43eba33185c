"""Fast bulk loading for generated data: PostgreSQL COPY, SQLite executemany.

Rows are dicts keyed by field attname; missing fields take the model's default. Primary keys
are assigned here (from the table's current maximum), so related rows can point at them before
anything is written; sequences are reset at the end. Use inside one transaction, with no other
writer on the tables (as generate_data does).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.management.color import no_style
from django.db import connection
from django.db.models import NOT_PROVIDED, Max, Model


class BulkLoader:
    def __init__(self, batch_size: int = 20_000):
        self.batch_size = batch_size
        self.vendor = connection.vendor
        self.next_id: dict[type[Model], int] = {}
        self.written: set[type[Model]] = set()

    def reserve_id(self, model: type[Model]) -> int:
        if model not in self.next_id:
            self.next_id[model] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    def columns(self, model: type[Model], with_pk: bool) -> list:
        return [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]

    def write(self, model: type[Model], rows: Iterable[dict], with_pk: bool = True) -> int:
        fields = self.columns(model, with_pk)
        defaults = {}
        for f in fields:
            if f.default is not NOT_PROVIDED:
                defaults[f.attname] = f.default() if callable(f.default) else f.default
            else:
                defaults[f.attname] = (
                    None if f.null else ("" if f.get_internal_type() in ("CharField", "TextField") else None)
                )
        names = [f.attname for f in fields]
        table = connection.ops.quote_name(model._meta.db_table)
        column_sql = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        count = 0
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                raw = cursor.cursor  # the psycopg cursor under Django's wrapper
                with raw.copy(f"COPY {table} ({column_sql}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([row.get(name, defaults[name]) for name in names])
                        count += 1
            else:
                placeholders = ", ".join("?" for _ in fields)
                sql = f"INSERT INTO {table} ({column_sql}) VALUES ({placeholders})"
                batch = []
                for row in rows:
                    batch.append([_sqlite_value(row.get(name, defaults[name])) for name in names])
                    count += 1
                    if len(batch) >= self.batch_size:
                        cursor.executemany(sql, batch)
                        batch.clear()
                if batch:
                    cursor.executemany(sql, batch)
        if with_pk:
            self.written.add(model)
        return count

    def finish(self) -> None:
        """Move the id sequences past the ids assigned here."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.written))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _sqlite_value(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value
