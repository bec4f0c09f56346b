from django.db import migrations


def copy_to_lead(apps, schema_editor):
    """Each lead's last activity moves onto the lead row, where the list's index can sort by it."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE leads_lead l SET last_activity_at = a.last_activity_at "
            "FROM engagement_leadlastactivity a WHERE a.lead_id = l.id"
        )
        return
    Lead = apps.get_model("leads", "Lead")
    LeadLastActivity = apps.get_model("engagement", "LeadLastActivity")
    for lead_id, at in LeadLastActivity.objects.values_list("lead_id", "last_activity_at").iterator():
        Lead.objects.filter(pk=lead_id).update(last_activity_at=at)


def copy_back(apps, schema_editor):
    Lead = apps.get_model("leads", "Lead")
    LeadLastActivity = apps.get_model("engagement", "LeadLastActivity")
    LeadLastActivity.objects.bulk_create(
        LeadLastActivity(lead_id=pk, last_activity_at=at)
        for pk, at in Lead.objects.filter(last_activity_at__isnull=False).values_list("pk", "last_activity_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0003_lead_last_activity"),
        ("leads", "0011_lead_sort_keys"),
    ]

    operations = [
        migrations.RunPython(copy_to_lead, copy_back),
        migrations.DeleteModel(name="LeadLastActivity"),
    ]
