"""The list email API: a dry run previews, a send answers 201 and is read back with its progress;
bad input is a 400 with field errors; reps get 403."""

import pytest

from emails.models import OutboundEmail
from listemail.models import ListEmailSend
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

URL = "/api/list-emails/"


def test_a_dry_run_previews_without_sending(api, marketing_admin, newsletter):
    ok, no_email = LeadFactory(), LeadFactory(email="")
    response = api.as_user(marketing_admin).post(
        URL, {"template": newsletter.pk, "lead_ids": [ok.pk, no_email.pk], "dry_run": True}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {"count": 1, "leads": 1, "contacts": 0, "skipped": {"no_email": 1}}
    assert not ListEmailSend.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_a_send_answers_201_and_reads_back_its_progress(
    api, marketing_admin, newsletter, campaign, django_capture_on_commit_callbacks
):
    leads = LeadFactory.create_batch(3)
    client = api.as_user(marketing_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL,
            {"template": newsletter.pk, "lead_ids": [lead.pk for lead in leads], "record_campaign": campaign.pk},
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = client.get(f"{URL}{response.json()['id']}/").json()
    assert (body["status"], body["total"], body["processed"], body["campaign"]) == ("done", 3, 3, campaign.pk)
    assert sum(body["delivery"].values()) == 3


def test_a_campaigns_members_are_the_recipients(api, marketing_admin, newsletter, campaign):
    from campaigns.services import campaign_members_add

    member, _outsider = LeadFactory(), LeadFactory()
    campaign_members_add(campaign=campaign, leads=[member], acting_user=marketing_admin)
    response = api.as_user(marketing_admin).post(
        URL, {"template": newsletter.pk, "campaign": campaign.pk, "dry_run": True}, format="json"
    )
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lead_ids": [1]}, "template"),
        ({"template": 999999, "lead_ids": [1]}, "template"),
        ({"template": "x", "lead_ids": [1]}, "template"),
        ({"lead_ids": []}, "lead_ids"),
        ({"lead_ids": ["a"]}, "lead_ids"),
        ({"lead_ids": [1], "campaign": 999999}, "campaign"),
    ],
)
def test_bad_input_is_a_400_with_field_errors(api, marketing_admin, newsletter, body, field):
    body = {"template": newsletter.pk, **body} if "template" not in body and field != "template" else body
    response = api.as_user(marketing_admin).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_nobody_to_send_to_is_a_400(api, marketing_admin, newsletter):
    lead = LeadFactory(email_opt_out=True)
    response = api.as_user(marketing_admin).post(URL, {"template": newsletter.pk, "lead_ids": [lead.pk]}, format="json")
    assert response.status_code == 400


def test_reps_may_not_send(api, rep, newsletter):
    lead = LeadFactory(owner_user=rep)
    response = api.as_user(rep).post(URL, {"template": newsletter.pk, "lead_ids": [lead.pk]}, format="json")
    assert response.status_code == 403
