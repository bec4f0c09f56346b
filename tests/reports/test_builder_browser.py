"""Real headless Chromium: a rep builds a report with the keyboard-friendly builder, saves it and
sees its chart and groups."""

import pytest
from django.utils import timezone

from reports.models import SavedReport
from tests.factories import LeadFactory
from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _seeded_picklists(transactional_db):
    # Transactional tests flush the database between tests, seeded rows included.
    seed_fields("leads")


def test_a_rep_builds_saves_and_runs_a_report(page, login, rep):
    LeadFactory(owner_user=rep, lead_source="Website", company="Acme", created_at=timezone.now())
    LeadFactory(owner_user=rep, lead_source="Website", company="Initech", created_at=timezone.now())
    LeadFactory(owner_user=rep, lead_source="Phone Inquiry", company="Globex", created_at=timezone.now())
    login(rep)
    page.goto("/reports/")
    page.get_by_test_id("new-report").click()
    page.wait_for_url("**/reports/builder/new/")

    page.get_by_label("Report name").fill("My leads by source")
    page.get_by_label("Columns").select_option(["company", "lead_source"])
    page.get_by_label("Field 1").select_option("created_at")
    page.get_by_label("Operator 1").select_option("last_n_days")
    page.get_by_label("Value 1").fill("30")
    page.get_by_label("Group by (1)").select_option("lead_source")
    page.get_by_label("Chart").select_option("donut")
    page.get_by_label("or a new folder").fill("Mine")
    # Keyboard: Enter in a text input submits the builder.
    page.get_by_label("or a new folder").press("Enter")

    page.wait_for_url("**/reports/saved/*/")
    assert page.get_by_test_id("saved-report-name").inner_text() == "My leads by source"
    page.wait_for_selector("#report-chart[data-ready='1']")
    groups = page.get_by_test_id("report-groups").inner_text()
    assert "Website\t2" in groups
    assert "Phone Inquiry\t1" in groups
    report = SavedReport.objects.get()
    assert report.chart_type == "donut"
    assert report.folder.name == "Mine"
    page.goto("/reports/")
    assert "My leads by source" in page.get_by_test_id("saved-reports").inner_text()
