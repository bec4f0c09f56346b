"""Record types move from sales down to core so that leads share them. The tables keep their names
(``sales_recordtype``...), so the move changes Django's state only; the organisation default and the
page layout are new columns."""

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models

OBJECT_CHOICES = [("account", "Account"), ("contact", "Contact"), ("opportunity", "Opportunity"), ("lead", "Lead")]


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("core", "0009_label_translations"),
        # The tables were created by sales; this migration takes them over.
        ("sales", "0004_case_insensitive_product_code_and_record_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RecordType",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("object_name", models.CharField(choices=OBJECT_CHOICES, max_length=40)),
                        ("name", models.CharField(max_length=80)),
                        ("description", models.CharField(blank=True, max_length=255)),
                        ("is_active", models.BooleanField(default=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "picklist_values",
                            models.ManyToManyField(blank=True, related_name="record_types", to="core.picklistvalue"),
                        ),
                    ],
                    options={
                        "db_table": "sales_recordtype",
                        "ordering": ["object_name", "name"],
                        "constraints": [
                            models.UniqueConstraint(
                                models.F("object_name"),
                                django.db.models.functions.text.Lower("name"),
                                name="sales_recordtype_name_ci",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("name", ""), _negated=True), name="recordtype_name_required"
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="RecordTypeDefault",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("object_name", models.CharField(choices=OBJECT_CHOICES, max_length=40)),
                        (
                            "group",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="record_type_defaults",
                                to="auth.group",
                            ),
                        ),
                        (
                            "record_type",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="defaults",
                                to="core.recordtype",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="record_type_defaults",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sales_recordtypedefault",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("user__isnull", False), ("group__isnull", True)),
                                    models.Q(("user__isnull", True), ("group__isnull", False)),
                                    _connector="OR",
                                ),
                                name="recordtypedefault_user_or_group",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("user__isnull", False)),
                                fields=("object_name", "user"),
                                name="recordtypedefault_one_per_user",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("group__isnull", False)),
                                fields=("object_name", "group"),
                                name="recordtypedefault_one_per_group",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(model_name="recordtype", name="is_org_default", field=models.BooleanField(default=False)),
        migrations.AddField(
            model_name="recordtype", name="layout_sections", field=models.JSONField(blank=True, default=list)
        ),
        migrations.AddConstraint(
            model_name="recordtype",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_org_default", True)), fields=("object_name",), name="recordtype_one_org_default"
            ),
        ),
        migrations.AddConstraint(
            model_name="recordtype",
            constraint=models.CheckConstraint(
                condition=models.Q(("is_org_default", False), ("is_active", True), _connector="OR"),
                name="recordtype_org_default_is_active",
            ),
        ),
    ]
