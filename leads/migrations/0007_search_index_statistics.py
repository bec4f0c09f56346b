from django.db import migrations

# The planner estimates a prefix search (UPPER(company) LIKE 'ACME%') from the histogram of the
# expression index. With the default 100 buckets a bucket holds 1% of the leads, a prefix falls
# inside one bucket and is estimated at a single row; the planner then reads every matching lead
# and filters by owner afterwards, which grows with the table. A finer histogram gives estimates
# close to the truth, so the owner's index and the search indexes are combined first.
INDEXES = ("lead_company_upper_idx", "lead_last_name_upper_idx", "lead_first_name_upper_idx", "lead_email_upper_idx")
STATISTICS = 1000


def finer(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} ALTER COLUMN 1 SET STATISTICS {STATISTICS}")
    schema_editor.execute("ANALYZE leads_lead")


def default(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} ALTER COLUMN 1 SET STATISTICS -1")


class Migration(migrations.Migration):
    # The new targets must be committed before ANALYZE reads them.
    atomic = False
    dependencies = [("leads", "0006_import_cancelled_status")]
    operations = [migrations.RunPython(finer, default)]
