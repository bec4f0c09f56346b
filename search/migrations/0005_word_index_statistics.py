from django.db import migrations

# The planner estimates how many rows a "word inside the name" match (LIKE '% WORD%') finds from
# the statistics of the trigram index's expression. With the default sample a common word (a word
# in 2% of company names) was estimated at a few hundred rows, so the search read every match and
# sorted them instead of walking the newest leads until it had a page (20x slower at 1,000,000
# leads). A larger sample gives the estimate its real size.
INDEXES = {
    "lead_company_words_idx": "leads_lead",
    "account_name_words_idx": "sales_account",
    "opportunity_name_words_idx": "sales_opportunity",
}
TARGET = 1000


def _set(schema_editor, target: int) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'i' AND relname = ANY(%s)", [list(INDEXES)])
        present = [row[0] for row in cursor.fetchall()]
    for name in present:
        schema_editor.execute(f"ALTER INDEX {name} ALTER COLUMN 1 SET STATISTICS {target}")
    for table in sorted({INDEXES[name] for name in present}):
        schema_editor.execute(f"ANALYZE {table}")


def raise_target(apps, schema_editor):
    _set(schema_editor, TARGET)


def default_target(apps, schema_editor):
    _set(schema_editor, -1)


class Migration(migrations.Migration):
    dependencies = [("search", "0004_inlinable_unaccent")]
    operations = [migrations.RunPython(raise_target, default_target)]
