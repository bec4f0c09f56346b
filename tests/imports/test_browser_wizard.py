"""In real headless Chromium: the wizard's dry run, the progress bar and the error file download."""

import csv
import io
from pathlib import Path

import pytest

from leads.imports.models import LeadImport
from leads.models import Lead


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rep_dry_runs_then_imports_and_downloads_the_errors(page, login, rep, tmp_path):
    # given a Windows-1252, tab-separated file with Salesforce headers: two good rows, a row
    # without a company and a row with a formula in its last name
    csv_file = tmp_path / "export.csv"
    csv_file.write_bytes(
        "FirstName\tLastName\tCompany\tEmail\n"
        "Zoë\tMüller\tGrüne AG\tzoe@example.com\n"
        "Ada\tLovelace\tAnalytical\tada@example.com\n"
        "Bad\tRow\t\tbad@example.com\n"
        "Eve\t=HYPERLINK(1)\t\teve@example.com\n".encode("cp1252")
    )
    login(rep)

    # when the rep uploads it and asks for a dry run
    page.goto("/leads/imports/new/")
    page.set_input_files("input[name=file]", str(csv_file))
    page.get_by_role("button", name="Next: Map Fields").click()
    page.wait_for_selector("[data-testid=mapping-table]")
    assert page.locator("select[name=col_1]").input_value() == "last_name"
    page.get_by_test_id("dry-run-import").click()

    # then the dry run says what would happen, and nothing is written
    page.wait_for_selector("[data-testid=dry-run-status]:has-text('Done')")
    assert page.get_by_test_id("dry-created").inner_text() == "2"
    assert page.get_by_test_id("dry-rejected").inner_text() == "2"
    assert (
        "Company" in page.get_by_test_id("dry-run").inner_text()
        or "blank" in page.get_by_test_id("dry-run").inner_text()
    )
    assert Lead.objects.count() == 0

    # when the rep starts the import
    page.get_by_test_id("start-import").click()

    # then the progress bar is full, with the pace, and the counts match the dry run
    page.wait_for_selector("[data-testid=import-status]:has-text('Done')")
    assert page.get_by_test_id("import-progress-bar").get_attribute("value") == "100"
    assert "rows/s" in page.get_by_test_id("import-rate").inner_text()
    assert page.get_by_test_id("created-count").inner_text() == "2"
    assert page.get_by_test_id("failed-count").inner_text() == "2"
    assert set(Lead.objects.values_list("last_name", flat=True)) == {"Müller", "Lovelace"}

    # and the error file downloads with a reason per row, the formula escaped
    with page.expect_download() as download_info:
        page.get_by_test_id("errors-csv").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Row", "FirstName", "LastName", "Company", "Email", "Reason"]
    assert [r[0] for r in rows[1:]] == ["4", "5"]
    assert rows[2][2] == "'=HYPERLINK(1)"
    assert rows[1][5].startswith("Company:")
    assert LeadImport.objects.get().status == "done"
