"""List email: the preview's skipped reasons, the background send in batches with one outbox row
per recipient, re-runs that send nothing twice, and the campaign send."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from campaigns.models import CampaignMember
from consent.models import Purpose
from consent.services import consent_record
from emails.models import OutboundEmail
from leads.models import Lead
from listemail.models import ListEmailRecipient, ListEmailSend
from listemail.services import list_email_create, list_email_preview, list_email_process, list_emails_sweep
from tests.factories import LeadFactory


def _all():
    return Lead.objects.all()


def test_preview_counts_recipients_and_says_who_is_skipped_and_why(db):
    ok = LeadFactory(email="ok@example.com")
    LeadFactory(email="")
    LeadFactory(email="not-an-address")
    LeadFactory(email_opt_out=True)
    LeadFactory(email="OK@example.com", first_name="Dup", last_name="Licate")
    # a withdrawal opts its lead out, and covers another lead with the same address
    withdrawn = LeadFactory(email="gone@example.com")
    consent_record(lead=withdrawn, purpose=Purpose.MARKETING_EMAIL, action="withdrawn", source="api")
    LeadFactory(email="Gone@example.com")
    pending = LeadFactory()
    consent_record(lead=pending, purpose=Purpose.MARKETING_EMAIL, action="pending", source="form")
    LeadFactory(is_converted=True, converted_at=ok.created_at)

    preview = list_email_preview(leads=_all())

    assert preview.recipients == [ok.pk]
    assert dict(preview.skipped) == {
        "no_email": 2,
        "opt_out": 2,
        "duplicate": 1,
        "withdrawn": 1,
        "pending": 1,
        "converted": 1,
    }
    assert preview.examples["duplicate"] == ["Dup Licate"]


def test_preview_reads_a_fixed_number_of_queries(db, django_assert_max_num_queries):
    LeadFactory.create_batch(30)
    with django_assert_max_num_queries(4):
        assert list_email_preview(leads=_all()).count == 30


def test_send_writes_one_marketing_outbox_row_per_recipient(
    newsletter, marketing_admin, django_capture_on_commit_callbacks
):
    leads = LeadFactory.create_batch(5)
    LeadFactory(email_opt_out=True)
    with django_capture_on_commit_callbacks(execute=True):
        send = list_email_create(user=marketing_admin, template=newsletter, leads=_all())
    send.refresh_from_db()
    assert (send.status, send.total, send.processed, send.skipped) == ("done", 5, 5, {"opt_out": 1})
    rows = OutboundEmail.objects.filter(kind="list_email")
    assert sorted(rows.values_list("record_id", flat=True)) == sorted(lead.pk for lead in leads)
    assert all(row.is_marketing for row in rows)
    assert {row.idempotency_key for row in rows} == {f"list-email:{send.pk}:{lead.pk}" for lead in leads}
    assert len(mail.outbox) == 5
    assert all("List-Unsubscribe" in m.extra_headers for m in mail.outbox)


def test_a_rerun_sends_nothing_twice(newsletter, marketing_admin, django_capture_on_commit_callbacks):
    LeadFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True):
        send = list_email_create(user=marketing_admin, template=newsletter, leads=_all())
    # a redelivered task, or a worker that died after committing a batch, runs again
    ListEmailSend.objects.filter(pk=send.pk).update(status="sending")
    ListEmailRecipient.objects.filter(send=send).update(is_pending=True)
    with django_capture_on_commit_callbacks(execute=True):
        list_email_process(send_id=send.pk, batch_size=2)
    assert OutboundEmail.objects.count() == 3
    assert len(mail.outbox) == 3


def test_batches_pick_up_where_a_dead_worker_stopped(newsletter, marketing_admin, django_capture_on_commit_callbacks):
    LeadFactory.create_batch(5)
    with django_capture_on_commit_callbacks(execute=False):
        send = list_email_create(user=marketing_admin, template=newsletter, leads=_all())
    # the worker handled one batch of two, then died (its task was never run to the end)
    from listemail.services import _process_batch

    assert _process_batch(ListEmailSend.objects.get(pk=send.pk), batch_size=2)[0] == 2
    assert ListEmailRecipient.objects.filter(send=send, is_pending=True).count() == 3
    # the sweeper starts it again later
    ListEmailSend.objects.filter(pk=send.pk).update(
        created_at=send.created_at.replace(year=2020), touched_at=send.created_at.replace(year=2020)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert list_emails_sweep() == 1
    send.refresh_from_db()
    assert (send.status, send.processed) == ("done", 5)
    assert OutboundEmail.objects.count() == 5


def test_a_campaign_send_adds_recipients_as_sent(
    newsletter, marketing_admin, campaign, django_capture_on_commit_callbacks
):
    leads = LeadFactory.create_batch(2)
    with django_capture_on_commit_callbacks(execute=True):
        list_email_create(user=marketing_admin, template=newsletter, leads=_all(), record_campaign=campaign)
    members = CampaignMember.objects.filter(campaign=campaign).select_related("status")
    assert sorted(m.lead_id for m in members) == sorted(lead.pk for lead in leads)
    assert {m.status.label for m in members} == {"Sent"}


def test_only_marketing_admins_send(newsletter, rep):
    LeadFactory(owner_user=rep)
    with pytest.raises(PermissionError):
        list_email_create(user=rep, template=newsletter, leads=_all())


def test_nobody_to_send_to_is_refused(newsletter, marketing_admin):
    LeadFactory(email="")
    with pytest.raises(ValidationError) as caught:
        list_email_create(user=marketing_admin, template=newsletter, leads=_all())
    assert "Nobody" in caught.value.messages[0]
    assert not ListEmailSend.objects.exists()


def test_an_inactive_template_is_refused(newsletter, marketing_admin):
    LeadFactory()
    newsletter.is_active = False
    newsletter.save()
    with pytest.raises(ValidationError) as caught:
        list_email_create(user=marketing_admin, template=newsletter, leads=_all())
    assert "template" in caught.value.message_dict
