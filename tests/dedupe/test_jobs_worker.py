"""A duplicate job runs on a real Celery worker against Redis: recorded in the database with its
progress, and the groups found listed (the API answers them), leads only or leads with contacts."""

import pytest

from dedupe import services
from dedupe.models import DuplicateJob
from tests.waiting import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_duplicate_job_runs_on_the_worker_and_lists_its_groups(
    celery_worker_process, system_admin, email_rule, make_lead, api
):
    pairs = [(make_lead(email=f"p{n}@example.net"), make_lead(email=f"P{n}+dup@example.net")) for n in range(3)]
    make_lead(email="alone@example.net")
    job = services.duplicate_job_start(matching_rule=email_rule, acting_user=system_admin)
    assert job.total == 7
    assert wait_until(lambda: DuplicateJob.objects.get(pk=job.pk).status == "done", timeout=60)
    job.refresh_from_db()
    assert (job.scanned, job.groups_found, job.error) == (7, 3, "")
    groups = api.as_user(system_admin).get(f"/api/duplicate-jobs/{job.pk}/groups/").json()
    assert sorted(g["lead_ids"] for g in groups) == sorted([a.pk, b.pk] for a, b in pairs)


def test_a_duplicate_job_with_contacts_runs_on_the_worker_and_lists_mixed_groups(
    celery_worker_process, system_admin, email_rule, make_lead, make_contact, api
):
    lead = make_lead(email="ada@example.net")
    contact = make_contact(email="Ada+crm@example.net")
    twins = [make_contact(email="cy@example.net"), make_contact(email="CY@example.net")]
    make_lead(email="alone@example.net")
    job = services.duplicate_job_start(matching_rule=email_rule, acting_user=system_admin, include_contacts=True)
    assert job.total == 5
    assert wait_until(lambda: DuplicateJob.objects.get(pk=job.pk).status == "done", timeout=60)
    job.refresh_from_db()
    assert (job.scanned, job.groups_found, job.error) == (5, 2, "")
    groups = api.as_user(system_admin).get(f"/api/duplicate-jobs/{job.pk}/groups/").json()
    assert sorted((g["lead_ids"], g["contact_ids"]) for g in groups) == sorted(
        [([lead.pk], [contact.pk]), ([], [t.pk for t in twins])]
    )
