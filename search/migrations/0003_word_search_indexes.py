from django.db import migrations

# Trigram indexes on the normalised multi-word names, for the search's "a word inside the name"
# match (LIKE '% WORD%'). Where pg_trgm is unavailable the match still works, by scanning.
INDEXES = {
    "lead_company_words_idx": ("leads_lead", "company"),
    "account_name_words_idx": ("sales_account", "name"),
    "opportunity_name_words_idx": ("sales_opportunity", "name"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER(crm_unaccent({column})) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_phone_suffix_indexes")]
    operations = [migrations.RunPython(create, drop)]
