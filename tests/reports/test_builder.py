"""The report builder: definitions, the criteria engine in SQL, sharing scope, the API."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from core.criteria import compile_criteria, criteria_q, relative_range
from core.models import OrgSettings
from leads.models import Lead
from reports.builder import ReportDefinition, report_fields, run_definition
from tests.factories import LeadFactory
from users.models import PermissionSet

pytestmark = pytest.mark.django_db

BY_SOURCE_AND_MONTH = {
    "name": "Leads by source and month",
    "object_name": "lead",
    "columns": ["company", "lead_source", "owner"],
    "criteria": [{"field": "created_at", "operator": "last_n_days", "value": "30"}],
    "groupings": [{"field": "lead_source"}, {"field": "created_at", "period": "month"}],
    "summaries": [{"function": "sum", "field": "annual_revenue"}],
    "chart_type": "stacked_bar",
}


@pytest.fixture
def spread(rep, other_rep):
    now = timezone.now()
    LeadFactory(owner_user=rep, lead_source="Website", created_at=now, annual_revenue=100)
    LeadFactory(owner_user=rep, lead_source="Website", created_at=now - dt.timedelta(days=2), annual_revenue=50)
    LeadFactory(owner_user=other_rep, lead_source="Website", created_at=now, annual_revenue=1000)
    LeadFactory(owner_user=other_rep, lead_source="Phone Inquiry", created_at=now)
    LeadFactory(owner_user=rep, lead_source="Website", created_at=now - dt.timedelta(days=90))  # too old


def test_relative_dates_in_sql_match_the_engine(spread):
    specs = report_fields("lead")
    criteria = [{"field": "created_at", "operator": "last_n_days", "value": "30"}]
    in_sql = set(Lead.objects.filter(criteria_q(criteria=criteria, specs=specs)).values_list("pk", flat=True))
    compiled = compile_criteria(object_name="lead", criteria=criteria, specs=specs)
    in_python = {lead.pk for lead in Lead.objects.all() if compiled.matches(lead)}
    assert len(in_sql) == 4
    assert in_sql == in_python


def test_relative_ranges():
    today = dt.date(2026, 11, 18)
    assert relative_range("last_n_days", "30", today) == (dt.date(2026, 10, 20), today)
    assert relative_range("this_quarter", None, today) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert relative_range("last_month", None, dt.date(2026, 1, 5)) == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))
    assert relative_range("this_month", None, dt.date(2024, 2, 10)) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))


def test_filter_logic_and_text_criteria_in_sql(spread, system_admin):
    definition = ReportDefinition.from_data(
        {
            "object_name": "lead",
            "columns": ["company"],
            "criteria": [
                {"field": "lead_source", "operator": "equals", "value": "Phone Inquiry"},
                {"field": "annual_revenue", "operator": "gte", "value": "500"},
                {"field": "created_at", "operator": "last_n_days", "value": "30"},
            ],
            "filter_logic": "(1 OR 2) AND 3",
        }
    )

    assert run_definition(definition, user=system_admin).total == 2


def test_grouped_by_two_fields_with_a_summary(spread, system_admin):
    result = run_definition(ReportDefinition.from_data(BY_SOURCE_AND_MONTH), user=system_admin)

    by_source = {}
    for group in result.groups:
        by_source.setdefault(group["labels"][0], 0)
        by_source[group["labels"][0]] += group["count"]
    assert by_source["Website"] == 3
    assert by_source["Phone Inquiry"] == 1
    assert sum(g["summaries"]["sum__annual_revenue"] or 0 for g in result.groups) == 1150
    assert result.chart["stacked"] is True
    assert len(result.rows) == 4


def test_private_sharing_a_rep_counts_only_leads_they_can_read(spread, rep, marketing_admin):
    OrgSettings.objects.update_or_create(singleton=1, defaults={"lead_access": OrgSettings.LeadAccess.PRIVATE})
    definition = ReportDefinition.from_data(BY_SOURCE_AND_MONTH)

    assert run_definition(definition, user=rep).total == 2
    assert run_definition(definition, user=marketing_admin).total == 4


def test_bad_definitions_answer_field_errors():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        ReportDefinition.from_data(
            {
                "object_name": "lead",
                "columns": ["nope"],
                "groupings": [{"field": "company", "period": "month"}, {"field": "status"}, {"field": "owner"}],
                "summaries": [{"function": "avg", "field": "company"}],
                "criteria": [{"field": "created_at", "operator": "last_n_days", "value": "0"}],
                "chart_type": "pie",
            }
        )
    errors = caught.value.message_dict
    assert {"columns", "groupings", "summaries", "criteria", "chart_type"} <= set(errors)


def test_api_saves_lists_runs_and_exports_a_report(api, spread, rep, other_rep):
    client = api.as_user(rep)

    created = client.post("/api/reports/", BY_SOURCE_AND_MONTH, format="json")
    assert created.status_code == 201, created.content
    report_id = created.json()["id"]
    listed = client.get("/api/reports/").json()
    assert any(r.get("id") == report_id for r in listed)
    assert any(r["key"] == "funnel" for r in listed)

    run = client.get(f"/api/reports/{report_id}/run/").json()
    assert run["total"] == 2  # Private sharing by default: the rep's own leads

    # Exporting needs the Export permission, which reps get from a permission set.
    assert client.get(f"/api/reports/{report_id}/export.csv").status_code == 403
    PermissionSet.objects.get(key="export").group.user_set.add(rep)
    exported = api.as_user(get_user_model().objects.get(pk=rep.pk)).get(f"/api/reports/{report_id}/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert rows[0][:3] == ["Lead Source", "Created Date", "Records"]

    # Private: another rep cannot see it.
    assert api.as_user(other_rep).get(f"/api/reports/{report_id}/run/").status_code == 404


def test_api_rejects_a_bad_definition_with_field_errors(api, rep):
    response = api.as_user(rep).post("/api/reports/", {"name": "", "object_name": "lead"}, format="json")

    assert response.status_code == 400
    assert "object_name" in response.json() or "name" in response.json() or "columns" in response.json()


def test_a_report_shared_with_a_role_is_seen_by_its_members(api, rep, other_rep):
    role = Group.objects.get(name="Sales rep")
    data = {**BY_SOURCE_AND_MONTH, "sharing": "role", "shared_role": role.pk}
    report_id = api.as_user(rep).post("/api/reports/", data, format="json").json()["id"]

    assert api.as_user(other_rep).get(f"/api/reports/{report_id}/run/").status_code == 200


def test_csv_cells_of_builder_reports_are_guarded_against_formulas(api, system_admin, rep):
    LeadFactory(owner_user=rep, company="=HYPERLINK(1)", created_at=timezone.now())
    data = {"name": "Companies", "object_name": "lead", "columns": ["company"]}
    report_id = api.as_user(system_admin).post("/api/reports/", data, format="json").json()["id"]

    body = b"".join(api.as_user(system_admin).get(f"/api/reports/{report_id}/export.csv").streaming_content).decode()

    assert "'=HYPERLINK(1)" in body
