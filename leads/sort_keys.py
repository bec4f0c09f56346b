"""The sort keys that higher apps keep on the lead row: the default scoring model's score, grade and
time computed (scoring), and the time of the lead's newest activity (engagement, notes, calls,
tasks). Kept on the row so that the lead list reads its first page by them off an index
(``lead_score_idx``, ``lead_last_activity_idx``) however many leads there are.

Higher apps call these writes; the leads app never imports them. They are no edit of the lead: no
version, no Field History, no record-change hooks. Each is one statement for many leads, the rows
locked in id order (so that two workers never wait on each other in a circle)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.db import connection

from .models import Lead

ScoreRow = tuple[int, int | None, str | None, datetime | None]

_TABLE = Lead._meta.db_table


def _values(rows: list[tuple], casts: tuple[str, ...]) -> tuple[str, list]:
    row_sql = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
    return ", ".join([row_sql] * len(rows)), [value for row in rows for value in row]


def leads_score_set(*, rows: Iterable[ScoreRow]) -> int:
    """Store ``(lead_id, score, grade, computed_at)`` for each lead (``None``s when the default model
    does not score it); answers how many leads changed. A lead whose score and grade stay as they
    were is not written: ``score_updated_at`` is when they last changed, and a full recompute of a
    million leads rewrites only the rows it moved."""
    rows = sorted({row[0]: row for row in rows}.values())
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        return sum(
            Lead.objects.filter(pk=pk)
            .exclude(score=score, grade=grade)
            .update(score=score, grade=grade, score_updated_at=at)
            for pk, score, grade, at in rows
        )
    values, params = _values(rows, ("bigint", "smallint", "varchar", "timestamptz"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {_TABLE} AS l SET score = v.score, grade = v.grade, score_updated_at = v.at
                FROM (VALUES {values}) AS v (id, score, grade, at)
                WHERE l.id = v.id AND (l.score, l.grade) IS DISTINCT FROM (v.score, v.grade)""",
            params,
        )
        return cursor.rowcount


def leads_score_set_from(*, source_sql: str, params: Mapping | None = None) -> int:
    """The set-based form of ``leads_score_set`` (PostgreSQL): ``source_sql`` selects the columns
    ``lead_id, score, grade, computed_at``; leads it names get them. Answers how many leads changed."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {_TABLE} AS l SET score = s.score, grade = s.grade, score_updated_at = s.computed_at
                FROM ({source_sql}) AS s
                WHERE l.id = s.lead_id AND (l.score, l.grade) IS DISTINCT FROM (s.score, s.grade)""",
            params or {},
        )
        return cursor.rowcount


def leads_score_clear(*, keep_sql: str = "", params: Mapping | None = None) -> int:
    """Forget the score of every lead, except those ``keep_sql`` (a query of lead ids) selects."""
    keep = f" AND id NOT IN ({keep_sql})" if keep_sql else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_TABLE} SET score = NULL, grade = NULL, score_updated_at = NULL "
            f"WHERE (score IS NOT NULL OR grade IS NOT NULL OR score_updated_at IS NOT NULL){keep}",
            params or {},
        )
        return cursor.rowcount


def leads_last_activity_advance(*, times: Mapping[int, datetime]) -> int:
    """Move each lead's last activity forward to the given time (never back); one conditional
    UPDATE for all of them. Answers how many leads moved."""
    rows = sorted((pk, at) for pk, at in times.items() if pk and at)
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        return sum(
            Lead.objects.filter(pk=pk).exclude(last_activity_at__gte=at).update(last_activity_at=at) for pk, at in rows
        )
    values, params = _values(rows, ("bigint", "timestamptz"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {_TABLE} AS l SET last_activity_at = v.at
                FROM (VALUES {values}) AS v (id, at)
                WHERE l.id = v.id AND (l.last_activity_at IS NULL OR l.last_activity_at < v.at)""",
            params,
        )
        return cursor.rowcount


def lead_last_activity_advance(*, lead_id: int, at: datetime) -> bool:
    """``leads_last_activity_advance`` for one lead; answers whether it moved."""
    return bool(leads_last_activity_advance(times={lead_id: at}))


def lead_activity_note(lead: Lead, *, at: datetime) -> None:
    """A person changed the lead's status: that is activity too. Moves the last activity of a
    locked lead that its service is about to save (never back)."""
    if lead.last_activity_at is None or lead.last_activity_at < at:
        lead.last_activity_at = at
