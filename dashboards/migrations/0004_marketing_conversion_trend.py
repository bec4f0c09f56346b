"""The marketing admins' dashboard shows the conversion rate per week."""

from django.db import migrations

DASHBOARD = "Marketing home"
SOURCE = "report:conversion-trend"


def seed(apps, schema_editor):
    Dashboard = apps.get_model("dashboards", "Dashboard")
    Component = apps.get_model("dashboards", "DashboardComponent")
    dashboard = Dashboard.objects.filter(name=DASHBOARD).first()
    if dashboard is None:
        return
    last = dashboard.components.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0
    Component.objects.get_or_create(
        dashboard=dashboard,
        source=SOURCE,
        defaults={
            "title": "Conversion rate trend (weekly, 90 days)",
            "params": "period=week&range=90d",
            "chart_type": "line",
            "size": "medium",
            "sort_order": last + 1,
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("dashboards", "DashboardComponent").objects.filter(dashboard__name=DASHBOARD, source=SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0003_marketing_mqls")]

    operations = [migrations.RunPython(seed, unseed)]
