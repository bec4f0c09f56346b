"""A lean single-row insert for the hottest write paths."""

from django.db import InterfaceError, OperationalError, connections, router
from django.db.models import Model

_statements: dict[tuple[str, type], tuple[str, list]] = {}


def insert_row(obj: Model) -> None:
    """INSERT ``obj`` (a new row) with one statement compiled once per model, and set its primary
    key: what ``obj.save(force_insert=True)`` does, without its per-call SQL compilation. Sends no
    model signals; for models whose saving needs none (no custom ``save``, no receivers).

    Outside a transaction, on a connection kept from an earlier request, the INSERT is its own
    health check: instead of a ``SELECT 1`` before it, a connection found dead by the INSERT
    (the database restarted meanwhile) is replaced and the INSERT sent once more. A connection
    that was dead when the INSERT was sent committed nothing; only a crash between the commit and
    its reply could leave the row stored twice."""
    alias = router.db_for_write(type(obj), instance=obj)
    connection = connections[alias]
    if connection.in_atomic_block or connection.connection is None or not connection.health_check_enabled:
        _insert(connection, obj)
        return
    connection.health_check_done = True
    try:
        _insert(connection, obj)
    except (OperationalError, InterfaceError):
        if connection.is_usable():
            raise
        connection.close()
        _insert(connection, obj)


def _insert(connection, obj: Model) -> None:
    model = type(obj)
    key = (connection.alias, model)
    if key not in _statements:
        opts = model._meta
        fields = [f for f in opts.concrete_fields if not f.generated and f is not opts.auto_field]
        quote = connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(opts.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
        )
        if opts.auto_field is not None and connection.features.can_return_columns_from_insert:
            sql += f" RETURNING {quote(opts.auto_field.column)}"
        _statements[key] = (sql, fields)
    sql, fields = _statements[key]
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pk = (
            cursor.fetchone()[0]
            if "RETURNING" in sql
            else connection.ops.last_insert_id(cursor, model._meta.db_table, model._meta.pk.column)
        )
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias
