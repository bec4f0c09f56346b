from django.db import migrations

# The global search compares UPPER(crm_unaccent(col)) with a normalised prefix. unaccent() is only
# STABLE (it reads a dictionary), so an index needs an IMMUTABLE wrapper naming its dictionary.
# Where the extension is unavailable the wrapper leaves text as it is: the search still works,
# without accent folding. Email prefixes use the UPPER(email) indexes the list search already has.
FUNCTION_UNACCENT = """
CREATE OR REPLACE FUNCTION crm_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
"""
FUNCTION_IDENTITY = """
CREATE OR REPLACE FUNCTION crm_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT $1 $$
"""
NORMALIZED = "UPPER(crm_unaccent({})) text_pattern_ops"
DIGITS = "regexp_replace({}, '[^0-9]', '', 'g') text_pattern_ops"
INDEXES = {
    "leads_lead": {
        "lead_first_name_search_idx": NORMALIZED.format("first_name"),
        "lead_last_name_search_idx": NORMALIZED.format("last_name"),
        "lead_company_search_idx": NORMALIZED.format("company"),
        "lead_phone_digits_idx": DIGITS.format("phone"),
    },
    "sales_account": {
        "account_name_search_idx": NORMALIZED.format("name"),
        "account_phone_digits_idx": DIGITS.format("phone"),
    },
    "sales_contact": {
        "contact_first_name_search_idx": NORMALIZED.format("first_name"),
        "contact_last_name_search_idx": NORMALIZED.format("last_name"),
        "contact_phone_digits_idx": DIGITS.format("phone"),
    },
    "sales_opportunity": {
        "opportunity_name_search_idx": NORMALIZED.format("name"),
    },
}
# As for the list search's indexes (leads 0007): a finer histogram of the prefix expressions lets
# the planner combine them with the owner's index for a rep instead of filtering afterwards.
STATISTICS = 1000


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
        available = cursor.fetchone() is not None
    if available:
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public")
    schema_editor.execute(FUNCTION_UNACCENT if available else FUNCTION_IDENTITY)
    for table, indexes in INDEXES.items():
        for name, expression in indexes.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({expression})")
            if table == "leads_lead":
                schema_editor.execute(f"ALTER INDEX {name} ALTER COLUMN 1 SET STATISTICS {STATISTICS}")
    for table in INDEXES:
        schema_editor.execute(f"ANALYZE {table}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for indexes in INDEXES.values():
        for name in indexes:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS crm_unaccent(text)")


class Migration(migrations.Migration):
    # The statistics targets must be committed before ANALYZE reads them.
    atomic = False
    dependencies = [
        ("leads", "0009_names_unique_ci"),
        ("sales", "0004_case_insensitive_product_code_and_record_type_name"),
    ]
    operations = [migrations.RunPython(create, drop)]
