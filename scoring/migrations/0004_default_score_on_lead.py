from django.db import migrations


def copy_to_lead(apps, schema_editor):
    """The default model's scores move onto the lead rows, where the list's index can sort by them."""
    ScoringModel = apps.get_model("scoring", "ScoringModel")
    LeadScore = apps.get_model("scoring", "LeadScore")
    Lead = apps.get_model("leads", "Lead")
    model_id = ScoringModel.objects.filter(is_default=True).values_list("pk", flat=True).first()
    if model_id is None:
        return
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE leads_lead l SET score = s.score, grade = s.grade, score_updated_at = s.computed_at "
            "FROM scoring_leadscore s WHERE s.lead_id = l.id AND s.model_id = %s",
            [model_id],
        )
        return
    rows = LeadScore.objects.filter(model_id=model_id).values_list("lead_id", "score", "grade", "computed_at")
    for lead_id, score, grade, at in rows.iterator():
        Lead.objects.filter(pk=lead_id).update(score=score, grade=grade, score_updated_at=at)


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0003_mql_alerts_recompute"),
        ("leads", "0011_lead_sort_keys"),
    ]

    operations = [migrations.RunPython(copy_to_lead, migrations.RunPython.noop)]
