"""Lean inserts for the hottest write paths: one row (``insert_row``), many (``insert_rows``) and
many given by column (``insert_columns``)."""

import re
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from weakref import WeakKeyDictionary

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, connections, router, transaction
from django.db.models import (
    BooleanField,
    CharField,
    DateTimeField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
    TextField,
)
from django.utils import timezone
from django.utils.functional import Promise

# A message: text, or lazily translated text.
StrOrPromise = str | Promise

# How a field's attribute becomes its parameter: GENERIC through ``get_db_prep_save``; the others
# pass an attribute of their exact type (``_PASSED``), or ``None``, through unchanged, which is what
# ``get_db_prep_save`` answers for those values of plain text fields (TEXT), integer foreign keys
# (KEY), integer fields (INTEGER), boolean fields (BOOLEAN) and date-times that are neither
# ``auto_now`` nor ``auto_now_add`` (MOMENT: timezone-aware values only; a naive one goes the
# generic way, which warns and makes it aware).
GENERIC, TEXT, KEY, INTEGER, BOOLEAN, MOMENT = 0, 1, 2, 3, 4, 5
_PASSED = {TEXT: str, KEY: int, INTEGER: int, BOOLEAN: bool, MOMENT: datetime}
# Rows per statement of a multi-row insert given by column.
INSERT_CHUNK = 2000

# PostgreSQL's SQLSTATEs for "prepared statement does not exist" (a pooler or DISCARD dropped it)
# and "prepared statement already exists" (a pooler handed over a server connection that has it).
_NO_SUCH_STATEMENT, _STATEMENT_EXISTS = "26000", "42P05"


@dataclass(frozen=True)
class _Statement:
    sql: str
    fields: list
    kinds: list[int]
    returning: bool
    # PostgreSQL only: the statement prepared once per connection, and how to run it.
    name: str = ""
    prepare_sql: str = ""
    execute_sql: str = ""


_statements: dict[tuple[str, type], _Statement] = {}
# The statements prepared on each database connection (the driver's own connection object).
_prepared: WeakKeyDictionary = WeakKeyDictionary()


def insert_row(obj: Model, *, durable: bool = True) -> None:
    """INSERT ``obj`` (a new row) and set its primary key: what ``obj.save(force_insert=True)``
    does, with the statement compiled once per model. Sends no model signals; for models whose
    saving needs none (no custom ``save``, no receivers).

    ``durable=False`` (PostgreSQL, outside a transaction) commits the row without waiting for the
    WAL to reach the disk (``SET LOCAL synchronous_commit TO OFF`` in the same round trip): a
    busy disk then costs the request nothing, and a crash of the database server may lose the
    rows of its last fraction of a second (never half a row). For rows whose loss is bearable,
    such as the tracking script's page views.

    Outside a transaction on PostgreSQL, the statement is prepared once per connection, so the
    server does not parse and plan it again for every row.

    Outside a transaction, on a connection kept from an earlier request, the INSERT is its own
    health check: instead of a ``SELECT 1`` before it, a connection found dead by the INSERT
    (the database restarted meanwhile) is replaced and the INSERT sent once more. A connection
    that was dead when the INSERT was sent committed nothing; only a crash between the commit and
    its reply could leave the row stored twice."""
    alias = router.db_for_write(type(obj), instance=obj)
    connection = connections[alias]
    if connection.in_atomic_block:
        # A failed statement would spoil the caller's transaction: no prepared statement here.
        _insert(connection, obj, prepared=False)
        return
    if connection.connection is None or not connection.health_check_enabled:
        _insert(connection, obj, prepared=True, durable=durable)
        return
    connection.health_check_done = True
    try:
        _insert(connection, obj, prepared=True, durable=durable)
    except (OperationalError, InterfaceError):
        if connection.is_usable():
            raise
        connection.close()
        _insert(connection, obj, prepared=True, durable=durable)


def _statement(connection, model: type[Model]) -> _Statement:
    key = (connection.alias, model)
    if key not in _statements:
        _statements[key] = _compile(connection, model)
    return _statements[key]


def _compile(connection, model: type[Model]) -> _Statement:
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.generated and f is not opts.auto_field]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    returning = opts.auto_field is not None and connection.features.can_return_columns_from_insert
    suffix = f" RETURNING {quote(opts.auto_field.column)}" if returning else ""
    sql = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))}){suffix}"
    kinds = [_kind(f, postgresql=connection.vendor == "postgresql") for f in fields]
    if connection.vendor != "postgresql" or not returning:
        return _Statement(sql=sql, fields=fields, kinds=kinds, returning=returning)
    name = f"leadcrm_insert_{opts.db_table}"
    placeholders = ", ".join(f"${n}" for n in range(1, len(fields) + 1))
    return _Statement(
        sql=sql,
        fields=fields,
        kinds=kinds,
        returning=returning,
        name=name,
        prepare_sql=f"PREPARE {quote(name)} AS INSERT INTO {quote(opts.db_table)} ({columns}) "
        f"VALUES ({placeholders}){suffix}",
        execute_sql=f"EXECUTE {quote(name)} ({', '.join(['%s'] * len(fields))})",
    )


def _kind(field, *, postgresql: bool) -> int:
    cls = type(field)
    # PostgreSQL's backend adapts integers and date-times as they are; others (SQLite) convert them.
    if not postgresql and isinstance(field, (IntegerField, DateTimeField)):
        return GENERIC
    if cls.pre_save is DateTimeField.pre_save and not (field.auto_now or field.auto_now_add):
        plain = cls.get_db_prep_save is Field.get_db_prep_save and cls.get_prep_value is DateTimeField.get_prep_value
        return MOMENT if plain and cls.get_db_prep_value is DateTimeField.get_db_prep_value else GENERIC
    if cls.pre_save is not Field.pre_save:
        return GENERIC
    if isinstance(field, (IntegerField, BooleanField)) and cls.get_db_prep_save is Field.get_db_prep_save:
        integer = isinstance(field, IntegerField)
        plain = cls.get_prep_value is (IntegerField if integer else BooleanField).get_prep_value and (
            cls.get_db_prep_value is (IntegerField if integer else Field).get_db_prep_value
        )
        return (INTEGER if integer else BOOLEAN) if plain else GENERIC
    if isinstance(field, ForeignKey):
        integer_key = field.target_field.get_internal_type() in (
            "AutoField",
            "BigAutoField",
            "IntegerField",
            "BigIntegerField",
        )
        return KEY if cls.get_db_prep_save is ForeignKey.get_db_prep_save and integer_key else GENERIC
    plain = (
        cls.get_db_prep_save is Field.get_db_prep_save
        and cls.get_db_prep_value is Field.get_db_prep_value
        and cls.get_prep_value in (CharField.get_prep_value, TextField.get_prep_value)
    )
    return TEXT if plain else GENERIC


def _params(statement: _Statement, obj: Model, connection) -> list:
    params = []
    for field, kind in zip(statement.fields, statement.kinds, strict=True):
        if kind:
            value = getattr(obj, field.attname)
            if value is None or (type(value) is _PASSED[kind] and (kind != MOMENT or value.tzinfo is not None)):
                params.append(value)
                continue
        params.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
    return params


def _insert(connection, obj: Model, *, prepared: bool, durable: bool = True) -> None:
    model = type(obj)
    statement = _statement(connection, model)
    params = _params(statement, obj, connection)
    with connection.cursor() as cursor:
        if prepared and statement.name:
            _execute_prepared(connection, cursor, statement, params, durable=durable)
        else:
            cursor.execute(statement.sql, params)
        pk = (
            cursor.fetchone()[0]
            if statement.returning
            else connection.ops.last_insert_id(cursor, model._meta.db_table, model._meta.pk.column)
        )
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


def insert_rows(objs: list[Model], *, page: int = INSERT_CHUNK) -> None:
    """INSERT many new rows of one model and set their primary keys: what ``bulk_create`` does,
    with the statement compiled once per model and each field's values read as ``insert_row``
    reads them. On PostgreSQL the rows go ``page`` at a time as one ``INSERT ... SELECT ... FROM
    UNNEST(...) RETURNING``, one array parameter per column (``insert_columns``): the driver adapts
    an array in one call, where rendering each row's values costs more in Python than the database
    spends on the insert. Elsewhere ``bulk_create``. Sends no model signals."""
    if not objs:
        return
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    statement = _statement(connection, model)
    if connection.vendor != "postgresql" or not statement.returning:
        model.objects.using(alias).bulk_create(objs, batch_size=page)
        return
    columns = {
        field.attname: _object_column(field, kind, objs, connection)
        for field, kind in zip(statement.fields, statement.kinds, strict=True)
    }
    ids = _insert_columns(connection, model, rows=columns, same={}, count=len(objs), returning=True, chunk=page)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias


def _object_column(field, kind: int, objs: Sequence[Model], connection) -> list:
    """One field's parameter values for many instances (what ``_params`` gives for one)."""
    if kind:
        return _column(field, kind, [getattr(obj, field.attname) for obj in objs], connection)
    # ``pre_save`` first, as ``save`` runs it (``auto_now`` sets the attribute), then the value's
    # conversion, once per distinct value object.
    return _column(field, GENERIC, [field.pre_save(obj, True) for obj in objs], connection)


def insert_columns(
    model: type[Model],
    *,
    rows: Mapping[str, Sequence],
    same: Mapping[str, object] | None = None,
    returning: bool = True,
    conflict_fields: Sequence[str] = (),
    update_fields: Sequence[str] = (),
) -> list | None:
    """INSERT rows of ``model`` given by column, without making a model instance per row: ``rows``
    maps a field's attribute name (``template_id``) to its value in each row (sequences of one
    length), ``same`` to a value every row has. A field named in neither takes its default (an
    ``auto_now`` or ``auto_now_add`` field: the time now; a database default: the database's).
    Answers the new primary keys in the order of the rows (``returning=False``: None).

    On PostgreSQL, one statement per ``INSERT_CHUNK`` rows: each column of ``rows`` is one array
    parameter (``INSERT ... SELECT ... FROM UNNEST(...)``, as Django's ``bulk_create`` sends too),
    and each value of ``same``, or of a column whose rows in the chunk all have it, one parameter. Plain text values and integer keys pass unchanged, as
    in ``insert_row``; other values go through their field, each distinct value once. Elsewhere,
    ``bulk_create`` of the instances. Sends no model signals; for models whose saving needs none.

    With ``conflict_fields`` (a unique constraint's fields) a row that meets a stored row with the
    same values there writes its ``update_fields`` onto it instead (an upsert; the rows given must
    not repeat a key among themselves)."""
    count = len(next(iter(rows.values()))) if rows else 0
    if any(len(values) != count for values in rows.values()):
        raise ValueError("Every column of the rows needs one value per row.")
    alias = router.db_for_write(model)
    connection = connections[alias]
    statement = _statement(connection, model)
    kinds = {f.attname: (f, kind) for f, kind in zip(statement.fields, statement.kinds, strict=True)}
    unknown = (set(rows) | set(same or {})) - set(kinds)
    if unknown:
        raise ValueError(f"{model.__name__} has no insertable fields {sorted(unknown)}")
    if not count:
        return [] if returning else None
    if connection.vendor != "postgresql":
        objs = [model(**{name: values[i] for name, values in rows.items()}, **(same or {})) for i in range(count)]
        upsert = (
            {"update_conflicts": True, "unique_fields": conflict_fields, "update_fields": update_fields}
            if conflict_fields
            else {}
        )
        model.objects.using(alias).bulk_create(objs, batch_size=INSERT_CHUNK, **upsert)
        return [obj.pk for obj in objs] if returning and not conflict_fields else None
    constants = dict(same or {})
    now = timezone.now()
    for field in statement.fields:
        if field.attname in rows or field.attname in constants or field.has_db_default():
            continue
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        constants[field.attname] = now if auto else field.get_default()
    columns = {name: _column(kinds[name][0], kinds[name][1], values, connection) for name, values in rows.items()}
    constants = {name: kinds[name][0].get_db_prep_save(value, connection) for name, value in constants.items()}
    conflict = ""
    if conflict_fields:
        names = {f.attname: f.column for f in statement.fields}
        quote = connection.ops.quote_name
        updates = ", ".join(f"{quote(names[n])} = EXCLUDED.{quote(names[n])}" for n in update_fields)
        conflict = f" ON CONFLICT ({', '.join(quote(names[n]) for n in conflict_fields)}) " + (
            f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
        )
    return _insert_columns(
        connection, model, rows=columns, same=constants, count=count, returning=returning, conflict=conflict
    )


def _insert_columns(
    connection,
    model: type[Model],
    *,
    rows: dict[str, list],
    same: dict[str, object],
    count: int,
    returning: bool,
    conflict: str = "",
    chunk: int = INSERT_CHUNK,
) -> list | None:
    """The INSERT on PostgreSQL, ``chunk`` rows a statement: ``rows`` are columns of parameter
    values (one per row), ``same`` the parameter values of the columns every row shares."""
    statement = _statement(connection, model)
    returning = returning and statement.returning
    pks: list = []
    for start in range(0, count, chunk):
        arrays, constants = _shared_apart({name: values[start : start + chunk] for name, values in rows.items()})
        sql, params = _unnest_insert(connection, statement, model, arrays, {**constants, **same}, conflict, returning)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if returning:
                # Rows come back in the order UNNEST gave them, as bulk_create relies on.
                pks.extend(row[0] for row in cursor.fetchall())
    return pks if returning else None


def _shared_apart(rows: dict[str, list]) -> tuple[dict[str, list], dict[str, object]]:
    """The columns whose rows differ, and the value of each column every row has (a batch's blank
    fields, its time, its creator): that goes once, not as an array, less to adapt and to parse.
    One column stays an array all the same: UNNEST gives the rows their number."""
    arrays: dict[str, list] = {}
    constants: dict[str, object] = {}
    for name, values in rows.items():
        first = values[0]
        if all(value is first or (type(value) is type(first) and value == first) for value in values):
            constants[name] = first
        else:
            arrays[name] = values
    if not arrays:
        name = next(iter(rows))
        arrays[name] = rows[name]
        del constants[name]
    return arrays, constants


def _unnest_insert(
    connection, statement: _Statement, model: type[Model], arrays: dict, constants: dict, conflict: str, returning: bool
) -> tuple[str, list]:
    """``INSERT ... SELECT ... FROM UNNEST(...)`` of one chunk, with its parameters."""
    quote = connection.ops.quote_name
    columns, selected, array_types, params = [], [], [], []
    for field in statement.fields:
        # ``varchar``, not ``varchar(200)``: a value too long fails the insert instead of being cut.
        db_type = field.db_type(connection).split("(")[0]
        if field.attname in arrays:
            selected.append(f"u.c{len(array_types)}")
            array_types.append(f"%s::{db_type}[]")
        elif field.attname in constants:
            selected.append(f"%s::{db_type}")
            params.append(constants[field.attname])
        else:
            continue
        columns.append(quote(field.column))
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)}) SELECT {', '.join(selected)} "
        f"FROM UNNEST({', '.join(array_types)}) AS u({', '.join(f'c{n}' for n in range(len(array_types)))})"
        + conflict
        + (f" RETURNING {quote(model._meta.pk.column)}" if returning else "")
    )
    # The constants come first in the SELECT list, then the arrays, in the order of the fields.
    return sql, [*params, *(arrays[f.attname] for f in statement.fields if f.attname in arrays)]


def _column(field, kind: int, values: Sequence, connection) -> list:
    """The parameter values of one column for many rows (what ``_params`` gives for one)."""
    if kind:
        plain = _PASSED[kind]
        if all(
            value is None or (type(value) is plain and (kind != MOMENT or value.tzinfo is not None)) for value in values
        ):
            return list(values)
    # A batch's rows mostly share their values of other fields (one timestamp, one flag): each
    # value object is converted once.
    converted: dict[int, object] = {}
    column = []
    for value in values:
        key = id(value)
        if key not in converted:
            converted[key] = field.get_db_prep_save(value, connection)
        column.append(converted[key])
    return column


# Sent in the same query string as the INSERT: the two run as one implicit transaction, so the
# setting holds for that commit only.
_NOT_DURABLE = "SET LOCAL synchronous_commit TO OFF; "


def _execute_prepared(connection, cursor, statement: _Statement, params: list, *, durable: bool = True) -> None:
    """Run ``statement`` as a prepared statement of this connection (in autocommit mode)."""
    names = _prepared.setdefault(connection.connection, set())
    if statement.name not in names:
        _prepare(cursor, statement)
        names.add(statement.name)
    sql = statement.execute_sql if durable else _NOT_DURABLE + statement.execute_sql
    try:
        cursor.execute(sql, params)
    except DatabaseError as exc:
        if _sqlstate(exc) != _NO_SUCH_STATEMENT:
            raise
        # Dropped behind our back (DISCARD ALL, a transaction-mode pooler): prepare it again.
        _prepare(cursor, statement)
        cursor.execute(sql, params)


def _prepare(cursor, statement: _Statement) -> None:
    try:
        cursor.execute(statement.prepare_sql)
    except DatabaseError as exc:
        if _sqlstate(exc) != _STATEMENT_EXISTS:
            raise


def _sqlstate(exc: DatabaseError) -> str | None:
    """The SQLSTATE of the driver's error behind one of Django's (psycopg2 or psycopg)."""
    return getattr(exc.__cause__, "pgcode", None) or getattr(exc.__cause__, "sqlstate", None)


@contextmanager
def unique_as_field_error(constraints: Mapping[str, tuple[str, StrOrPromise]]):
    """Run the block in a savepoint and turn a violation of one of the named unique constraints
    into ``ValidationError({field: message})``, so that two concurrent creates that both passed the
    friendly check still end in the same field error, not a 500.

    ``constraints`` maps a constraint name to ``(field, message)``."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        name = violated_constraint(exc)
        if name in constraints:
            field, message = constraints[name]
            raise ValidationError({field: [message]}, code="unique") from exc
        raise


def violated_constraint(exc: IntegrityError) -> str:
    """The name of the constraint an IntegrityError reports, on PostgreSQL and SQLite."""
    diag = getattr(getattr(exc, "__cause__", None), "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return name
    # SQLite names an expression index in its message: "UNIQUE constraint failed: index 'name'".
    match = re.search(r"index '([^']+)'", str(exc))
    return match.group(1) if match else ""


def update_rows(rows: list[Model], field_names: list[str]) -> None:
    """Write ``field_names`` of saved ``rows`` (one model): on PostgreSQL one ``UPDATE ... FROM
    (VALUES ...)``, cheaper than ``bulk_update``'s CASE per field and row; elsewhere
    ``bulk_update``."""
    if not rows:
        return
    model = type(rows[0])
    using = router.db_for_write(model)
    connection = connections[using]
    if connection.vendor != "postgresql":
        model.objects.using(using).bulk_update(rows, field_names, batch_size=1000)
        return
    fields = [model._meta.get_field(name) for name in field_names]
    pk = model._meta.pk
    casts = [f"%s::{pk.db_type(connection)}"] + [f"%s::{f.db_type(connection)}" for f in fields]
    row_sql = "(" + ", ".join(casts) + ")"
    params: list = []
    for row in rows:
        params.append(row.pk)
        params.extend(f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields)
    quote = connection.ops.quote_name
    names = [quote(f.column) for f in fields]
    sql = (
        f"UPDATE {quote(model._meta.db_table)} AS t SET {', '.join(f'{n} = v.{n}' for n in names)} "
        f"FROM (VALUES {', '.join([row_sql] * len(rows))}) AS v({quote(pk.column)}, {', '.join(names)}) "
        f"WHERE t.{quote(pk.column)} = v.{quote(pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
