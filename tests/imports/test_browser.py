"""In real headless Chromium: a rep imports a CSV with two good rows and one bad row."""

import pytest

from leads.imports.models import LeadImport


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rep_imports_leads_and_sees_created_and_failed_rows(page, login, rep, tmp_path):
    # given a CSV with two good rows and one without a company, and a column the app cannot guess
    csv_file = tmp_path / "trade-show.csv"
    csv_file.write_text(
        "\ufeffFirst Name;Surname;Company;Email\n"
        "Ada;Lovelace;Analytical Engines;ada@example.com\n"
        "Grace;Hopper;Navy Systems;grace@example.com\n"
        "Bad;Row;;bad@example.com\n",
        encoding="utf-8",
    )
    login(rep)

    # when the rep opens Import Leads from the lead list and uploads the file
    page.goto("/leads/")
    page.get_by_role("link", name="Import Leads").click()
    page.set_input_files("input[name=file]", str(csv_file))
    page.get_by_role("button", name="Next: Map Fields").click()

    # then the mapping step shows the guesses; the rep maps Surname to Last Name and starts
    page.wait_for_selector("[data-testid=mapping-table]")
    assert page.locator("select[name=col_0]").input_value() == "first_name"
    assert page.locator("select[name=col_1]").input_value() == ""
    page.select_option("select[name=col_1]", "last_name")
    page.get_by_test_id("start-import").click()

    # then the detail page shows 2 created, 1 failed, with the error
    page.wait_for_selector("[data-testid=import-status]:has-text('Done')")
    assert page.get_by_test_id("created-count").inner_text() == "2"
    assert page.get_by_test_id("failed-count").inner_text() == "1"
    failed = page.get_by_test_id("failed-rows").inner_text()
    assert "Company" in failed
    assert "This field cannot be blank." in failed or "required" in failed.lower()
    assert page.get_by_test_id("created-rows").get_by_role("link", name="Ada Lovelace").is_visible()
    assert LeadImport.objects.get().created_count == 2

    # and My Leads lists the new leads
    with page.expect_navigation():
        page.get_by_role("link", name="My Leads").first.click()
    body = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    assert "Lovelace" in body
    assert "Hopper" in body
    assert "Row" not in [line.strip() for line in body.splitlines()]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rep_cancels_a_queued_import(page, login, rep):
    from django.utils import timezone

    from leads.imports.services import lead_import_upload

    # given an import waiting for a worker (queued, none of its rows taken yet)
    data = b"Last Name,Company\r\nLovelace,Analytical\r\nHopper,Navy\r\n"
    lead_import = lead_import_upload(file_name="expo.csv", data=data, acting_user=rep)
    now = timezone.now()
    LeadImport.objects.filter(pk=lead_import.pk).update(
        status=LeadImport.Status.PENDING, mapping=["last_name", "company"], owner=rep, queued_at=now
    )
    login(rep)

    # when the rep opens it and cancels it, confirming the dialog
    page.goto(f"/leads/imports/{lead_import.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("cancel-import").click()

    # then the page says what was kept and the import is cancelled for good
    page.wait_for_selector("#messages .alert-success")
    assert "2 rows not imported" in page.locator("#messages").inner_text()
    assert page.get_by_test_id("import-status").inner_text() == "Cancelled"
    assert page.get_by_test_id("cancel-import").count() == 0
    assert LeadImport.objects.get(pk=lead_import.pk).status == LeadImport.Status.CANCELLED
