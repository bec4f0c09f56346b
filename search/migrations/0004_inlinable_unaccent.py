from django.db import migrations, transaction
from django.db.utils import DatabaseError

# crm_unaccent() wrapped unaccent() in an IMMUTABLE SQL function calling a STABLE one, which
# PostgreSQL cannot inline: every row a search tests (an index recheck, a filter) paid a SQL
# function call per expression. Declaring the extension's own C function IMMUTABLE under another
# name lets the wrapper inline to a plain C call. Index expressions are inlined the same way when
# they are read, so the search indexes keep serving the queries, with the same contents (the same
# dictionary). Creating a C function takes a superuser; without one the wrapper stays as it was.
FAST_C = """
CREATE OR REPLACE FUNCTION public.crm_immutable_unaccent(regdictionary, text) RETURNS text
LANGUAGE c IMMUTABLE PARALLEL SAFE STRICT
AS '$libdir/unaccent', 'unaccent_dict'
"""
FAST_WRAPPER = """
CREATE OR REPLACE FUNCTION crm_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.crm_immutable_unaccent('public.unaccent'::regdictionary, $1) $$
"""
SLOW_WRAPPER = """
CREATE OR REPLACE FUNCTION crm_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
"""
TABLES = ("leads_lead", "sales_account", "sales_contact", "sales_opportunity")
# The indexes over crm_unaccent() expressions, each with its statistics target. Setting the target
# again (unchanged) makes every open connection read the index's expression afresh, inlined.
INDEXES = """
SELECT i.indexrelid::regclass::text, a.attstattarget
FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indexrelid AND a.attnum = 1
WHERE pg_get_indexdef(i.indexrelid) LIKE '%%crm_unaccent%%'
"""


def _refresh_indexes(cursor) -> None:
    cursor.execute(INDEXES)
    for name, target in cursor.fetchall():
        cursor.execute(f"ALTER INDEX {name} ALTER COLUMN 1 SET STATISTICS {int(target)}")


def _has_unaccent(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
    return cursor.fetchone() is not None


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if not _has_unaccent(cursor):
            return
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute(FAST_C)
                cursor.execute(FAST_WRAPPER)
        except DatabaseError:
            return
        _refresh_indexes(cursor)
        # The planner's estimates of the prefix expressions, read afresh with the new definition.
        for table in TABLES:
            cursor.execute(f"ANALYZE {table}")


def restore(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if not _has_unaccent(cursor):
            return
        cursor.execute(SLOW_WRAPPER)
        _refresh_indexes(cursor)
        cursor.execute("DROP FUNCTION IF EXISTS public.crm_immutable_unaccent(regdictionary, text)")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_word_search_indexes")]
    operations = [migrations.RunPython(create, restore)]
