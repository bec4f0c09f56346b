"""Real headless Chromium: the builder previews the report being built (groups, chart, rows) and
shows what to fix, before anything is saved."""

import pytest
from django.utils import timezone

from reports.models import SavedReport
from tests.factories import LeadFactory
from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _seeded_picklists(transactional_db):
    seed_fields("leads")


def test_a_rep_previews_the_report_before_saving_it(page, login, rep):
    LeadFactory(owner_user=rep, lead_source="Website", company="Acme", created_at=timezone.now())
    LeadFactory(owner_user=rep, lead_source="Phone Inquiry", company="Globex", created_at=timezone.now())
    login(rep)
    page.goto("/reports/builder/new/?object=lead")

    # Nothing chosen yet: the preview says what is missing.
    page.get_by_test_id("preview-button").click()
    errors = page.get_by_test_id("preview-errors")
    errors.wait_for()
    assert "Choose columns or a grouping." in errors.inner_text()

    page.get_by_label("Columns").select_option(["company"])
    page.get_by_label("Group by (1)").select_option("lead_source")
    page.get_by_test_id("preview-button").click()
    page.wait_for_selector("#builder-preview-chart[data-ready='1']")
    groups = page.get_by_test_id("report-groups").inner_text()
    assert "Website" in groups
    assert "Phone Inquiry" in groups
    assert "Acme" in page.get_by_test_id("report-rows").inner_text()
    assert "2 records" in page.get_by_test_id("preview-total").inner_text()
    assert SavedReport.objects.count() == 0
