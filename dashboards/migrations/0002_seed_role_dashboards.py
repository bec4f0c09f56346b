"""The default dashboard of each role: the home page of sales reps and of marketing admins (system
admins see the marketing admins' one until they get their own)."""

from django.db import migrations

SALES_REP = "Sales rep"
MARKETING_ADMIN = "Marketing admin"

# (title, source, params, chart type, size)
DASHBOARDS = [
    (
        "Sales rep home",
        "My leads, how fast they are worked, my queues and my tasks.",
        SALES_REP,
        [
            (
                "My leads by status (this month)",
                "report:leads-created",
                "owner=me&group=status&period=week&range=this_month",
                "stacked",
                "medium",
            ),
            ("Waiting for first touch and SLA breaches", "report:sla-status", "range=30d", "stacked", "medium"),
            ("My queues' backlog", "report:queue-backlog", "", "bar", "medium"),
            ("My tasks", "widget:my-tasks", "", "table", "small"),
            ("Recent activity", "widget:recent-activity", "", "table", "small"),
            ("My speed to lead (last 30 days)", "report:speed-to-lead", "owner=me&range=30d", "bar", "small"),
        ],
    ),
    (
        "Marketing home",
        "Intake, sources, conversion and auto-response delivery.",
        MARKETING_ADMIN,
        [
            ("Web-to-Lead intake today", "report:web-to-lead-intake", "range=today", "stacked", "small"),
            ("Web-to-Lead intake this week", "report:web-to-lead-intake", "range=this_week", "stacked", "small"),
            (
                "Source mix (this month)",
                "report:leads-created",
                "group=lead_source&period=month&range=this_month",
                "doughnut",
                "small",
            ),
            (
                "Leads by source per week",
                "report:leads-created",
                "group=lead_source&period=week&range=90d",
                "stacked",
                "large",
            ),
            ("Conversion rate by source (90 days)", "report:conversion-by-source", "range=90d", "bar", "small"),
            ("Funnel (90 days)", "report:funnel", "range=90d", "bar", "medium"),
            ("Speed-to-lead SLAs", "report:sla-status", "range=30d", "stacked", "medium"),
            ("Auto-response delivery (14 days)", "report:auto-response-delivery", "range=14d", "stacked", "full"),
        ],
    ),
]


def seed(apps, schema_editor):
    Dashboard = apps.get_model("dashboards", "Dashboard")
    Component = apps.get_model("dashboards", "DashboardComponent")
    for name, description, role, components in DASHBOARDS:
        if Dashboard.objects.filter(name__iexact=name).exists():
            continue
        dashboard = Dashboard.objects.create(
            name=name,
            description=description,
            role=role,
            is_default=not Dashboard.objects.filter(role=role, is_default=True).exists(),
        )
        for order, (title, source, params, chart_type, size) in enumerate(components, start=1):
            Component.objects.create(
                dashboard=dashboard,
                title=title,
                source=source,
                params=params,
                chart_type=chart_type,
                size=size,
                sort_order=order,
            )


def unseed(apps, schema_editor):
    apps.get_model("dashboards", "Dashboard").objects.filter(name__in=[d[0] for d in DASHBOARDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
