import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("core", "0008_user_preferences"),
    ]

    operations = [
        migrations.CreateModel(
            name="LabelTranslation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("object_name", models.CharField(max_length=40)),
                ("field_name", models.CharField(max_length=80)),
                ("value", models.CharField(blank=True, max_length=120)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("picklist_value", "Picklist value"),
                            ("field_label", "Field label"),
                            ("help_text", "Help text"),
                        ],
                        max_length=20,
                    ),
                ),
                ("language", models.CharField(max_length=10)),
                ("text", models.CharField(max_length=500)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["language", "object_name", "field_name", "kind", "value"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("object_name", "field_name", "value", "kind", "language"),
                        name="label_translation_unique",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("language__in", ["es", "fr"])), name="label_translation_language"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["picklist_value", "field_label", "help_text"])),
                        name="label_translation_kind",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("kind", "picklist_value"), models.Q(("value", ""), _negated=True)),
                            models.Q(models.Q(("kind", "picklist_value"), _negated=True), ("value", "")),
                            _connector="OR",
                        ),
                        name="label_translation_value_by_kind",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("text", ""), _negated=True), name="label_translation_text_not_blank"
                    ),
                ],
            },
        ),
    ]
