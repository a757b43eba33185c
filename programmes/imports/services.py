"""Imports: check a file (preview), import it all or nothing, void a batch; every write through programmes.services.

A check reads the file, resolves every row and then writes every row through the services
inside one transaction — so a row is judged exactly as a form would judge it, money limits,
period locks and lifecycle included — and rolls the transaction back: the preview shows what
would happen and changes nothing. Importing runs the same check again on the kept file and keeps
the transaction only when no row failed. Voiding reverses a batch's changes through the services,
newest first, refused (all of it) where a later change depends on one of them.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes import caps, locks
from programmes import services as programme_services
from programmes.access import is_administrator, may_import, user_province
from programmes.lib.text import text_problem

from .files import RefusedFile, read_table
from .formats import FORMATS
from .importers import IMPORTERS, Change, Row, RowError, described_changes
from .models import ImportBatch, ImportChange
from .widgets import is_blank
from .workbooks import ERROR_HEADER


@dataclass
class Outcome:
    """What a file would do (or did): every row's action, every bad row's reasons."""

    kind: str
    rows: list[Row] = field(default_factory=list)
    file_error: str = ""
    ignored_columns: list[str] = field(default_factory=list)  # headers of the file no column of the kind has
    written: bool = False
    changes: list[Change] = field(default_factory=list)

    @property
    def errors(self) -> list[tuple[int, str, str]]:
        if self.file_error:
            return [(0, "", self.file_error)]
        return [(row.number, column, message) for row in self.rows for column, message in row.errors]

    @property
    def bad_rows(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action and not row.errors)

    @property
    def created(self) -> int:
        return self.count("new")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def notes(self) -> list[str]:
        seen = []
        for row in self.rows:
            for note in row.notes:
                if note not in seen:
                    seen.append(note)
        return seen

    @property
    def ok(self) -> bool:
        return not self.file_error and not any(row.errors for row in self.rows)


def _messages(error: ValidationError | PermissionDenied, columns: dict[str, str]) -> list[tuple[str, str]]:
    if isinstance(error, PermissionDenied):
        return [("", str(error) or _("You may not change this record."))]
    if hasattr(error, "error_dict"):
        result = []
        for name, messages in error.message_dict.items():
            for message in messages:
                result.append((columns.get(name, ""), message))
        return result
    return [("", message) for message in error.messages]


def ignored_columns(headers, format_) -> list[str]:
    """The file's headers no column of the kind reads (a misspelt or extra column), each once: the
    preview names them, so no column is dropped without a word."""
    # The error file's own column of reasons, uploaded again once corrected, is not an extra one.
    known = {column.column_name.casefold() for column in format_.columns()} | {ERROR_HEADER.casefold()}
    ignored = []
    for header in headers:
        if header and header.casefold() not in known and header not in ignored:
            ignored.append(header)
    return ignored


def _parse(table, format_, progress) -> tuple[list[Row], str]:
    """The file's non-blank rows with their cells cleaned by the format's widgets."""
    positions = {}
    for index, header in enumerate(table.headers):
        if header and header.casefold() not in positions:
            positions[header.casefold()] = index
    columns = format_.columns()
    missing = [c.column_name for c in columns if c.required and c.column_name.casefold() not in positions]
    if missing:
        return [], _("The file lacks the column(s): %(columns)s. Start from the template of this kind.") % {
            "columns": ", ".join(f"“{name}”" for name in missing)
        }
    rows = []
    for number, cells in table.rows:
        if all(is_blank(cell) for cell in cells):
            continue
        row = Row(number=number, values={})
        for column in columns:
            index = positions.get(column.column_name.casefold())
            cell = cells[index] if index is not None and index < len(cells) else None
            try:
                value = column.widget.clean(cell)
                problem = text_problem(value) if isinstance(value, str) else None
                if problem:  # the text rule of every field (cells are single-line once read)
                    raise ValueError(problem)
            except ValueError as exc:
                row.fail(column.column_name, str(exc))
                value = None
            if column.required and is_blank(value) and not any(c == column.column_name for c, _m in row.errors):
                row.fail(column.column_name, _("This column is required."))
            row.values[column.key] = value
        rows.append(row)
        if progress and len(rows) % 1000 == 0:
            progress("read", len(rows), None)
    return rows, ""


def check(
    kind: str,
    name: str,
    data: bytes,
    *,
    user,
    batch: ImportBatch | None = None,
    commit: bool = False,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> Outcome:
    """Judge every row of the file (and, with `commit`, keep its changes when every row is good)."""
    outcome = Outcome(kind)
    if not may_import(user):
        outcome.file_error = _("Ministry reviewers cannot import data.")
        return outcome
    format_ = FORMATS[kind]
    try:
        table = read_table(name, data)
        outcome.ignored_columns = ignored_columns(table.headers, format_)
        rows, outcome.file_error = _parse(table, format_, progress)
    except RefusedFile as exc:
        outcome.file_error = str(exc)
        return outcome
    if outcome.file_error:
        return outcome
    if not rows:
        outcome.file_error = _("The file has no rows to import.")
        return outcome
    outcome.rows = rows
    reason = batch.reason if batch else _("Import of file %(file)s") % {"file": name}
    importer = IMPORTERS[kind](user, reason)
    good = [row for row in rows if not row.errors]
    with transaction.atomic(), locks.memoised():
        # One transaction from the first read: an importer may lock what it reads (payments lock
        # their đề án), so a file confirmed at the same moment waits and then sees this one's rows.
        _judge_and_write(importer, good, outcome, batch=batch, commit=commit, progress=progress)
    if not outcome.written:
        outcome.changes = []
    return outcome


def _judge_and_write(importer, good: list[Row], outcome: Outcome, *, batch, commit: bool, progress) -> None:
    with caps.read_once():  # the support caps and the facilities' capped lines, read once for the file
        _judge_and_write_rows(importer, good, outcome, batch=batch, commit=commit, progress=progress)


def _judge_and_write_rows(importer, good: list[Row], outcome: Outcome, *, batch, commit: bool, progress) -> None:
    importer.prepare(good)
    seen: dict[tuple, int] = {}
    for row in good:
        try:
            importer.resolve(row)
        except RowError as exc:
            row.fail(exc.column, exc.message)
            continue
        first = seen.setdefault(row.key, row.number)
        if first != row.number:
            row.fail("", _("Duplicate of row %(row)s.") % {"row": first})
    ready = sorted((row for row in good if not row.errors and row.action != "unchanged"), key=importer.order)

    def report(row: Row, error_or_write):
        """Write a row (a callable) or record a service's refusal of it; return the changes."""
        error = error_or_write
        if callable(error_or_write):
            try:
                return error_or_write(row)
            except (ValidationError, PermissionDenied) as exc:
                error = exc
            except IntegrityError:
                row.fail("", _("The database refused this row (it breaks a rule of the register)."))
                return []
        for column, message in _messages(error, importer.columns):
            row.fail(column, message)
        return []

    if hasattr(importer, "write_all"):
        outcome.changes.extend(importer.write_all(ready, report))
        if progress:
            progress("write", len(ready), len(ready))
    else:
        for done, row in enumerate(ready, start=1):
            outcome.changes.extend(report(row, importer.write))
            if progress and (done % 250 == 0 or done == len(ready)):
                progress("write", done, len(ready))
    if commit and outcome.ok:
        _record(batch, outcome)
        outcome.written = True
    else:
        transaction.set_rollback(True)


def _record(batch: ImportBatch, outcome: Outcome) -> None:
    changes = []
    for position, change in enumerate(outcome.changes, start=1):
        instance = change.instance
        changes.append(
            ImportChange(
                batch=batch,
                position=position,
                row_number=change.row_number,
                model=instance._meta.label_lower,
                object_id=instance.pk,
                action=change.action,
                label=(change.label or str(instance))[:300],
                before=change.before,
                after=change.after,
            )
        )
    ImportChange.objects.bulk_create(changes, batch_size=2_000)
    batch.status = ImportBatch.Status.IMPORTED
    batch.imported_at = timezone.now()
    batch.rows = len(outcome.rows)
    batch.created, batch.updated, batch.unchanged = outcome.created, outcome.updated, outcome.unchanged
    batch.errors = []
    batch.summary = summary(outcome)
    batch.save()


# --- Batches --------------------------------------------------------------------------------------


def batch_create(*, kind: str, name: str, data: bytes, user, source: str = "web") -> ImportBatch:
    """Keep an uploaded file as a batch to preview (nothing imported yet)."""
    if kind not in FORMATS:
        raise ValidationError({"kind": _("Choose what the file holds.")})
    if not may_import(user):
        raise PermissionDenied(_("Ministry reviewers cannot import data."))
    province = user_province(user) if user is not None else None
    return ImportBatch.objects.create(
        kind=kind,
        user=user,
        source=source,
        current_province=province,
        file_name=name[:255],
        file_data=data,
        sha256=hashlib.sha256(data).hexdigest(),
    )


SAMPLE_ROWS = 200


def summary(outcome: Outcome) -> dict:
    """What the preview page shows: counts, notes and the first rows' actions."""
    good = (row for row in outcome.rows if not row.errors)
    sample = [
        [row.number, row.action, row.label, described_changes(row)] for row in itertools.islice(good, SAMPLE_ROWS)
    ]
    return {
        "created": outcome.created,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "bad_rows": outcome.bad_rows,
        "notes": outcome.notes[:SAMPLE_ROWS],
        "ignored_columns": outcome.ignored_columns,
        "sample": sample,
    }


def _keep_check(batch: ImportBatch, outcome: Outcome) -> None:
    batch.rows, batch.errors, batch.summary = len(outcome.rows), outcome.errors, summary(outcome)
    ImportBatch.objects.filter(pk=batch.pk).update(rows=batch.rows, errors=batch.errors, summary=batch.summary)


def batch_preview(*, batch: ImportBatch, user, progress=None) -> Outcome:
    """Judge the batch's file without writing; keep what it found for the page and the error workbook."""
    outcome = check(batch.kind, batch.file_name, bytes(batch.file_data), user=user, batch=batch, progress=progress)
    _keep_check(batch, outcome)
    return outcome


def may_confirm(batch: ImportBatch, user) -> bool:
    """The person who uploaded a file imports it (or an administrator, or the system)."""
    return user is None or batch.user_id == user.pk or is_administrator(user)


def batch_import(*, batch: ImportBatch, user, progress=None) -> Outcome:
    """Import the batch's file, all or nothing. A batch is imported once."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.PREVIEWED:
            raise ValidationError(_("This file has already been imported (or voided)."))
        if not may_confirm(locked, user):
            raise PermissionDenied(_("Only the person who uploaded the file may import it."))
        outcome = check(
            locked.kind, locked.file_name, bytes(locked.file_data), user=user, batch=locked, commit=True,
            progress=progress,
        )  # fmt: skip
    if not outcome.written:
        _keep_check(batch, outcome)
    batch.refresh_from_db()
    return outcome


def batch_void(*, batch: ImportBatch, user, reason: str) -> int:
    """Reverse every change of an imported batch, newest first, through the services; all or nothing.

    Refused, naming the record, when a record was changed after the import (its values are no
    longer what the batch wrote) or when later records depend on one it created.
    """
    if user is not None and not is_administrator(user):
        raise PermissionDenied(_("Only an administrator may void an import."))
    if not reason.strip():
        raise ValidationError({"void_reason": _("Give the reason for voiding the import.")})
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.IMPORTED:
            raise ValidationError(_("Only an imported batch can be voided."))
        void_reason = _("Void of import no. %(number)s: %(reason)s") % {"number": locked.pk, "reason": reason}
        reversed_count = 0
        ours = {(change.model, change.object_id) for change in locked.changes.only("model", "object_id")}
        for change in locked.changes.order_by("-position"):
            model = apps.get_model(change.model)
            instance = model._default_manager.filter(pk=change.object_id).first()
            if instance is None:
                if change.action == ImportChange.Action.CREATED:
                    continue  # already deleted by someone: nothing to reverse
                raise ValidationError(_("%(record)s no longer exists.") % {"record": change.label})
            for name, value in change.after.items():
                current = getattr(instance, name)
                current = current.isoformat() if hasattr(current, "isoformat") else current
                if current != value:
                    raise ValidationError(
                        _("%(record)s was changed after this import; undo that change first or correct it by hand.")
                        % {"record": change.label}
                    )
            if change.action == ImportChange.Action.CREATED:
                dependent = _later_dependent(instance, ours)
                if dependent is not None:
                    raise ValidationError(
                        _("%(record)s cannot be removed: %(dependent)s (%(kind)s) was recorded on it later.")
                        % {"record": change.label, "dependent": dependent, "kind": dependent._meta.verbose_name}
                    )
            try:
                _reverse(change, instance, user, void_reason)
            except (ValidationError, PermissionDenied) as exc:
                messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                raise ValidationError(
                    _("%(record)s cannot be reversed: %(reason)s")
                    % {"record": change.label, "reason": " ".join(messages)}
                ) from exc
            reversed_count += 1
        locked.status = ImportBatch.Status.VOIDED
        locked.voided_at = timezone.now()
        locked.voided_by = user
        locked.void_reason = reason.strip()[:300]
        locked.save()
    batch.refresh_from_db()
    return reversed_count


def _later_dependent(instance, ours: set[tuple[str, int]]):
    """A record that refers to `instance` and that the batch did not write itself, or None."""
    for relation in instance._meta.get_fields():
        if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
            continue
        related = relation.related_model
        if related._meta.app_label != "programmes":
            continue
        label = related._meta.label_lower
        for candidate in related._default_manager.filter(**{relation.field.name: instance}).order_by("pk")[:50]:
            if (label, candidate.pk) not in ours:
                return candidate
    return None


def _reverse(change: ImportChange, instance, user, reason: str) -> None:
    """Delete what the batch created, or put back what it changed, through the model's service."""
    if change.action == ImportChange.Action.CREATED:
        programme_services.delete(instance, user=user, reason=reason)
        return
    for name, value in change.before.items():
        model_field = instance._meta.get_field(name)  # attnames (plan_id) resolve too
        setattr(instance, model_field.attname, None if value is None else model_field.to_python(value))
    programme_services.save(instance, user=user, reason=reason)
