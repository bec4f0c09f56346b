"""The full recompute of a scoring model, set-based: every open lead scored by a few SQL statements
per range of lead ids, not a Python loop per lead.

Fit rules' criteria are compiled to SQL conditions on the lead's columns (``criterion_sql``: the
same normalisation as ``core.criteria`` — trimmed, case-insensitive text, exact picklist values,
blank numbers never compared); behaviour points are aggregated over the engagement events grouped
by lead, rule and day, capped per day and decayed by the age of the day's newest event in SQL; fit
and behaviour combine as ``domain.compute`` does (Python's and PostgreSQL's ``round`` of a double
both round halves to even). One statement per range writes the score rows, with the explanation
and a history row for each changed score; the MQL crossings of the range are then claimed and
handed off in the same transaction (``mql.crossings_apply``).

What the SQL does not cover (criteria on custom fields, dates and lookups, URL patterns with
``?`` or ``[``, velocity and status-progression rules, another database than PostgreSQL) is
scored by the batched Python path of ``services.model_recompute`` instead: the same scores,
slower. The model page shows the progress either way."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.criteria import (
    _TEXT_TYPES,
    And,
    CompiledCriteria,
    CompiledCriterion,
    Not,
    Or,
    Ref,
    _text_norm,
    _to_bool,
    _to_decimal,
)
from engagement.models import EngagementEvent
from leads.models import Lead
from leads.sort_keys import leads_score_set_from

from . import mql, services
from .models import LeadScore, ScoringModel

BATCH_IDS = 100_000
_NUMBER_TYPES = ("number", "currency", "percent")
_WHITESPACE = " \t\n\r\x0b\x0c"


class NotCompilable(Exception):
    """A criterion or rule the set-based path cannot express exactly: score in Python."""


@dataclass(frozen=True)
class Outcome:
    scored: int
    qualified: int
    set_based: bool


# Criteria to SQL -------------------------------------------------------------------------------


def _column(name: str) -> str:
    try:
        field = Lead._meta.get_field(name)
    except FieldDoesNotExist:
        raise NotCompilable(name) from None
    if not getattr(field, "column", None) or field.is_relation:
        raise NotCompilable(name)
    return "l." + connection.ops.quote_name(field.column)


def _ascii(values) -> None:
    # Python's casefold and PostgreSQL's lower agree on ASCII only.
    if any(not str(v).isascii() for v in values):
        raise NotCompilable("non-ASCII text")


def criterion_sql(compiled: CompiledCriterion) -> tuple[str, list]:
    """One compiled criterion as a SQL condition on the lead row ``l`` that is true exactly when
    ``compiled.matches`` is; raises ``NotCompilable`` for what it cannot express."""
    if compiled.error:
        return "FALSE", []
    if compiled.is_custom:
        raise NotCompilable("custom field")
    criterion, ftype = compiled.criterion, compiled.field_type
    column = _column(criterion.field)
    operator = criterion.operator
    values = criterion.value if isinstance(criterion.value, list) else [criterion.value]
    text = ftype in _TEXT_TYPES
    if operator in ("is_blank", "is_not_blank"):
        if ftype in _NUMBER_TYPES:
            condition = f"{column} IS NULL"
        elif text or ftype == "picklist":
            condition = f"btrim(COALESCE({column}, ''), %s) = ''"
            return (condition if operator == "is_blank" else f"NOT ({condition})"), [_WHITESPACE]
        else:
            raise NotCompilable(ftype)
        return (condition if operator == "is_blank" else f"NOT ({condition})"), []
    if text or ftype == "picklist":
        if text:
            _ascii(values)
            wanted = [_text_norm(v) for v in values]
            value_sql, params = f"lower(btrim(COALESCE({column}, ''), %s))", [_WHITESPACE]
        else:
            wanted = [str(v) for v in values]
            value_sql, params = f"COALESCE({column}, '')", []
        if operator in ("equals", "includes"):
            return f"{value_sql} = ANY(%s)", [*params, wanted]
        if operator in ("not_equal", "excludes"):
            return f"NOT ({value_sql} = ANY(%s))", [*params, wanted]
        if operator in ("contains", "not_contain"):
            condition = " OR ".join(f"strpos({value_sql}, %s) > 0" for _w in wanted)
            condition_params = [p for w in wanted for p in (*params, w)]
            return (f"({condition})" if operator == "contains" else f"NOT ({condition})"), condition_params
        if operator == "starts_with":
            condition = " OR ".join(f"left({value_sql}, %s) = %s" for _w in wanted)
            return f"({condition})", [p for w in wanted for p in (*params, len(w), w)]
        raise NotCompilable(operator)
    if ftype == "checkbox":
        expected = _to_bool(values[0])
        return (f"{column} = %s" if operator == "equals" else f"{column} <> %s"), [expected]
    if ftype in _NUMBER_TYPES:
        bound = _to_decimal(values[0])
        sql_op = {"equals": "=", "lt": "<", "gt": ">", "lte": "<=", "gte": ">="}.get(operator)
        if operator == "not_equal":
            return f"{column} IS DISTINCT FROM %s", [bound]
        if sql_op is None:
            raise NotCompilable(operator)
        return f"COALESCE({column} {sql_op} %s, FALSE)", [bound]
    raise NotCompilable(ftype)


def criteria_sql(compiled: CompiledCriteria) -> tuple[str, list]:
    """The criteria with their filter logic as one SQL condition."""
    if compiled.node is None:
        return "FALSE", []

    def walk(node) -> tuple[str, list]:
        if isinstance(node, Ref):
            return criterion_sql(compiled.criteria[node.index - 1])
        if isinstance(node, Not):
            inner, params = walk(node.child)
            return f"NOT ({inner})", params
        if isinstance(node, And | Or):
            parts = [walk(child) for child in node.children]
            joiner = " AND " if isinstance(node, And) else " OR "
            return "(" + joiner.join(f"({sql})" for sql, _p in parts) + ")", [p for _s, params in parts for p in params]
        raise NotCompilable(type(node).__name__)

    return walk(compiled.node)


def like_pattern(pattern: str) -> str:
    """A behaviour rule's URL pattern as a LIKE pattern on the lower-cased URL (contains, with *
    for any text), as ``domain.url_matches`` reads it."""
    if any(ch in pattern for ch in "?["):
        raise NotCompilable("URL pattern")
    escaped = pattern.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "%" + escaped.replace("*", "%") + "%"


# The statement ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    behaviour: str  # stage 1 (empty without behaviour rules)
    upsert: str  # stage 2, per range of lead ids
    bound: dict


BEHAVIOUR_TABLE = "scoring_recompute_behaviour"


def _statement(model: ScoringModel, prepared) -> Statement:
    """The statements of a full recompute: stage 1 aggregates every lead's behaviour points into a
    temporary table, stage 2 upserts one id range's scores; SQL with named slots (``lo``, ``hi``,
    ``now``, ``since``, ``model``, ``version``) and the rules' bound values. Raises
    ``NotCompilable``."""
    if getattr(prepared, "velocity", None) or getattr(prepared, "progression", None):
        raise NotCompilable("velocity or progression rules")
    bound: dict = {}

    def bind(condition: str, params: list) -> str:
        """The condition with each positional slot named (values land in ``bound``)."""
        pieces = condition.split("%s")
        out = [pieces[0]]
        for value, piece in zip(params, pieces[1:], strict=True):
            name = f"p{len(bound)}"
            bound[name] = value
            out.append(f"%({name})s{piece}")
        return "".join(out)

    fit_columns, fit_sum, fit_lines = [], [], []
    for position, entry in enumerate(prepared.compiled.entries, start=1):
        fit_columns.append(f"({bind(*criteria_sql(entry.criteria))}) AS m{position}")
        points = int(entry.entry.points)
        fit_sum.append(f"(CASE WHEN m{position} THEN {points} ELSE 0 END)")
        if points:
            label = entry.entry.label or _("Fit rule %(number)s") % {"number": entry.number}
            fit_lines.append(
                bind(
                    f"(CASE WHEN m{position} THEN jsonb_build_array(jsonb_build_object('rule', %s::text, "
                    f"'points', {points})) ELSE '[]'::jsonb END)",
                    [label],
                )
            )
    rule_rows = []
    for position, rule in enumerate(prepared.behaviour, start=1):
        pattern = like_pattern(rule.url_pattern) if rule.url_pattern else ""
        rule_rows.append(
            bind(
                "(%s::int, %s::text, %s::text, %s::int, %s::int, %s::text)",
                [position, rule.event_type, pattern, rule.points, rule.daily_cap, rule.label],
            )
        )
    half_life = int(model.decay_half_life_days)
    weights = model.fit_weight + model.behaviour_weight
    lead_columns = ", ".join(["l.id", *fit_columns])
    fit_score = f"LEAST(100, GREATEST(0, {' + '.join(fit_sum) or '0'}))"
    fit_json = " || ".join(fit_lines) or "'[]'::jsonb"
    events_table = EngagementEvent._meta.db_table
    rules_cte = f"rules (pos, event_type, pattern, points, cap, label) AS (VALUES {', '.join(rule_rows)})"
    # Stage 1, once for all leads: each lead's points per behaviour rule, from one scan of the
    # events (the table is not ordered by lead, so one pass beats a range scan per batch).
    behaviour_sql = (
        f"""
        CREATE TEMP TABLE {BEHAVIOUR_TABLE} AS
        WITH {rules_cte},
        days AS (
            SELECT e.lead_id, r.pos, (e.occurred_at AT TIME ZONE 'UTC')::date AS day,
                   count(*) AS n, max(e.occurred_at) AS newest
            FROM {events_table} e JOIN rules r
              ON e.event_type = r.event_type AND (r.pattern = '' OR lower(e.url) LIKE r.pattern)
            WHERE e.lead_id IS NOT NULL AND NOT e.is_machine
              AND e.occurred_at >= %(since)s AND e.occurred_at <= %(now)s
            GROUP BY e.lead_id, r.pos, day
        ),
        per_day AS (
            SELECT d.lead_id, d.pos, d.n,
                   CASE WHEN r.cap IS NULL THEN r.points * d.n
                        ELSE GREATEST(-r.cap, LEAST(r.cap, r.points * d.n)) END AS capped,
                   extract(epoch FROM (%(now)s - d.newest)) / 86400.0 AS age
            FROM days d JOIN rules r ON r.pos = d.pos
        )
        SELECT lead_id, pos, sum(n) AS events, sum(capped) AS raw,
               sum(capped * CASE WHEN {half_life} <= 0 OR age <= 0 THEN 1.0
                                 ELSE power(0.5::float8, age::float8 / {max(half_life, 1)}) END) AS decayed
        FROM per_day GROUP BY lead_id, pos"""
        if rule_rows
        else ""
    )
    behaviour_cte = (
        f"""
        {rules_cte},
        behaviour AS (
            SELECT p.lead_id, sum(p.decayed) AS total,
                   jsonb_agg(jsonb_build_object('rule', r.label, 'events', p.events, 'points', p.raw,
                                                'decayed_points', round(p.decayed::numeric, 2)) ORDER BY p.pos) AS lines
            FROM {BEHAVIOUR_TABLE} p JOIN rules r ON r.pos = p.pos
            WHERE p.lead_id BETWEEN %(lo)s AND %(hi)s GROUP BY p.lead_id
        ),"""
        if rule_rows
        else "behaviour AS (SELECT NULL::bigint AS lead_id, 0::float8 AS total, '[]'::jsonb AS lines WHERE FALSE),"
    )
    score_table, history_table = LeadScore._meta.db_table, "scoring_leadscorehistory"
    sql = f"""
        WITH leads AS (
            SELECT {lead_columns} FROM {Lead._meta.db_table} l
            WHERE NOT l.is_converted AND l.id BETWEEN %(lo)s AND %(hi)s
        ),
        {behaviour_cte}
        fit AS (SELECT id AS lead_id, {fit_score} AS fit_score, {fit_json} AS lines FROM leads),
        parts AS (
            SELECT f.lead_id, f.fit_score, f.lines AS fit_lines,
                   LEAST(100, GREATEST(0, round(COALESCE(b.total, 0)::float8)))::int AS behaviour_score,
                   COALESCE(b.lines, '[]'::jsonb) AS behaviour_lines
            FROM fit f LEFT JOIN behaviour b ON b.lead_id = f.lead_id
        ),
        scored AS (
            SELECT lead_id, fit_score, behaviour_score, fit_lines, behaviour_lines,
                   LEAST(100, GREATEST(0, round(({model.fit_weight} * fit_score + {model.behaviour_weight}
                         * behaviour_score)::float8 / {weights})))::int AS score,
                   CASE WHEN fit_score >= 75 THEN 'A' WHEN fit_score >= 50 THEN 'B'
                        WHEN fit_score >= 25 THEN 'C' ELSE 'D' END AS grade
            FROM parts
        ),
        history AS (
            INSERT INTO {history_table} (lead_id, model_id, score, grade, changed_at)
            SELECT s.lead_id, %(model)s, s.score, s.grade, %(now)s FROM scored s
            LEFT JOIN {score_table} o ON o.lead_id = s.lead_id AND o.model_id = %(model)s
            WHERE o.id IS NULL OR o.score <> s.score OR o.grade <> s.grade
        )
        INSERT INTO {score_table} (lead_id, model_id, score, grade, explanation, model_version, computed_at,
                                   mql_armed, mql_crossings)
        SELECT lead_id, %(model)s, score, grade,
               jsonb_build_object('velocity', '[]'::jsonb, 'progression', '[]'::jsonb, 'score', score,
                                  'grade', grade, 'fit_score', fit_score, 'behaviour_score', behaviour_score,
                                  'fit', fit_lines, 'behaviour', behaviour_lines,
                                  'decay_half_life_days', {half_life}),
               %(version)s, %(now)s, TRUE, 0
        FROM scored
        ON CONFLICT (lead_id, model_id) DO UPDATE SET
            score = EXCLUDED.score, grade = EXCLUDED.grade, explanation = EXCLUDED.explanation,
            model_version = EXCLUDED.model_version, computed_at = EXCLUDED.computed_at
    """
    return Statement(behaviour_sql, sql, bound)


# A range's stored scores, for the lead rows when the model is the default.
_DEFAULT_SCORES = (
    f"SELECT lead_id, score, grade, computed_at FROM {LeadScore._meta.db_table} "
    "WHERE model_id = %(model)s AND lead_id BETWEEN %(lo)s AND %(hi)s"
)


def _run(sql: str, params: dict, values: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, **values})
        return cursor.rowcount


# Running it ------------------------------------------------------------------------------------


def set_based_possible(model: ScoringModel, prepared=None) -> bool:
    if connection.vendor != "postgresql":
        return False
    try:
        _statement(model, prepared or services._prepare(model))
    except NotCompilable:
        return False
    return True


def _progress(model_id: int, **values) -> None:
    ScoringModel.objects.filter(pk=model_id).update(**values)


def model_recompute_sql(*, model_id: int, now=None, batch_ids: int = BATCH_IDS) -> Outcome:
    """Score every open lead by the model with set-based SQL, one transaction per range of lead
    ids (each with its MQL hand-offs); the model's progress fields count the leads done. Falls
    back to the batched Python path for what SQL cannot express."""
    model = ScoringModel.objects.filter(pk=model_id, is_active=True).first()
    if model is None:
        return Outcome(0, 0, False)
    now = now or timezone.now()
    open_leads = Lead.objects.filter(is_converted=False)
    total = open_leads.count()
    _progress(model_id, recompute_total=total, recompute_done=0, recompute_started_at=now, recompute_finished_at=None)
    prepared = services._prepare(model)
    try:
        if connection.vendor != "postgresql":
            raise NotCompilable("database")
        statement = _statement(model, prepared)
    except NotCompilable:
        scored = services.model_recompute(model_id=model_id)
        _progress(model_id, recompute_done=scored, recompute_finished_at=timezone.now())
        return Outcome(scored, 0, False)
    values = {"now": now, "since": now - services.EVENT_WINDOW, "model": model.pk, "version": model.version}
    bounds = open_leads.order_by().values_list("pk", flat=True)
    first, last = bounds.order_by("pk").first(), bounds.order_by("-pk").first()
    scored = qualified = 0
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {BEHAVIOUR_TABLE}")
            if statement.behaviour:
                with transaction.atomic():
                    # Enough memory for the aggregation to stay off the disk.
                    cursor.execute("SET LOCAL work_mem = '256MB'")
                    cursor.execute(statement.behaviour, {**statement.bound, **values})
                cursor.execute(f"CREATE INDEX ON {BEHAVIOUR_TABLE} (lead_id)")
                cursor.execute(f"ANALYZE {BEHAVIOUR_TABLE}")
        lo = first or 0
        while first is not None and lo <= last:
            hi = lo + batch_ids - 1
            with transaction.atomic():
                scored += _run(statement.upsert, statement.bound, {**values, "lo": lo, "hi": hi})
                if model.is_default:
                    leads_score_set_from(source_sql=_DEFAULT_SCORES, params={**values, "lo": lo, "hi": hi})
                qualified += len(mql.crossings_apply(model=model, id_range=(lo, hi), now=now))
                _progress(model_id, recompute_done=min(scored, total))
            lo = hi + 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {BEHAVIOUR_TABLE}")
    _progress(model_id, recompute_done=scored, recompute_total=max(total, scored), recompute_finished_at=timezone.now())
    return Outcome(scored, qualified, True)


def model_recompute_full(*, model_id: int) -> int:
    """The worker's full recompute of a model (the task's entry point); answers how many leads."""
    return model_recompute_sql(model_id=model_id).scored


def recompute_progress(model: ScoringModel) -> dict:
    """What the model page's progress bar shows."""
    total, done = model.recompute_total, model.recompute_done
    running = model.recompute_started_at is not None and model.recompute_finished_at is None
    percent = 100 if not total else min(100, round(100 * done / total))
    return {
        "running": running,
        "total": total,
        "done": done,
        "percent": percent,
        "started_at": model.recompute_started_at,
        "finished_at": model.recompute_finished_at,
    }
