"""Field history: services compute what they changed and write it here (no signals)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from .db import insert_columns
from .models import FieldHistory
from .registry import run_history_hooks, run_record_change_hooks, run_record_change_hooks_many


@dataclass(frozen=True)
class Change:
    field_name: str
    field_label: str
    old_value: str
    new_value: str


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "pk") and hasattr(value, "_meta"):
        return str(value)
    return str(value)


def diff(before: dict, after: dict, labels: dict[str, str]) -> list[Change]:
    """Compare two ``{field: value}`` snapshots; answer the fields whose text form changed."""
    changes = []
    for name in after:
        old, new = as_text(before.get(name)), as_text(after.get(name))
        if old != new:
            changes.append(Change(name, labels.get(name, name), old, new))
    return changes


def history_record(
    *,
    object_name: str,
    record_id: int,
    changes: Iterable[Change],
    acting_user,
    record_version: int = 0,
    note: str = "",
    at=None,
) -> list[FieldHistory]:
    at = at or timezone.now()
    rows = [_row(object_name, record_id, c, acting_user, record_version, note, at) for c in changes]
    saved = FieldHistory.objects.bulk_create(rows)
    if saved:
        run_record_change_hooks(object_name=object_name, record_id=record_id)
        run_history_hooks(rows=saved)
    return saved


def _line_values(record_id: int, c: Change, note: str, record_version: int) -> tuple:
    """A change's values as a Field History row stores them, in the order of ``_LINE_COLUMNS``
    (values and note cut to what the row keeps)."""
    return (
        record_id,
        c.field_name,
        c.field_label,
        c.old_value[:10000],
        c.new_value[:10000],
        note[:300],
        record_version,
    )


def _row(object_name: str, record_id: int, c: Change, acting_user, record_version: int, note: str, at) -> FieldHistory:
    return FieldHistory(
        **dict(zip(_LINE_COLUMNS, _line_values(record_id, c, note, record_version), strict=True)),
        object_name=object_name,
        changed_by=acting_user if getattr(acting_user, "pk", None) else None,
        changed_at=at,
    )


@dataclass(frozen=True)
class RecordChange:
    """One change of one record, for ``history_record_many``."""

    record_id: int
    change: Change
    record_version: int = 0
    note: str = ""


@dataclass(frozen=True)
class HistoryLine:
    """A Field History row written by ``history_record_many``, as its hooks read it (the fields of
    ``FieldHistory``, without a model instance per row)."""

    pk: int
    object_name: str
    record_id: int
    field_name: str
    field_label: str
    old_value: str
    new_value: str
    note: str
    record_version: int
    changed_by_id: int | None
    changed_at: object


# The columns of a ``HistoryLine`` that differ from change to change, in its order.
_LINE_COLUMNS = ("record_id", "field_name", "field_label", "old_value", "new_value", "note", "record_version")


def history_record_many(
    *, object_name: str, changes: Iterable[RecordChange], acting_user, at=None, run_hooks: bool = True
) -> list[HistoryLine]:
    """``history_record`` for the changes of many records at once (one insert, by column), in
    order; the change hooks run once for all the records (``run_hooks=False``: the caller runs
    them once when its batch is complete)."""
    at = at or timezone.now()
    changes = list(changes)
    if not changes:
        return []
    actor = acting_user.pk if getattr(acting_user, "pk", None) else None
    values = [_line_values(c.record_id, c.change, c.note, c.record_version) for c in changes]
    columns = dict(zip(_LINE_COLUMNS, map(list, zip(*values, strict=True)), strict=True))
    pks = insert_columns(
        FieldHistory, rows=columns, same={"object_name": object_name, "changed_by_id": actor, "changed_at": at}
    )
    saved = [HistoryLine(pk, object_name, *row, actor, at) for pk, row in zip(pks, values, strict=True)]
    run_history_hooks(rows=saved)
    if run_hooks:
        record_ids = list(dict.fromkeys(row.record_id for row in saved))
        run_record_change_hooks_many(object_name=object_name, record_ids=record_ids)
    return saved


def history_for(*, object_name: str, record_id: int, since_version: int | None = None):
    qs = FieldHistory.objects.filter(object_name=object_name, record_id=record_id).select_related("changed_by")
    if since_version is not None:
        qs = qs.filter(record_version__gt=since_version)
    return qs
