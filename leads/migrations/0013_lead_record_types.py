"""Lead record types with their processes and path guidance, and the Unqualified Reason field.

Unqualified becomes a closing status; every existing lead gets the organisation's default lead
record type, "General", whose process offers the statuses as they were."""

import django.db.models.deletion
from django.db import migrations, models

GENERAL = "General"
REASONS = ["No Budget", "No Authority", "No Need", "Bad Timing", "Competitor", "Duplicate", "Other"]


def forwards(apps, schema_editor):
    FieldDefinition = apps.get_model("core", "FieldDefinition")
    PicklistValue = apps.get_model("core", "PicklistValue")
    RecordType = apps.get_model("core", "RecordType")
    Lead = apps.get_model("leads", "Lead")
    last = FieldDefinition.objects.filter(object_name="lead").aggregate(models.Max("sort_order"))["sort_order__max"]
    FieldDefinition.objects.get_or_create(
        object_name="lead",
        api_name="unqualified_reason",
        defaults={
            "label": "Unqualified Reason",
            "field_type": "picklist",
            "help_text": "Why the lead was closed as unqualified; required with a closed status.",
            "sort_order": (last or 0) + 1,
            "description": "Standard field.",
        },
    )
    for order, label in enumerate(REASONS, start=1):
        PicklistValue.objects.get_or_create(
            object_name="lead",
            field_name="unqualified_reason",
            api_name=label,
            defaults={"label": label, "sort_order": order},
        )
    PicklistValue.objects.filter(object_name="lead", field_name="status", api_name="Unqualified").update(is_closed=True)
    general = RecordType.objects.filter(object_name="lead", is_org_default=True).first()
    if general is None:
        general, _created = RecordType.objects.get_or_create(
            object_name="lead",
            name=GENERAL,
            defaults={"description": "The organisation's default lead process.", "is_org_default": True},
        )
    Lead.objects.filter(record_type__isnull=True).update(record_type=general)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_record_types_shared"),
        ("leads", "0012_import_at_scale"),
    ]

    operations = [
        migrations.AddField(
            model_name="lead",
            name="unqualified_reason",
            field=models.CharField(blank=True, max_length=120, verbose_name="unqualified reason"),
        ),
        migrations.AddField(
            model_name="lead",
            name="record_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.recordtype",
            ),
        ),
        migrations.CreateModel(
            name="LeadPathStep",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("guidance", models.TextField(blank=True, max_length=2000)),
                ("key_fields", models.JSONField(blank=True, default=list)),
                (
                    "record_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lead_path_steps",
                        to="core.recordtype",
                    ),
                ),
                (
                    "status",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.picklistvalue"
                    ),
                ),
            ],
            options={
                "ordering": ["record_type", "position", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("record_type", "status"), name="leadpathstep_one_per_status")
                ],
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
