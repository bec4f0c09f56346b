"""Saved builder reports as dashboard components: their chart type and groupings, counted in the
viewer's sharing scope, drill-downs to the leads (or to the report), and composition checks."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from dashboards import selectors, services
from dashboards.models import Dashboard, DashboardComponent
from reports.models import SavedReport
from reports.services import saved_report_create
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

BY_SOURCE = {
    "name": "Leads by source",
    "object_name": "lead",
    "columns": [],
    "groupings": [{"field": "lead_source"}],
    "chart_type": "donut",
}


@pytest.fixture
def by_source(marketing_admin):
    return saved_report_create(data={**BY_SOURCE, "new_folder": "Marketing"}, acting_user=marketing_admin)


def _board(report, **values) -> DashboardComponent:
    dashboard = Dashboard.objects.create(name="Composed", role="")
    return DashboardComponent.objects.create(
        dashboard=dashboard, title="Sources", source=f"saved:{report.pk}", **values
    )


def _counts(data) -> dict:
    return {row[0]["value"]: row[1]["value"] for row in data.table}


def test_a_saved_report_component_counts_in_the_viewers_scope(by_source, rep, other_rep, system_admin, private_sharing):
    LeadFactory.create_batch(2, owner_user=rep, lead_source="Website")
    LeadFactory(owner_user=rep, lead_source="Phone Inquiry")
    LeadFactory.create_batch(3, owner_user=other_rep, lead_source="Website")
    component = _board(by_source)

    assert _counts(selectors.component_data(user=rep, component=component)) == {"Website": 2, "Phone Inquiry": 1}
    assert _counts(selectors.component_data(user=system_admin, component=component)) == {
        "Website": 5,
        "Phone Inquiry": 1,
    }


def test_the_component_draws_the_reports_chart_type_and_links_each_slice_to_its_leads(by_source, rep):
    LeadFactory.create_batch(2, owner_user=rep, lead_source="Website")
    data = selectors.component_data(user=rep, component=_board(by_source))
    assert data.chart["type"] == "doughnut"
    link = data.chart["links"][0][data.chart["labels"].index("Website")]
    assert urlsplit(link).path == reverse("leads:list")
    assert dict(parse_qsl(urlsplit(link).query)) == {"view": "all", "lead_source": "Website"}
    # The table cell links to the same leads; a rep who may not open the report gets no report link.
    assert data.table[0][1]["link"] == link
    assert data.more_url == ""


def test_a_report_with_criteria_drills_down_to_the_report_itself(marketing_admin, rep):
    report = saved_report_create(
        data={**BY_SOURCE, "criteria": [{"field": "company", "operator": "contains", "value": "Acme"}]},
        acting_user=marketing_admin,
    )
    LeadFactory(owner_user=rep, lead_source="Website", company="Acme Ltd")
    data = selectors.component_data(user=marketing_admin, component=_board(report))
    assert data.chart["links"] == [[reverse("reports:saved", args=[report.pk])]]
    assert data.more_url == reverse("reports:saved", args=[report.pk])


def test_two_groupings_link_each_bar_to_the_owner_and_month(marketing_admin, rep):
    report = saved_report_create(
        data={
            **BY_SOURCE,
            "groupings": [{"field": "owner"}, {"field": "created_at", "period": "month"}],
            "chart_type": "stacked_bar",
        },
        acting_user=marketing_admin,
    )
    lead = LeadFactory(owner_user=rep)
    data = selectors.component_data(user=marketing_admin, component=_board(report))
    assert data.chart["type"] == "bar"
    assert data.chart["stacked"] is True
    query = dict(parse_qsl(urlsplit(data.chart["links"][0][0]).query))
    month = lead.created_at.date().replace(day=1)
    assert query["owner"] == f"user:{rep.pk}"
    assert query["created_from"] == month.isoformat()
    assert query["created_to"][:7] == month.isoformat()[:7]


def test_a_composer_may_not_place_a_report_they_cannot_see(api, marketing_admin, rep):
    private = saved_report_create(data=BY_SOURCE, acting_user=rep)
    dashboard = Dashboard.objects.create(name="Composed", role="")
    client = api.as_user(marketing_admin)
    url = reverse("api-dashboard-components", args=[dashboard.pk])
    response = client.post(url, {"title": "Theirs", "source": f"saved:{private.pk}"}, format="json")
    assert response.status_code == 400
    assert "source" in response.json()
    assert client.post(url, {"title": "Unknown", "source": "saved:999999"}, format="json").status_code == 400
    assert client.post(url, {"title": "Text", "source": "saved:abc"}, format="json").status_code == 400


def test_the_api_composes_a_dashboard_from_a_saved_report(api, marketing_admin, by_source, rep):
    LeadFactory(owner_user=rep, lead_source="Website")
    dashboard = Dashboard.objects.create(name="Composed", role="")
    client = api.as_user(marketing_admin)
    created = client.post(
        reverse("api-dashboard-components", args=[dashboard.pk]),
        {"title": "Sources", "source": f"saved:{by_source.pk}", "size": "small"},
        format="json",
    )
    assert created.status_code == 201, created.content
    data = client.get(reverse("api-dashboard-component-data", args=[dashboard.pk, created.json()["id"]])).json()
    assert data["error"] == ""
    assert data["chart"]["labels"] == ["Website"]
    assert data["rows"][0][1]["value"] == 1


def test_the_composer_page_lists_saved_reports_by_folder(client, marketing_admin, by_source):
    dashboard = Dashboard.objects.create(name="Composed", role="")
    client.force_login(marketing_admin)
    body = client.get(reverse("dashboards:edit_components", args=[dashboard.pk])).content.decode()
    assert f'value="saved:{by_source.pk}"' in body
    assert "Marketing / Leads by source" in body
    response = client.post(
        reverse("dashboards:edit_components", args=[dashboard.pk]),
        {"title": "Sources", "source": f"saved:{by_source.pk}", "chart_type": "bar", "size": "medium", "sort_order": 1},
    )
    assert response.status_code == 302
    component = dashboard.components.get()
    assert selectors.source_label(component.source) == "Saved report: Leads by source"


def test_a_deleted_saved_report_says_so(by_source, rep):
    component = _board(by_source)
    SavedReport.objects.filter(pk=by_source.pk).delete()
    assert selectors.component_data(user=rep, component=component).error == "This report no longer exists."


def test_a_rep_cannot_place_a_saved_report_through_the_service(by_source, rep):
    dashboard = Dashboard.objects.create(name="Composed", role="")
    with pytest.raises(PermissionError):
        services.component_create(
            dashboard=dashboard, data={"title": "x", "source": f"saved:{by_source.pk}"}, acting_user=rep
        )
