"""The list email pages: the lead list's selection and a campaign open the form, Preview counts who
gets it, Send starts it and the progress panel polls itself until it is done."""

import pytest
from django.urls import reverse

from campaigns.services import campaign_members_add
from listemail.models import ListEmailSend
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

NEW = reverse("listemail:new")


def test_the_lead_list_offers_the_action_to_marketing_admins_only(client, marketing_admin, rep):
    client.force_login(marketing_admin)
    assert b'data-testid="mass-list-email"' in client.get(reverse("leads:list") + "?view=all").content
    client.force_login(rep)
    assert b'data-testid="mass-list-email"' not in client.get(reverse("leads:list")).content
    assert client.post(NEW, {"ids": ["1"]}).status_code == 403


def test_preview_then_send_from_a_selection(client, marketing_admin, newsletter, django_capture_on_commit_callbacks):
    ok, opted_out = LeadFactory(), LeadFactory(email_opt_out=True)
    client.force_login(marketing_admin)
    ids = [str(ok.pk), str(opted_out.pk)]

    form = client.post(NEW, {"ids": ids, "next": "/leads/"})
    assert form.status_code == 200
    assert b"Choose a template and press Preview" in form.content

    preview = client.post(NEW, {"ids": ids, "template": newsletter.pk, "step": "preview"})
    assert b'data-testid="recipient-count">1 recipient' in preview.content
    assert b'data-reason="opt_out"' in preview.content
    assert not ListEmailSend.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(NEW, {"ids": ids, "template": newsletter.pk, "step": "send"})
    send = ListEmailSend.objects.get()
    assert sent["Location"] == reverse("listemail:detail", args=[send.pk])
    page = client.get(sent["Location"])
    assert b'data-testid="send-status"' in page.content
    partial = client.get(sent["Location"], headers={"HX-Request": "true"})
    assert partial.content.lstrip().startswith(b'<section id="list-email-progress"')
    assert b"100%" in partial.content


def test_a_campaign_sends_to_its_members(client, marketing_admin, newsletter, campaign):
    member = LeadFactory()
    LeadFactory()
    campaign_members_add(campaign=campaign, leads=[member], acting_user=marketing_admin)
    client.force_login(marketing_admin)
    assert b'data-testid="campaign-list-email"' in client.get(reverse("campaigns:detail", args=[campaign.pk])).content
    preview = client.post(NEW, {"campaign": campaign.pk, "template": newsletter.pk, "step": "preview"})
    assert b'data-testid="recipient-count">1 recipient' in preview.content


def test_without_a_template_the_form_says_so(client, marketing_admin):
    lead = LeadFactory()
    client.force_login(marketing_admin)
    response = client.post(NEW, {"ids": [lead.pk], "step": "preview"})
    assert response.status_code == 400
    assert b"This field is required" in response.content


def test_nothing_selected_goes_back_with_a_message(client, marketing_admin):
    client.force_login(marketing_admin)
    response = client.post(NEW, {"next": "/campaigns/"}, follow=True)
    assert b"Select at least one lead." in response.content


def test_others_sends_are_hidden_from_reps(client, rep, marketing_admin, newsletter):
    send = ListEmailSend.objects.create(
        template=newsletter, total=0, created_at=newsletter.created_at, created_by=marketing_admin
    )
    client.force_login(rep)
    assert client.get(reverse("listemail:detail", args=[send.pk])).status_code == 404
    client.force_login(marketing_admin)
    assert b"Newsletter" in client.get(reverse("listemail:list")).content


def test_all_leads_of_the_list_view_with_its_filters(client, marketing_admin, newsletter):
    working = LeadFactory.create_batch(3, owner_user=marketing_admin, status="Working")
    LeadFactory(owner_user=marketing_admin, status="New")
    client.force_login(marketing_admin)
    back = "/leads/?view=all&status=Working"
    # one lead selected on the page, but the whole filtered view asked for
    preview = client.post(
        NEW, {"ids": [working[0].pk], "next": back, "whole_view": "1", "template": newsletter.pk, "step": "preview"}
    )
    assert b'data-testid="list-email-whole-view"' in preview.content
    assert b'data-testid="recipient-count">3 recipients' in preview.content
    only_selected = client.post(
        NEW, {"ids": [working[0].pk], "next": back, "template": newsletter.pk, "step": "preview"}
    )
    assert b'data-testid="recipient-count">1 recipient' in only_selected.content
