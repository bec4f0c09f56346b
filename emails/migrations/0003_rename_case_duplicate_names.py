"""Rename EmailFolder, EmailTemplate, AutoResponseRule names that differ only in case (before their
case-insensitive unique constraints)."""

from django.db import migrations

MODELS = ("emails.EmailFolder", "emails.EmailTemplate", "emails.AutoResponseRule")
MAX_LENGTH = 120


def rename_case_duplicates(apps, schema_editor):
    """Names that differ only in case get a number, the oldest row keeps its name, so that the
    case-insensitive unique constraints of the next migration can be created."""
    for label in MODELS:
        model = apps.get_model(*label.split("."))
        rows = list(model.objects.order_by("pk").values_list("pk", "name"))
        taken = {name.lower() for _pk, name in rows}
        kept: set[str] = set()
        for pk, name in rows:
            if name.lower() not in kept:
                kept.add(name.lower())
                continue
            number = 2
            while True:
                suffix = f" ({number})"
                candidate = name[: MAX_LENGTH - len(suffix)] + suffix
                if candidate.lower() not in taken:
                    break
                number += 1
            taken.add(candidate.lower())
            kept.add(candidate.lower())
            model.objects.filter(pk=pk).update(name=candidate)


class Migration(migrations.Migration):
    dependencies = [("emails", "0002_autoresponse_rules_on_core_rules")]

    operations = [migrations.RunPython(rename_case_duplicates, migrations.RunPython.noop)]
