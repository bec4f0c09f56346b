from django.db import migrations, models

# Descending with NULLS LAST, as the list sorts, so that the first page is read off the index.
# PostgreSQL only: SQLite (the embedded default) cannot create such an index, and a table SQLite
# rebuilds for a later migration would recreate it from the models, so the models do not name them.
SORT_INDEXES = {
    "lead_score_idx": "score DESC NULLS LAST, id DESC",
    "lead_last_activity_idx": "last_activity_at DESC NULLS LAST, id DESC",
}


def create_sort_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in SORT_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON leads_lead ({columns})")


def drop_sort_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in SORT_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    """The sort keys higher apps keep on the lead row (``leads.sort_keys``), with the indexes that
    serve the list's first page by score and by last activity. Scoring and engagement fill them
    from their own rows in their next migrations."""

    dependencies = [
        ("leads", "0010_import_campaign"),
    ]

    operations = [
        migrations.AddField(
            model_name="lead",
            name="grade",
            field=models.CharField(blank=True, editable=False, max_length=1, null=True),
        ),
        migrations.AddField(
            model_name="lead",
            name="last_activity_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="lead",
            name="score",
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="lead",
            name="score_updated_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(create_sort_indexes, drop_sort_indexes),
    ]
