"""A real Celery worker on Redis drains stored submissions in batches: every submission becomes
exactly one lead with one auto-response, and a worker killed in the middle of a batch loses and
repeats nothing (the batch rolls back; the next worker takes its rows)."""

import math
import os
import signal
import uuid

import pytest
from django.utils import timezone

from core.models import FieldHistory
from emails.models import OutboundEmail
from emails.services import autoresponse_settings_update, email_template_create
from leads.models import Lead
from tests.waiting import wait_until
from webtolead.models import Intake, WebToLeadSettings
from webtolead.services import BATCH_SIZE
from webtolead.tasks import process_submissions

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def stored(web_form, marketing_admin):
    """``stored(count)`` stores that many received submissions, as the endpoint would, with the
    daily limit off and a default auto-response."""
    WebToLeadSettings.objects.update(daily_limit=0)
    template = email_template_create(
        data={"name": "Thanks", "subject": "Thanks, {{Lead.FirstName|there}}", "body_text": "Hello {{Lead.Company}}"},
        acting_user=marketing_admin,
    )
    autoresponse_settings_update(default_template=template, acting_user=marketing_admin)

    def _store(count: int) -> None:
        now = timezone.now()
        Intake.objects.bulk_create(
            [
                Intake(
                    form=web_form,
                    form_key=web_form.public_key,
                    payload={
                        "oid": web_form.public_key,
                        "first_name": f"Visitor{n}",
                        "last_name": f"Number{n}",
                        "email": f"visitor{n}@example.net",
                        "company": f"Company {n}",
                    },
                    received_at=now,
                    public_ref=uuid.uuid4().hex[:12],
                    submission_key=f"render-{n}",
                )
                for n in range(count)
            ],
            batch_size=1000,
        )

    return _store


def _created() -> int:
    return Intake.objects.filter(outcome=Intake.Outcome.CREATED).count()


def _each_submission_one_lead_and_one_auto_response(count: int) -> None:
    lead_ids = list(Intake.objects.values_list("lead_id", flat=True))
    assert len(lead_ids) == count
    assert None not in lead_ids
    assert len(set(lead_ids)) == count  # no lead shared by two submissions
    assert Lead.objects.count() == count  # and no lead without its submission
    responses = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.AUTO_RESPONSE)
    assert responses.count() == count
    assert set(responses.values_list("record_id", flat=True)) == set(lead_ids)


def test_a_worker_drains_two_thousand_submissions_in_batches(stored, celery_worker_starter):
    stored(2000)
    celery_worker_starter()

    process_submissions.delay()

    assert wait_until(lambda: _created() == 2000, timeout=600), f"only {_created()} of 2000 became leads"
    _each_submission_one_lead_and_one_auto_response(2000)
    # Each batch writes its leads' creation with one time: a few batches, not 2,000 transactions.
    batches = FieldHistory.objects.filter(field_name="created").values("changed_at").distinct().count()
    assert batches <= math.ceil(2000 / BATCH_SIZE) + 1


def test_a_worker_killed_in_the_middle_of_a_batch_loses_and_repeats_nothing(stored, celery_worker_starter):
    count = 3 * BATCH_SIZE
    stored(count)
    first = celery_worker_starter()
    process_submissions.delay()
    # The first batch is committed; the worker is working on the next one.
    assert wait_until(lambda: _created() >= BATCH_SIZE, timeout=600), "the first batch never committed"

    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    at_kill = _created()
    assert at_kill < count, "the worker finished before it could be killed"
    assert at_kill % BATCH_SIZE == 0  # whole batches only: the one in progress rolled back

    celery_worker_starter()
    process_submissions.delay()

    assert wait_until(lambda: _created() == count, timeout=600), f"only {_created()} of {count} became leads"
    _each_submission_one_lead_and_one_auto_response(count)
