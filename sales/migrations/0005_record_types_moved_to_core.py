"""Record types now live in core (same tables): the sales records point at core's model."""

import django.db.models.deletion
from django.db import migrations, models


def _record_type_fk():
    return models.ForeignKey(
        blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.recordtype"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_record_types_shared"),
        ("sales", "0004_case_insensitive_product_code_and_record_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name="account", name="record_type", field=_record_type_fk()),
                migrations.AlterField(model_name="contact", name="record_type", field=_record_type_fk()),
                migrations.AlterField(model_name="opportunity", name="record_type", field=_record_type_fk()),
                migrations.DeleteModel(name="RecordTypeDefault"),
                migrations.DeleteModel(name="RecordType"),
            ],
            database_operations=[],
        ),
    ]
