"""Report builder pages: build, save, run, edit and export a report."""

import pytest
from django.utils import timezone

from reports.models import ReportFolder, SavedReport
from tests.factories import LeadFactory
from users.models import PermissionSet

pytestmark = pytest.mark.django_db


def builder_post(**overrides) -> dict:
    data = {
        "rows": "5",
        "object": "lead",
        "name": "Website leads by month",
        "columns": ["company", "lead_source"],
        "field_1": "lead_source",
        "operator_1": "equals",
        "value_1": "Website",
        "field_2": "created_at",
        "operator_2": "last_n_days",
        "value_2": "30",
        "group_1": "lead_source",
        "group_2": "created_at",
        "period_2": "month",
        "chart_type": "bar",
        "new_folder": "Marketing",
        "sharing": "private",
    }
    data.update(overrides)
    return data


def test_build_save_and_run_a_report(client, rep):
    LeadFactory(owner_user=rep, lead_source="Website", company="Acme", created_at=timezone.now())
    LeadFactory(owner_user=rep, lead_source="Phone Inquiry", company="Globex", created_at=timezone.now())
    client.force_login(rep)

    assert client.get("/reports/builder/new/?object=lead").status_code == 200
    response = client.post("/reports/builder/new/", builder_post())

    report = SavedReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/saved/{report.pk}/"
    assert report.folder == ReportFolder.objects.get(name="Marketing")
    assert report.criteria[1] == {"field": "created_at", "operator": "last_n_days", "value": "30"}
    page = client.get(f"/reports/saved/{report.pk}/").content.decode()
    assert "Acme" in page
    assert "Globex" not in page
    assert 'data-testid="report-groups"' in page
    assert "Website leads by month" in client.get("/reports/").content.decode()
    assert client.get(f"/reports/saved/{report.pk}/export.csv").status_code == 403  # no Export permission yet
    PermissionSet.objects.get(key="export").group.user_set.add(rep)
    client.force_login(rep)
    csv_body = b"".join(client.get(f"/reports/saved/{report.pk}/export.csv").streaming_content).decode()
    assert csv_body.splitlines()[1].startswith("Website,")


def test_builder_shows_errors_of_the_definition(client, rep):
    client.force_login(rep)

    response = client.post("/reports/builder/new/", builder_post(value_2="0", group_1="company", period_1="month"))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="builder-errors"' in page
    assert SavedReport.objects.count() == 0


def test_only_the_owner_edits_a_shared_report(client, rep, other_rep):
    from django.contrib.auth.models import Group

    client.force_login(rep)
    role = Group.objects.get(name="Sales rep")
    client.post("/reports/builder/new/", builder_post(sharing="role", shared_role=str(role.pk)))
    report = SavedReport.objects.get()

    client.force_login(other_rep)
    assert client.get(f"/reports/saved/{report.pk}/").status_code == 200
    assert client.get(f"/reports/saved/{report.pk}/edit/").status_code == 403

    client.force_login(rep)
    response = client.post(f"/reports/saved/{report.pk}/edit/", builder_post(name="Renamed", chart_type="donut"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.name, report.chart_type) == ("Renamed", "donut")
