"""Lead Source is one value set shared by lead, contact and opportunity: give the three picklists
the union of their values, in the lead's order, labelled and (de)activated as on the first object
that has them. Records store the API name, so no record changes."""

from django.db import migrations

OBJECTS = ("lead", "contact", "opportunity")
FIELD = "lead_source"


def share_values(apps, schema_editor):
    PicklistValue = apps.get_model("core", "PicklistValue")
    rows = list(PicklistValue.objects.filter(object_name__in=OBJECTS, field_name=FIELD))
    if not rows:
        return
    rank = {name: i for i, name in enumerate(OBJECTS)}
    rows.sort(key=lambda v: (rank[v.object_name], v.sort_order, v.pk))
    order: list[str] = []
    canonical = {}
    for row in rows:
        if row.api_name not in canonical:
            canonical[row.api_name] = row
            order.append(row.api_name)
    present = {name for name in OBJECTS if any(v.object_name == name for v in rows)}
    for name in OBJECTS:
        if name not in present:
            continue  # a picklist that was never seeded is left alone
        existing = {v.api_name: v for v in rows if v.object_name == name}
        for position, api_name in enumerate(order, start=1):
            source = canonical[api_name]
            row = existing.get(api_name)
            if row is None:
                PicklistValue.objects.create(
                    object_name=name,
                    field_name=FIELD,
                    api_name=api_name,
                    label=source.label,
                    sort_order=position,
                    is_active=source.is_active,
                )
                continue
            row.label = source.label
            row.sort_order = position
            # A default value stays active (a database check requires it).
            row.is_active = source.is_active or row.is_default
            row.save(update_fields=["label", "sort_order", "is_active"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_recycle_bin"),
        # The three picklists are seeded by these migrations.
        ("leads", "0002_seed_fields_and_picklists"),
        ("sales", "0002_seed_fields_and_picklists"),
    ]

    operations = [migrations.RunPython(share_values, migrations.RunPython.noop)]
