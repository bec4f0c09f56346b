"""Folder, template and auto-response rule names are unique without regard to case."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("emails", "0003_rename_case_duplicate_names")]

    operations = [
        migrations.AddConstraint(
            model_name="autoresponserule",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"), name="emails_autoresponserule_name_ci"
            ),
        ),
        migrations.AddConstraint(
            model_name="emailfolder",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"), name="emails_emailfolder_name_ci"
            ),
        ),
        migrations.AddConstraint(
            model_name="emailtemplate",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"), name="emails_emailtemplate_name_ci"
            ),
        ),
    ]
