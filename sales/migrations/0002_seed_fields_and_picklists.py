from django.db import migrations

from sales.fields import DEFAULT_PICKLISTS, STANDARD_FIELDS


def seed(apps, schema_editor):
    FieldDefinition = apps.get_model("core", "FieldDefinition")
    PicklistValue = apps.get_model("core", "PicklistValue")
    for object_name, fields in STANDARD_FIELDS.items():
        for order, (api_name, label, ftype, required, _section, help_text) in enumerate(fields, start=1):
            FieldDefinition.objects.get_or_create(
                object_name=object_name,
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
    for object_name, picklists in DEFAULT_PICKLISTS.items():
        for field, values in picklists.items():
            for order, (label, is_default, is_closed, is_won, probability) in enumerate(values, start=1):
                PicklistValue.objects.get_or_create(
                    object_name=object_name,
                    field_name=field,
                    api_name=label,
                    defaults={
                        "label": label,
                        "sort_order": order,
                        "is_default": is_default,
                        "is_closed": is_closed,
                        "is_won": is_won,
                        "probability": probability,
                    },
                )


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial"), ("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
