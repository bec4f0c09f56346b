from django.db import migrations

# Prefix search (istartswith) compiles to UPPER(col::text) LIKE UPPER('abc%'): these expression
# indexes with text_pattern_ops serve it at any table size. custom_fields gets a GIN index.
INDEXES = {
    "sales_account": {
        "account_name_upper_idx": "UPPER(name::text) text_pattern_ops",
    },
    "sales_contact": {
        "contact_last_name_upper_idx": "UPPER(last_name::text) text_pattern_ops",
        "contact_email_upper_idx": "UPPER(email::text) text_pattern_ops",
    },
    "sales_opportunity": {
        "opportunity_name_upper_idx": "UPPER(name::text) text_pattern_ops",
    },
}
GIN = {
    "sales_account": "account_custom_fields_gin",
    "sales_contact": "contact_custom_fields_gin",
    "sales_opportunity": "opportunity_custom_fields_gin",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, indexes in INDEXES.items():
        for name, expression in indexes.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({expression})")
    for table, name in GIN.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING GIN (custom_fields jsonb_path_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    names = [name for indexes in INDEXES.values() for name in indexes] + list(GIN.values())
    for name in names:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("sales", "0002_seed_fields_and_picklists")]
    operations = [migrations.RunPython(create, drop)]
