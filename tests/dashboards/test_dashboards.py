"""Dashboards: the home page per role, components loaded on their own and counted in the viewer's
sharing scope, composition by admins (pages and API)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards import selectors, services
from dashboards.models import Dashboard, DashboardComponent
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _component(dashboard, **values):
    return DashboardComponent.objects.create(
        dashboard=dashboard,
        **{"title": "By source", "source": "report:leads-created", "params": "group=lead_source&range=7d", **values},
    )


def test_each_role_gets_its_default_dashboard(rep, marketing_admin, system_admin):
    assert selectors.home_dashboard(rep).name == "Sales rep home"
    assert selectors.home_dashboard(marketing_admin).name == "Marketing home"
    # System admins have none of their own: the marketing admins' one.
    assert selectors.home_dashboard(system_admin).name == "Marketing home"


def test_a_rep_sees_only_dashboards_shared_with_reps_or_everyone(rep):
    Dashboard.objects.create(name="Admins only", role="Marketing admin")
    Dashboard.objects.create(name="For everyone", role="")
    names = set(selectors.dashboards_for(rep).values_list("name", flat=True))
    assert names == {"Sales rep home", "For everyone"}


def test_a_user_picks_another_dashboard_for_their_home_page(client, rep):
    everyone = Dashboard.objects.create(name="For everyone", role="")
    hidden = Dashboard.objects.create(name="Admins only", role="Marketing admin")
    client.force_login(rep)
    client.post(reverse("dashboards:pick", args=[everyone.pk]))
    assert client.get(reverse("home")).context["dashboard"] == everyone
    assert client.post(reverse("dashboards:pick", args=[hidden.pk])).status_code == 404


def test_the_home_page_loads_each_component_on_its_own(client, rep):
    client.force_login(rep)
    body = client.get(reverse("home")).content.decode()
    dashboard = Dashboard.objects.get(name="Sales rep home")
    for component in dashboard.components.all():
        assert f'hx-get="{reverse("dashboards:component", args=[dashboard.pk, component.pk])}"' in body
    assert 'hx-trigger="load"' in body


def test_every_seeded_component_renders_for_its_role(client, rep, marketing_admin):
    LeadFactory(owner_user=rep, lead_source="Web")
    for user, name in ((rep, "Sales rep home"), (marketing_admin, "Marketing home")):
        client.force_login(user)
        dashboard = Dashboard.objects.get(name=name)
        for component in dashboard.components.all():
            response = client.get(
                reverse("dashboards:component", args=[dashboard.pk, component.pk]), HTTP_HX_REQUEST="true"
            )
            assert response.status_code == 200, component.title
            assert "This report no longer exists" not in response.content.decode(), component.title


def test_a_reps_component_counts_only_the_leads_they_may_read(rep, other_rep, marketing_admin, private_sharing):
    LeadFactory.create_batch(2, owner_user=rep, lead_source="Web")
    LeadFactory.create_batch(3, owner_user=other_rep, lead_source="Web")
    dashboard = Dashboard.objects.create(name="Shared", role="")
    component = _component(dashboard)

    def total(user) -> int:
        data = selectors.component_data(user=user, component=component)
        return sum(row[-1]["value"] for row in data.table)

    assert total(rep) == 2
    assert total(other_rep) == 3
    assert total(marketing_admin) == 5


def test_owner_me_and_relative_ranges_resolve_for_the_viewer(rep):
    today = dt.date(2026, 11, 18)
    query = selectors.resolve_params("owner=me&range=this_week&group=status", user=rep, today=today)
    assert query["owner"] == f"user:{rep.pk}"
    assert (query["created_from"], query["created_to"]) == ("2026-11-16", "2026-11-18")
    assert query["group"] == "status"
    assert "range" not in query


def test_a_table_component_has_no_chart_and_a_donut_sums_each_series(rep):
    LeadFactory(owner_user=rep, lead_source="Web", created_at=timezone.now())
    dashboard = Dashboard.objects.create(name="Shapes", role="")
    table = _component(dashboard, chart_type="table")
    donut = _component(dashboard, chart_type="doughnut", params="group=lead_source&period=month&range=today")
    assert selectors.component_data(user=rep, component=table).chart is None
    chart = selectors.component_data(user=rep, component=donut).chart
    assert chart["type"] == "doughnut"
    assert chart["labels"] == ["Web"]
    assert chart["datasets"][0]["data"] == [1]
    assert "lead_source=Web" in chart["links"][0][0]


def test_an_admin_report_on_a_reps_dashboard_says_so(rep):
    dashboard = Dashboard.objects.create(name="Mixed", role="")
    component = _component(dashboard, source="report:web-to-lead-intake", params="range=today")
    assert selectors.component_data(user=rep, component=component).error == "This report is for marketing admins."


def test_admins_compose_a_dashboard_through_the_pages(client, marketing_admin):
    client.force_login(marketing_admin)
    response = client.post(
        reverse("dashboards:create"), {"name": "Pipeline", "description": "", "role": "Sales rep", "is_default": "on"}
    )
    dashboard = Dashboard.objects.get(name="Pipeline")
    assert response.status_code == 302
    assert dashboard.is_default
    assert not Dashboard.objects.get(name="Sales rep home").is_default  # one default per role
    bad = client.post(
        reverse("dashboards:edit_components", args=[dashboard.pk]),
        {
            "title": "X",
            "source": "report:funnel",
            "params": "range=forever",
            "chart_type": "bar",
            "size": "small",
            "sort_order": 1,
        },
    )
    assert "Unknown range" in bad.content.decode()
    client.post(
        reverse("dashboards:edit_components", args=[dashboard.pk]),
        {
            "title": "Funnel",
            "source": "report:funnel",
            "params": "range=30d",
            "chart_type": "bar",
            "size": "small",
            "sort_order": 1,
        },
    )
    assert list(dashboard.components.values_list("title", flat=True)) == ["Funnel"]


def test_reps_may_not_compose_dashboards(client, rep):
    client.force_login(rep)
    assert client.get(reverse("dashboards:create")).status_code == 403
    with pytest.raises(PermissionError):
        services.dashboard_create(name="Mine", acting_user=rep)


def test_dashboards_api(api, rep, marketing_admin):
    admin = api.as_user(marketing_admin)
    made = admin.post("/api/dashboards/", {"name": "API board", "role": ""}, format="json")
    assert made.status_code == 201
    pk = made.json()["id"]
    assert admin.post("/api/dashboards/", {"name": "api BOARD"}, format="json").status_code == 400
    component = admin.post(
        f"/api/dashboards/{pk}/components/",
        {"title": "Sources", "source": "report:leads-created", "params": "group=lead_source&range=30d"},
        format="json",
    )
    assert component.status_code == 201
    bad = admin.post(f"/api/dashboards/{pk}/components/", {"title": "X", "source": "report:nope"}, format="json")
    assert bad.status_code == 400
    assert "source" in bad.json()

    reader = api.as_user(rep)
    names = [d["name"] for d in reader.get("/api/dashboards/").json()]
    assert "API board" in names
    assert "Marketing home" not in names
    data = reader.get(f"/api/dashboards/{pk}/components/{component.json()['id']}/data/").json()
    assert data["title"] == "Sources"
    assert data["chart"]["type"] == "bar"
    assert reader.post("/api/dashboards/", {"name": "Nope"}, format="json").status_code == 403


def test_the_auto_response_delivery_report_counts_by_status(client, marketing_admin):
    from emails.models import OutboundEmail

    now = timezone.now()
    for status in ("sent", "sent", "failed"):
        OutboundEmail.objects.create(
            idempotency_key=f"k-{status}-{OutboundEmail.objects.count()}",
            status=status,
            kind=OutboundEmail.Kind.AUTO_RESPONSE,
            to_address="a@example.com",
            subject="Hi",
            body_text="Hi",
            next_attempt_at=now,
            created_at=now,
            sent_at=now if status == "sent" else None,
        )
    client.force_login(marketing_admin)
    response = client.get(reverse("reports:detail", args=["auto-response-delivery"]))
    row = response.context["result"].rows[-1]
    assert (row["sent"], row["failed"], row["total"]) == (2, 1, 3)


def test_mqls_per_week_count_only_readable_leads_and_their_conversions(rep, other_rep, private_sharing):
    from scoring.models import LeadScore, ScoringModel

    model = ScoringModel.objects.create(name="Default", is_default=True, is_active=True)
    now = timezone.now()

    def mql(owner, converted=False):
        lead = LeadFactory(owner_user=owner, is_converted=converted, converted_at=now if converted else None)
        LeadScore.objects.create(
            lead=lead, model=model, score=80, grade="A", computed_at=now, mql_at=now, mql_crossings=1
        )

    mql(rep)
    mql(rep, converted=True)
    mql(other_rep)
    dashboard = Dashboard.objects.create(name="MQLs", role="")
    component = _component(dashboard, source="report:mqls", params="range=7d")

    rep_rows = selectors.component_data(user=rep, component=component).table
    assert [(row[1]["value"], row[2]["value"]) for row in rep_rows] == [(2, 1)]
    admin_rows = selectors.component_data(user=other_rep, component=component).table
    assert [(row[1]["value"], row[2]["value"]) for row in admin_rows] == [(1, 0)]


def test_the_conversion_trend_gives_each_weeks_rate(client, marketing_admin, rep):
    monday = dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC)
    LeadFactory(owner_user=rep, created_at=monday)
    LeadFactory(owner_user=rep, created_at=monday, is_converted=True, converted_at=monday + dt.timedelta(days=1))
    LeadFactory(owner_user=rep, created_at=monday + dt.timedelta(days=7))
    client.force_login(marketing_admin)
    response = client.get(
        reverse("reports:detail", args=["conversion-trend"]),
        {"created_from": "2026-11-02", "created_to": "2026-11-15", "period": "week"},
    )
    rows = response.context["result"].rows
    assert [(r["period"], r["leads"], r["converted"], r["rate"]) for r in rows] == [
        ("2026-11-02", 2, 1, 50.0),
        ("2026-11-09", 1, 0, 0.0),
    ]


def test_the_home_page_and_a_component_read_a_fixed_number_of_queries(client, rep, django_assert_max_num_queries):
    LeadFactory.create_batch(5, owner_user=rep)
    client.force_login(rep)
    with django_assert_max_num_queries(12):
        client.get(reverse("home"))
    dashboard = Dashboard.objects.get(name="Sales rep home")
    component = dashboard.components.get(source="report:leads-created")
    url = reverse("dashboards:component", args=[dashboard.pk, component.pk])
    client.get(url, HTTP_HX_REQUEST="true")
    LeadFactory.create_batch(10, owner_user=rep)
    with django_assert_max_num_queries(20):
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
