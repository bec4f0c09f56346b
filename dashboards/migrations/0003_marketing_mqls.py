"""The marketing admins' dashboard shows MQLs per week and the score distribution."""

from django.db import migrations

DASHBOARD = "Marketing home"
COMPONENTS = [
    ("MQLs per week (90 days)", "report:mqls", "range=90d", "bar", "medium"),
    ("Score distribution (30 days)", "report:score-distribution", "range=30d", "bar", "small"),
]


def seed(apps, schema_editor):
    Dashboard = apps.get_model("dashboards", "Dashboard")
    Component = apps.get_model("dashboards", "DashboardComponent")
    dashboard = Dashboard.objects.filter(name=DASHBOARD).first()
    if dashboard is None:
        return
    last = dashboard.components.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0
    for offset, (title, source, params, chart_type, size) in enumerate(COMPONENTS, start=1):
        Component.objects.get_or_create(
            dashboard=dashboard,
            source=source,
            defaults={
                "title": title,
                "params": params,
                "chart_type": chart_type,
                "size": size,
                "sort_order": last + offset,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("dashboards", "DashboardComponent").objects.filter(
        dashboard__name=DASHBOARD, source__in=[c[1] for c in COMPONENTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0002_seed_role_dashboards")]

    operations = [migrations.RunPython(seed, unseed)]
