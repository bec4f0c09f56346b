import django.db.models.functions.text
from django.db import migrations, models

# The owner's sort name kept on the lead row, so that the list sorted by owner reads its first page
# off an index matching its ORDER BY, ``(LOWER(owner_sort_name), id)``, like every other column.
INDEX = models.Index(
    django.db.models.functions.text.Lower("owner_sort_name"), models.F("id"), name="lead_owner_sort_idx"
)
LENGTH = 301


def backfill(apps, schema_editor):
    """Every lead takes its owner's sort name: one UPDATE per owner (served by the owner indexes),
    each its own transaction, so that a large table is never locked whole. As
    ``leads.ownership.owner_sort_name``: last and first name, else the username; a queue's name."""
    lead = apps.get_model("leads", "Lead")
    user_model = apps.get_model("auth", "User")
    queue_model = apps.get_model("leads", "Queue")
    owned_users = lead.objects.order_by().values_list("owner_user_id", flat=True).distinct()
    for user in user_model.objects.filter(pk__in=owned_users).order_by("pk"):
        name = " ".join(part for part in (user.last_name, user.first_name) if part) or user.username
        lead.objects.filter(owner_user_id=user.pk).exclude(owner_sort_name=name[:LENGTH]).update(
            owner_sort_name=name[:LENGTH]
        )
    for queue in queue_model.objects.order_by("pk"):
        lead.objects.filter(owner_queue_id=queue.pk).exclude(owner_sort_name=queue.name[:LENGTH]).update(
            owner_sort_name=queue.name[:LENGTH]
        )


def create_index(apps, schema_editor):
    model = apps.get_model("leads", "Lead")
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.add_index(model, INDEX)
        return
    with schema_editor.connection.cursor() as cur:
        cur.execute(
            "SELECT i.indisvalid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE c.relname = %s",
            [INDEX.name],
        )
        row = cur.fetchone()
    if row and row[0]:
        return
    if row:  # left invalid by an interrupted build
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{INDEX.name}"')
    schema_editor.execute(INDEX.create_sql(model, schema_editor, concurrently=True))


def drop_index(apps, schema_editor):
    model = apps.get_model("leads", "Lead")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{INDEX.name}"')
    else:
        schema_editor.remove_index(model, INDEX)


class Migration(migrations.Migration):
    # The backfill commits owner by owner; CREATE INDEX CONCURRENTLY cannot run in a transaction.
    atomic = False
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("leads", "0014_list_views_and_sort_indexes"),
    ]
    operations = [
        migrations.AddField(
            model_name="lead",
            name="owner_sort_name",
            field=models.CharField(blank=True, db_default="", default="", editable=False, max_length=LENGTH),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="lead", index=INDEX)],
            database_operations=[migrations.RunPython(create_index, drop_index)],
        ),
    ]
