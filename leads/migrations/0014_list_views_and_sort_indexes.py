import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models

# Saved list views; and one index per sortable column of the lead list, matching its ORDER BY (leads.filters): the first
# page of any sort is read off an index instead of sorting every lead. On PostgreSQL they are built
# CONCURRENTLY, so a large table keeps taking writes while they build; an index left invalid by an
# interrupted build is dropped and built again.
INDEXES = [
    models.Index(
        django.db.models.functions.text.Lower("last_name"),
        django.db.models.functions.text.Lower("first_name"),
        models.F("id"),
        name="lead_name_sort_idx",
    ),
    models.Index(django.db.models.functions.text.Lower("company"), models.F("id"), name="lead_company_sort_idx"),
    models.Index(django.db.models.functions.text.Lower("email"), models.F("id"), name="lead_email_sort_idx"),
    models.Index(django.db.models.functions.text.Lower("city"), models.F("id"), name="lead_city_sort_idx"),
    models.Index(django.db.models.functions.text.Lower("country"), models.F("id"), name="lead_country_sort_idx"),
    models.Index(django.db.models.functions.text.Lower("title"), models.F("id"), name="lead_title_sort_idx"),
    models.Index(fields=["status", "id"], name="lead_status_sort_idx"),
    models.Index(fields=["lead_source", "id"], name="lead_source_sort_idx"),
    models.Index(fields=["rating", "id"], name="lead_rating_sort_idx"),
    models.Index(fields=["industry", "id"], name="lead_industry_sort_idx"),
    models.Index(fields=["phone", "id"], name="lead_phone_sort_idx"),
    models.Index(fields=["last_modified_at", "id"], name="lead_modified_sort_idx"),
]


def create(apps, schema_editor):
    model = apps.get_model("leads", "Lead")
    if schema_editor.connection.vendor != "postgresql":
        for index in INDEXES:
            schema_editor.add_index(model, index)
        return
    for index in INDEXES:
        with schema_editor.connection.cursor() as cur:
            cur.execute(
                "SELECT i.indisvalid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE c.relname = %s",
                [index.name],
            )
            row = cur.fetchone()
        if row and row[0]:
            continue
        if row:
            schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{index.name}"')
        schema_editor.execute(index.create_sql(model, schema_editor, concurrently=True))


def drop(apps, schema_editor):
    model = apps.get_model("leads", "Lead")
    for index in INDEXES:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{index.name}"')
        else:
            schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("leads", "0013_lead_record_types"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [
        migrations.CreateModel(
            name="ListView",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=80)),
                ("scope", models.CharField(default="all", max_length=20)),
                ("filters", models.JSONField(blank=True, default=dict)),
                ("columns", models.JSONField(default=list)),
                ("ordering", models.CharField(blank=True, max_length=200)),
                (
                    "sharing",
                    models.CharField(
                        choices=[("private", "Only me"), ("role", "A role"), ("everyone", "Everyone")],
                        default="private",
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField()),
                ("last_modified_at", models.DateTimeField()),
                (
                    "last_modified_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lead_list_views",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "shared_role",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lead_list_views",
                        to="auth.group",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["sharing", "shared_role"], name="leads_listview_sharing_idx")],
                "constraints": [
                    models.UniqueConstraint(
                        models.F("owner"),
                        django.db.models.functions.text.Lower("name"),
                        name="leads_listview_name_per_owner_ci",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("name", ""), _negated=True), name="leads_listview_name_required"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("sharing__in", ["private", "role", "everyone"])),
                        name="leads_listview_sharing_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("sharing", "role"), ("shared_role__isnull", False)),
                            models.Q(models.Q(("sharing", "role"), _negated=True), ("shared_role__isnull", True)),
                            _connector="OR",
                        ),
                        name="leads_listview_role_iff_shared_with_role",
                    ),
                ],
            },
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="lead", index=index) for index in INDEXES],
            database_operations=[migrations.RunPython(create, drop)],
        ),
    ]
