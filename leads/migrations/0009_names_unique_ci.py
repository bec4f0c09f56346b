"""Queue and assignment rule names are unique without regard to case."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("leads", "0008_rename_case_duplicate_names")]

    operations = [
        migrations.AddConstraint(
            model_name="assignmentrule",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"), name="leads_assignmentrule_name_ci"
            ),
        ),
        migrations.AddConstraint(
            model_name="queue",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"), name="leads_queue_name_ci"
            ),
        ),
    ]
