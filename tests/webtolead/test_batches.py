"""The worker's batches: each stored submission is checked on its own, so that a batch of mixed rows
gives every row the outcome it gets one at a time, and a bad row never stops the others."""

import uuid

import pytest
from django.utils import timezone

from leads.models import Lead
from webtolead.models import Intake, WebToLeadSettings
from webtolead.services import submissions_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(web_form):
    def _store(*, key: str = "", **fields) -> Intake:
        payload = {
            "oid": web_form.public_key,
            "last_name": "Lovelace",
            "company": "Engines",
            "email": "ada@example.net",
            **fields,
        }
        return Intake.objects.create(
            form=web_form,
            form_key=web_form.public_key,
            payload=payload,
            received_at=timezone.now(),
            public_ref=uuid.uuid4().hex[:12],
            submission_key=key,
        )

    return _store


def _outcome(intake: Intake) -> tuple:
    intake.refresh_from_db()
    return intake.outcome, intake.lead_id is not None


def test_a_batch_of_mixed_rows_gives_each_its_own_outcome(store, web_form):
    good = store(first_name="Good", key="render-1")
    bad_email = store(email="not-an-email")
    again = store(first_name="Again", key="render-1")  # the same rendered form, submitted twice
    other = store(first_name="Other", key="render-2")

    # The second submit of a render waits for the next batch, where it is found to be a duplicate.
    assert submissions_process() == 4

    assert _outcome(good) == (Intake.Outcome.CREATED, True)
    assert _outcome(bad_email)[0] == Intake.Outcome.REJECTED
    assert "Email" in bad_email.errors or "email" in bad_email.errors
    assert _outcome(again) == (Intake.Outcome.DUPLICATE, True)
    assert again.lead_id == good.lead_id
    assert again.duplicate_of_id == good.pk
    assert _outcome(other) == (Intake.Outcome.CREATED, True)
    assert Lead.objects.count() == 2
    assert good.claimed_key == "render-1"
    assert bad_email.claimed_key is None


def test_the_daily_limit_holds_within_a_batch_and_a_refused_row_leaves_its_place_to_the_next(store):
    WebToLeadSettings.objects.update(daily_limit=2)
    first = store(first_name="First")
    refused = store(last_name="")  # a lead without a last name cannot be made
    second = store(first_name="Second")
    third = store(first_name="Third")

    submissions_process()

    assert [_outcome(i)[0] for i in (first, refused, second, third)] == [
        Intake.Outcome.CREATED,
        Intake.Outcome.REJECTED,
        Intake.Outcome.CREATED,
        Intake.Outcome.PENDING,
    ]
    assert third.reason == "Over the daily limit of 2 leads."


def test_a_processed_row_is_never_processed_again(store):
    store(first_name="Once")

    assert submissions_process() == 1
    assert submissions_process() == 0
    assert Lead.objects.count() == 1


def test_each_auto_response_of_a_batch_carries_the_request_id_of_its_submission(store, marketing_admin):
    from emails.models import OutboundEmail
    from emails.services import autoresponse_settings_update, email_template_create

    template = email_template_create(
        data={"name": "Thanks", "subject": "Thanks", "body_text": "Hello {{Lead.LastName}}"},
        acting_user=marketing_admin,
    )
    autoresponse_settings_update(default_template=template, acting_user=marketing_admin)
    first, second = store(email="one@example.net"), store(email="two@example.net")
    Intake.objects.filter(pk=first.pk).update(request_id="req-first")
    Intake.objects.filter(pk=second.pk).update(request_id="req-second")

    assert submissions_process() == 2

    sent = dict(OutboundEmail.objects.values_list("to_address", "request_id"))
    assert sent == {"one@example.net": "req-first", "two@example.net": "req-second"}


def test_rows_stored_before_web_to_lead_was_turned_off_are_rejected_with_the_reason(store):
    stored = store(first_name="Late")
    WebToLeadSettings.objects.update_or_create(singleton=1, defaults={"enabled": False})

    submissions_process()

    stored.refresh_from_db()
    assert stored.outcome == Intake.Outcome.REJECTED
    assert stored.reason == "Web-to-Lead is turned off."
    assert not Lead.objects.exists()


def test_a_web_to_lead_lead_keeps_its_owners_sort_name(store, creator):
    intake = store(first_name="Sorted")

    submissions_process()

    intake.refresh_from_db()
    lead = Lead.objects.get(pk=intake.lead_id)
    assert lead.owner_user_id == creator.pk
    assert lead.owner_sort_name == "Creator Web"
