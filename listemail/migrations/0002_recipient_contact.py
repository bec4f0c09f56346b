import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("listemail", "0001_list_email"),
        ("sales", "0004_case_insensitive_product_code_and_record_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="listemailrecipient",
            name="contact",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="sales.contact",
            ),
        ),
        migrations.AddConstraint(
            model_name="listemailrecipient",
            constraint=models.UniqueConstraint(
                condition=models.Q(("contact__isnull", False)),
                fields=("send", "contact"),
                name="listemail_recipient_contact_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="listemailrecipient",
            constraint=models.CheckConstraint(
                condition=models.Q(("lead__isnull", True), ("contact__isnull", True), _connector="OR"),
                name="listemail_recipient_lead_or_contact",
            ),
        ),
    ]
