# The trigram index that fuzzy name matching uses (pg_trgm, created by search's migrations where it
# is available), and the match keys of every lead and contact stored before duplicate rules existed.

from django.db import migrations


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS dedupe_key_name_trgm ON dedupe_matchkey USING gin (name gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS dedupe_key_name_trgm")


def backfill(apps, schema_editor):
    from dedupe.services.keys import keys_for_values

    MatchKey = apps.get_model("dedupe", "MatchKey")
    sources = {
        "lead": (
            apps.get_model("leads", "Lead"),
            ("email", "phone", "mobile", "company", "first_name", "last_name", "country"),
        ),
        "contact": (
            apps.get_model("sales", "Contact"),
            ("email", "phone", "mobile", "account__name", "first_name", "last_name", "mailing_country"),
        ),
    }
    for object_name, (model, fields) in sources.items():
        last = 0
        while True:
            rows = list(model.objects.filter(pk__gt=last).order_by("pk").values("pk", *fields)[:2000])
            if not rows:
                break
            last = rows[-1]["pk"]
            MatchKey.objects.bulk_create(
                [MatchKey(object_name=object_name, record_id=row["pk"], **keys_for_values(row)) for row in rows],
                ignore_conflicts=True,
            )


class Migration(migrations.Migration):
    dependencies = [("dedupe", "0001_initial")]

    operations = [
        migrations.RunPython(trigram_index, drop_trigram_index),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
