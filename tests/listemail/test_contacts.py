"""List email to a campaign's members that are contacts: the preview counts them and says who is
skipped (opted out, no address, an address a lead member already has, a withdrawal on the contact's
ledger), each gets one outbox row named after the contact with the lead template merged from its
fields, and a re-run sends nobody twice."""

import pytest
from django.core import mail

from campaigns.services import campaign_members_add
from consent.models import Purpose
from consent.services import consent_record
from emails.models import OutboundEmail
from leads.models import Lead
from listemail.models import ListEmailRecipient, ListEmailSend
from listemail.services import (
    candidate_contacts,
    candidate_leads,
    list_email_create,
    list_email_preview,
    list_email_process,
)
from sales.models import Contact
from tests.factories import ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(campaign, marketing_admin):
    """The campaign's members: two leads and five contacts, of whom three can receive email."""
    ann = LeadFactory(first_name="Ann", email="ann@example.com")
    bob = LeadFactory(first_name="Bob", email="bob@example.com")
    carla = ContactFactory(first_name="Carla", email="carla@example.com", owner=marketing_admin)
    dan = ContactFactory(first_name="Dan", email="dan@example.com", owner=marketing_admin)
    opted = ContactFactory(first_name="Opted", email_opt_out=True, owner=marketing_admin)
    blank = ContactFactory(first_name="Blank", email="", owner=marketing_admin)
    twin = ContactFactory(first_name="Twin", last_name="Ann", email="ANN@example.com", owner=marketing_admin)
    withdrawn = ContactFactory(first_name="Gone", email="gone@example.com", owner=marketing_admin)
    consent_record(contact=withdrawn, purpose=Purpose.MARKETING_EMAIL, action="withdrawn", source="api")
    # The ledger alone holds the withdrawal (the opt-out flag was cleared by hand since): still skipped.
    Contact.objects.filter(pk=withdrawn.pk).update(email_opt_out=False)
    campaign_members_add(
        campaign=campaign,
        leads=[ann, bob],
        contacts=[carla, dan, opted, blank, twin, withdrawn],
        acting_user=marketing_admin,
    )
    return {"leads": [ann, bob], "contacts": [carla, dan]}


def _people(user, campaign):
    return {
        "leads": candidate_leads(user=user, campaign=campaign),
        "contacts": candidate_contacts(user=user, campaign=campaign),
    }


def test_the_preview_counts_contact_members_and_says_who_is_skipped(marketing_admin, campaign, members):
    preview = list_email_preview(**_people(marketing_admin, campaign))

    assert preview.recipients == [lead.pk for lead in members["leads"]]
    assert preview.contact_recipients == [c.pk for c in members["contacts"]]
    assert preview.count == 4
    assert dict(preview.skipped) == {"opt_out": 1, "no_email": 1, "duplicate": 1, "withdrawn": 1}
    assert preview.examples["duplicate"] == ["Twin Ann"]


def test_contacts_get_one_outbox_row_each_merged_from_their_fields(
    newsletter, marketing_admin, campaign, members, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send = list_email_create(
            user=marketing_admin, template=newsletter, record_campaign=campaign, **_people(marketing_admin, campaign)
        )
    send.refresh_from_db()
    assert (send.status, send.total, send.processed) == ("done", 4, 4)
    contact_rows = OutboundEmail.objects.filter(kind="list_email", object_name="contact")
    assert sorted(contact_rows.values_list("record_id", flat=True)) == sorted(c.pk for c in members["contacts"])
    assert sorted(contact_rows.values_list("subject", flat=True)) == ["News for Carla", "News for Dan"]
    assert {row.idempotency_key for row in contact_rows} == {
        f"list-email:{send.pk}:contact-{c.pk}" for c in members["contacts"]
    }
    assert all(row.is_marketing for row in contact_rows)
    assert ListEmailRecipient.objects.filter(send=send, contact__isnull=False, outbound_email__isnull=True).count() == 0
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ann@example.com",
        "bob@example.com",
        "carla@example.com",
        "dan@example.com",
    ]
    assert all("List-Unsubscribe" in m.extra_headers for m in mail.outbox)


def test_a_rerun_sends_no_contact_twice(
    newsletter, marketing_admin, campaign, members, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send = list_email_create(user=marketing_admin, template=newsletter, **_people(marketing_admin, campaign))
    ListEmailSend.objects.filter(pk=send.pk).update(status="sending")
    ListEmailRecipient.objects.filter(send=send).update(is_pending=True)
    with django_capture_on_commit_callbacks(execute=True):
        list_email_process(send_id=send.pk, batch_size=3)
    assert OutboundEmail.objects.filter(kind="list_email").count() == 4
    assert len(mail.outbox) == 4


def test_a_contact_that_withdraws_after_the_preview_is_not_emailed(
    newsletter, marketing_admin, campaign, members, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        send = list_email_create(user=marketing_admin, template=newsletter, **_people(marketing_admin, campaign))
    carla = members["contacts"][0]
    consent_record(contact=carla, purpose=Purpose.MARKETING_EMAIL, action="withdrawn", source="api")
    with django_capture_on_commit_callbacks(execute=True):
        list_email_process(send_id=send.pk)
    assert "carla@example.com" not in [m.to[0] for m in mail.outbox]
    assert OutboundEmail.objects.get(object_name="contact", record_id=carla.pk).status == "skipped"


def test_without_a_campaign_no_contact_is_chosen(marketing_admin):
    assert not candidate_contacts(user=marketing_admin, campaign=None).exists()
    assert Lead.objects.count() == 0


def test_the_api_previews_and_sends_to_a_campaigns_contacts(
    api, newsletter, marketing_admin, campaign, members, django_capture_on_commit_callbacks
):
    client = api.as_user(marketing_admin)
    body = {"template": newsletter.pk, "campaign": campaign.pk}
    preview = client.post("/api/list-emails/", {**body, "dry_run": True}, format="json").json()
    assert (preview["count"], preview["leads"], preview["contacts"]) == (4, 2, 2)
    assert preview["skipped"] == {"opt_out": 1, "no_email": 1, "duplicate": 1, "withdrawn": 1}
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/list-emails/", body, format="json")
    assert created.status_code == 201, created.json()
    assert client.get(f"/api/list-emails/{created.json()['id']}/").json()["delivery"]["sent"] == 4


def test_the_campaign_page_preview_shows_leads_and_contacts(client, newsletter, marketing_admin, campaign, members):
    from django.urls import reverse

    client.force_login(marketing_admin)
    page = client.post(
        reverse("listemail:new"), {"campaign": campaign.pk, "template": newsletter.pk, "step": "preview"}
    ).content.decode()
    assert 'data-testid="recipient-count">4 recipients' in page
    assert "2 leads and 2 contacts" in page
    assert 'data-reason="duplicate"' in page
    assert "Twin Ann" in page
