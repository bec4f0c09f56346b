"""Auto-response rules become a kind of core.rules: versioned, changed-by recorded, entries
renumbered in one statement (the unique order is checked at commit)."""

import django.db.models.constraints
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("emails", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="autoresponseentry",
            name="autoresponse_entry_unique_order",
        ),
        migrations.AddField(
            model_name="autoresponserule",
            name="updated_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="autoresponserule",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AlterField(
            model_name="autoresponseentry",
            name="filter_logic",
            field=models.CharField(blank=True, max_length=1000),
        ),
        migrations.AddConstraint(
            model_name="autoresponseentry",
            constraint=models.UniqueConstraint(
                deferrable=django.db.models.constraints.Deferrable["DEFERRED"],
                fields=("rule", "sort_order"),
                name="autoresponse_entry_unique_order",
            ),
        ),
    ]
