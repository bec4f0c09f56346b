"""Standard business hours (Monday to Friday, 09:00-17:00 UTC) to start SLA policies from."""

from django.db import migrations

NAME = "Standard business hours"


def seed(apps, schema_editor):
    BusinessHours = apps.get_model("sla", "BusinessHours")
    if not BusinessHours.objects.exists():
        BusinessHours.objects.create(
            name=NAME, time_zone="UTC", weekly_hours=[["09:00", "17:00"]] * 5 + [None, None], is_default=True
        )


def unseed(apps, schema_editor):
    apps.get_model("sla", "BusinessHours").objects.filter(name=NAME, policies__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
