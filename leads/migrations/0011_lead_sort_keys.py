from django.db import migrations, models


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
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                models.OrderBy(models.F("score"), descending=True, nulls_last=True),
                models.OrderBy(models.F("id"), descending=True),
                name="lead_score_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                models.OrderBy(models.F("last_activity_at"), descending=True, nulls_last=True),
                models.OrderBy(models.F("id"), descending=True),
                name="lead_last_activity_idx",
            ),
        ),
    ]
