"""In real headless Chromium: Setup > Bulk Data Load Jobs lists a user's own jobs with state,
progress, counts and result downloads; an admin sees every user's jobs."""

import pytest

from bulk.services import ingest_job_close, ingest_job_create, ingest_job_upload, query_job_create

from .conftest import csv_body, grant


def _job(user, operation: str, lines: list[str]):
    job = ingest_job_create(acting_user=user, object_name="Lead", operation=operation)
    ingest_job_upload(job=job, chunks=[csv_body(lines)], acting_user=user)
    # tasks run inline here: the job is processed when the close commits
    return ingest_job_close(job=job, acting_user=user)


def _open_setup(page, name: str) -> None:
    menu = page.locator(".app-navbar .nav-item.dropdown", has_text="Setup")
    menu.locator(".dropdown-toggle").click()
    menu.locator("a.dropdown-item", has_text=name).click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_users_see_their_bulk_jobs_and_download_results_and_admins_see_all(page, login, importer, marketing_admin):
    # given a rep's insert job with a failed row, and an admin's delete job and query job
    mine = _job(importer, "insert", ["LastName,Company", "Lovelace,Analytical", "Nobody,"])
    theirs = _job(marketing_admin, "delete", ["Id", "999999"])
    grant(marketing_admin, "core.export_records")
    query_job_create(acting_user=marketing_admin, filters={"view": "all"}, columns=["name"])

    # when the rep opens Setup > Bulk Data Load Jobs
    login(importer)
    page.goto("/leads/")
    _open_setup(page, "Bulk Data Load Jobs")
    page.wait_for_url("**/setup/bulk-data-load-jobs/")

    # then their job shows, completed, with its counts; the admin's jobs do not
    row = page.get_by_test_id(f"ingest-job-{mine.pk}")
    assert row.get_by_test_id("job-state").inner_text() == "Job Complete"
    assert row.get_by_test_id("processed").inner_text() == "2 / 2"
    assert row.get_by_test_id("failed").inner_text() == "1"
    assert page.get_by_test_id(f"ingest-job-{theirs.pk}").count() == 0
    assert "No query jobs yet." in page.inner_text("main")

    # and the failed records download as CSV with the reason
    with page.expect_download() as download:
        row.get_by_role("link", name="Failed").click()
    with open(download.value.path(), encoding="utf-8") as handle:
        text = handle.read()
    assert text.splitlines()[0] == "sf__Id,sf__Error,LastName,Company"
    assert "company: " in text.splitlines()[1]

    # when the admin opens the page, every job shows with who created it
    page.context.clear_cookies()
    login(marketing_admin)
    page.goto("/setup/bulk-data-load-jobs/")
    assert page.get_by_test_id(f"ingest-job-{mine.pk}").is_visible()
    assert "Riley Rep" in page.get_by_test_id(f"ingest-job-{mine.pk}").inner_text()
    assert page.get_by_test_id(f"ingest-job-{theirs.pk}").get_by_test_id("failed").inner_text() == "1"
    assert page.get_by_test_id("query-jobs").get_by_role("link", name="Download CSV").is_visible()
