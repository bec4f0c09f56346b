from django.db import migrations

# A phone number is often typed without its country code: the search matches the end of the
# digits as the start of the reversed digits, served by these indexes.
REVERSED = "reverse(regexp_replace({}, '[^0-9]', '', 'g')) text_pattern_ops"
STATISTICS = 1000
INDEXES = {
    "leads_lead": {"lead_phone_digits_reversed_idx": REVERSED.format("phone")},
    "sales_account": {"account_phone_digits_reversed_idx": REVERSED.format("phone")},
    "sales_contact": {"contact_phone_digits_reversed_idx": REVERSED.format("phone")},
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, indexes in INDEXES.items():
        for name, expression in indexes.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({expression})")
            if table == "leads_lead":
                schema_editor.execute(f"ALTER INDEX {name} ALTER COLUMN 1 SET STATISTICS {STATISTICS}")
    # Without statistics of the new expression the planner guesses how many numbers match and
    # may walk the leads newest first, testing each, instead of reading the index.
    for table in INDEXES:
        schema_editor.execute(f"ANALYZE {table}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for indexes in INDEXES.values():
        for name in indexes:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    # The statistics targets must be committed before ANALYZE reads them.
    atomic = False
    dependencies = [("search", "0001_unaccent_search_indexes")]
    operations = [migrations.RunPython(create, drop)]
