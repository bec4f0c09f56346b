from django.db import migrations

from campaigns.fields import CAMPAIGN, CAMPAIGN_FIELDS, DEFAULT_PICKLISTS, DEFAULT_STATUS


def seed(apps, schema_editor):
    FieldDefinition = apps.get_model("core", "FieldDefinition")
    PicklistValue = apps.get_model("core", "PicklistValue")
    for order, (api_name, label, ftype, required, _section, help_text) in enumerate(CAMPAIGN_FIELDS, start=1):
        FieldDefinition.objects.get_or_create(
            object_name=CAMPAIGN,
            api_name=api_name,
            defaults={
                "label": label,
                "field_type": ftype,
                "is_required": required,
                "help_text": help_text,
                "sort_order": order,
                "description": "Standard field.",
            },
        )
    for field, labels in DEFAULT_PICKLISTS.items():
        for order, label in enumerate(labels, start=1):
            PicklistValue.objects.get_or_create(
                object_name=CAMPAIGN,
                field_name=field,
                api_name=label,
                defaults={
                    "label": label,
                    "sort_order": order,
                    "is_default": field == "status" and label == DEFAULT_STATUS,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial"), ("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
