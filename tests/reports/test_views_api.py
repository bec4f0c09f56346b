"""Report pages, CSV exports and the reports API."""

import csv
import io

import pytest
from django.utils import timezone

from core.models import OrgSettings
from webtolead.models import Intake, WebToLeadForm

from .conftest import RANGE, at

pytestmark = pytest.mark.django_db


def streamed_csv(response) -> list[list[str]]:
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_report_list_page_names_the_standard_reports(client, rep):
    client.force_login(rep)

    page = client.get("/reports/").content.decode()

    assert "Lead funnel" in page
    assert "Time in status" in page
    assert "Web-to-Lead intake" not in page


def test_reports_menu_entry(client, rep):
    client.force_login(rep)

    assert 'href="/reports/"' in client.get("/reports/").content.decode()


def test_report_page_carries_chart_data_and_table(client, known_leads, marketing_admin):
    client.force_login(marketing_admin)

    response = client.get("/reports/funnel/", {**RANGE, "by": "lead_source"})

    page = response.content.decode()
    assert response.status_code == 200
    assert '<script id="report-chart-data" type="application/json">' in page
    assert 'id="report-chart"' in page
    assert 'data-testid="report-table"' in page
    assert "js/reports.js" in page
    assert "vendor/chartjs/chart.umd.min.js" in page
    assert "lead_source=Website" in page
    assert response.context["result"].rows[-1]["created"] == 5


def test_report_page_empty_state(client, marketing_admin):
    client.force_login(marketing_admin)

    page = client.get("/reports/funnel/", RANGE).content.decode()

    assert 'data-testid="report-empty"' in page
    assert "report-chart-data" not in page


def test_report_page_shows_parameter_errors(client, rep):
    client.force_login(rep)

    page = client.get("/reports/leads-created/", {"created_from": "2026-11-10", "created_to": "2026-11-01"}).content

    assert b"The start date must not be after the end date." in page


def test_unknown_report_is_404_and_admin_report_is_403_for_a_rep(client, rep):
    client.force_login(rep)

    assert client.get("/reports/nope/").status_code == 404
    assert client.get("/reports/web-to-lead-intake/").status_code == 403


def test_csv_export_is_streamed_with_the_table(client, known_leads, marketing_admin):
    client.force_login(marketing_admin)

    response = client.get("/reports/conversion-by-source/export.csv", RANGE)

    rows = streamed_csv(response)
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:4] == ["Lead Source", "Leads", "Converted", "Conversion rate %"]
    assert ["Website", "3", "1", "33.3", "2.0", "2.0"] in rows


def test_web_to_lead_intake_per_form_and_day(client, marketing_admin):
    now = timezone.now()
    form = WebToLeadForm.objects.create(name="Contact us", public_key="k1", created_at=now, updated_at=now)
    for outcome, day in [("created", 3), ("created", 3), ("spam", 3), ("pending", 4), ("rejected", 4)]:
        Intake.objects.create(form=form, outcome=outcome, received_at=at(day), processed_at=at(day), public_ref="r")
    client.force_login(marketing_admin)

    response = client.get("/api/reports/web-to-lead-intake/run/", RANGE)

    assert response.status_code == 200
    rows = response.json()["rows"]
    assert rows == [
        {"day": "2026-11-03", "form": "Contact us", "created": 2, "pending": 0, "spam": 1, "rejected": 0, "total": 3},
        {"day": "2026-11-04", "form": "Contact us", "created": 0, "pending": 1, "spam": 0, "rejected": 1, "total": 2},
    ]
    assert response.json()["links"][0]["spam"] == f"/setup/web-to-lead/intake/?outcome=spam&form={form.pk}"


def test_api_lists_the_reports_the_caller_may_run(api, rep, marketing_admin):
    keys = [r["key"] for r in api.as_user(rep).get("/api/reports/").json()]
    admin_keys = [r["key"] for r in api.as_user(marketing_admin).get("/api/reports/").json()]

    assert keys[:6] == [
        "leads-created",
        "funnel",
        "conversion-by-source",
        "time-in-status",
        "speed-to-lead",
        "queue-backlog",
    ]
    assert "conversion-by-campaign" in keys
    assert "web-to-lead-intake" not in keys
    assert "web-to-lead-intake" in admin_keys


def test_api_run_in_the_sharing_scope_of_the_caller(api, known_leads, rep):
    OrgSettings.objects.update_or_create(singleton=1, defaults={"lead_access": OrgSettings.LeadAccess.PRIVATE})

    response = api.as_user(rep).get("/api/reports/leads-created/run/", {**RANGE, "period": "month"})

    body = response.json()
    assert response.status_code == 200
    assert body["date_from"] == "2026-11-02"
    assert next(c["key"] for c in body["columns"]) == "period"
    assert body["rows"] == [{"period": "2026-11", "g0": 2, "g1": 2, "total": 4}]
    assert {g["label"] for g in body["groups"]} == {"Website", "Phone Inquiry"}


def test_api_run_answers_400_with_field_errors(api, rep):
    client = api.as_user(rep)

    assert client.get("/api/reports/leads-created/run/", {"period": "year"}).status_code == 400
    response = client.get("/api/reports/leads-created/run/", {"owner": "nobody"})
    assert response.status_code == 400
    assert "owner" in response.json()
    assert client.get("/api/reports/nope/run/").status_code == 404
    assert client.get("/api/reports/web-to-lead-intake/run/").status_code == 403


def test_api_csv_export(api, known_leads, marketing_admin):
    response = api.as_user(marketing_admin).get("/api/reports/funnel/export.csv", {**RANGE, "by": "owner"})

    rows = streamed_csv(response)
    assert rows[0][0] == "Owner"
    assert rows[-1][:5] == ["Total", "5", "4", "3", "3"]


def test_api_schema_documents_the_report_endpoints(api, rep):
    schema = api.as_user(rep).get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert "/api/reports/{key}/run/" in schema["paths"]
    assert "/api/reports/{key}/export.csv" in schema["paths"]
    assert "text/csv" in schema["paths"]["/api/reports/{key}/export.csv"]["get"]["responses"]["200"]["content"]


@pytest.mark.parametrize(
    ("key", "extra"),
    [
        ("leads-created", {"group": "owner", "period": "day"}),
        ("funnel", {"by": "owner"}),
        ("conversion-by-source", {}),
        ("time-in-status", {}),
        ("queue-backlog", {}),
        ("speed-to-lead", {}),
    ],
)
def test_report_pages_read_a_fixed_number_of_queries(
    client, known_leads, marketing_admin, key, extra, django_assert_max_num_queries
):
    from tests.factories import LeadFactory

    # Fifteen more owners: a query per owner or per lead would pass the bound.
    LeadFactory.create_batch(15, created_at=at(5), status="Working")
    client.force_login(marketing_admin)

    with django_assert_max_num_queries(20):
        response = client.get(f"/reports/{key}/", {**RANGE, **extra})

    assert response.status_code == 200


def test_csv_cells_that_look_like_formulas_are_quoted(client, rep, marketing_admin):
    from tests.factories import LeadFactory

    LeadFactory(owner_user=rep, country="=HYPERLINK(1)", created_at=at(3))
    client.force_login(marketing_admin)

    rows = streamed_csv(
        client.get("/reports/leads-created/export.csv", {**RANGE, "group": "country", "period": "month"})
    )

    assert rows[0] == ["Period", "'=HYPERLINK(1)", "Total"]
    assert rows[1] == ["2026-11", "1", "1"]
