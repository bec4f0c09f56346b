from django.db import migrations

# Prefix search (istartswith) compiles to UPPER(col::text) LIKE UPPER('abc%'): these expression
# indexes with text_pattern_ops serve it at any table size. custom_fields gets a GIN index.
INDEXES = {
    "lead_company_upper_idx": "UPPER(company::text) text_pattern_ops",
    "lead_last_name_upper_idx": "UPPER(last_name::text) text_pattern_ops",
    "lead_first_name_upper_idx": "UPPER(first_name::text) text_pattern_ops",
    "lead_email_upper_idx": "UPPER(email::text) text_pattern_ops",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON leads_lead ({expression})")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS lead_custom_fields_gin ON leads_lead USING GIN (custom_fields jsonb_path_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in [*INDEXES, "lead_custom_fields_gin"]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("leads", "0002_seed_fields_and_picklists")]
    operations = [migrations.RunPython(create, drop)]
