from django.db import migrations

from leads.fields import DEFAULT_PICKLISTS, OBJECT_NAME, STANDARD_FIELDS


def seed(apps, schema_editor):
    FieldDefinition = apps.get_model("core", "FieldDefinition")
    PicklistValue = apps.get_model("core", "PicklistValue")
    for order, (api_name, label, ftype, required, _section, help_text) in enumerate(STANDARD_FIELDS, start=1):
        FieldDefinition.objects.get_or_create(
            object_name=OBJECT_NAME,
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
    for field, values in DEFAULT_PICKLISTS.items():
        for order, (label, is_default, converted) in enumerate(values, start=1):
            PicklistValue.objects.get_or_create(
                object_name=OBJECT_NAME,
                field_name=field,
                api_name=label,
                defaults={"label": label, "sort_order": order, "is_default": is_default, "is_converted": converted},
            )


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_initial"), ("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
