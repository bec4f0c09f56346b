"""A Web-to-Lead submission's Campaign_ID (and member_status) puts the new lead in that campaign;
an unknown or inactive campaign never costs the lead, and the intake row says why."""

import pytest

from campaigns import services
from campaigns.models import CampaignMember
from leads.models import Lead

# The Web-to-Lead tests' fixtures: settings with a creator, a form, a poster, and rows processed at once.
from tests.webtolead.conftest import (  # noqa: F401
    _process_stored_rows_at_once,
    creator,
    fields_for,
    lead_metadata,
    w2l_settings,
    web_form,
)
from webtolead.models import Intake

pytestmark = pytest.mark.django_db

URL = "/web-to-lead/"


def test_a_known_campaign_id_adds_the_lead_as_responded(client, web_form, fields_for, campaign):  # noqa: F811
    response = client.post(URL, fields_for(web_form, Campaign_ID=str(campaign.pk)))

    assert response.status_code == 303
    member = CampaignMember.objects.get()
    assert member.campaign == campaign
    assert member.lead == Lead.objects.get()
    assert member.status.label == "Responded"
    assert member.has_responded
    assert Intake.objects.get().reason == ""


def test_the_tracking_code_and_a_posted_member_status_work_too(client, web_form, fields_for, campaign):  # noqa: F811
    client.post(URL, fields_for(web_form, Campaign_ID="SPRING-26", member_status="Sent"))

    member = CampaignMember.objects.get()
    assert member.campaign == campaign
    assert member.status.label == "Sent"
    assert not member.has_responded


def test_an_unknown_member_status_uses_the_default_and_says_so(client, web_form, fields_for, campaign):  # noqa: F811
    client.post(URL, fields_for(web_form, Campaign_ID=str(campaign.pk), member_status="Danced"))

    assert CampaignMember.objects.get().status.label == "Sent"
    assert "Danced" in Intake.objects.get().reason


def test_an_unknown_campaign_still_creates_the_lead_and_notes_why(client, web_form, fields_for, campaign):  # noqa: F811
    response = client.post(URL, fields_for(web_form, Campaign_ID="701000000000XYZ"))

    assert response.status_code == 303
    intake = Intake.objects.get()
    assert intake.outcome == Intake.Outcome.CREATED
    assert Lead.objects.count() == 1
    assert not CampaignMember.objects.exists()
    assert "701000000000XYZ" in intake.reason
    assert "not found" in intake.reason


def test_an_inactive_campaign_still_creates_the_lead_and_notes_why(
    client,
    web_form,  # noqa: F811
    fields_for,  # noqa: F811
    campaign,
    marketing_admin,
):
    services.campaign_update(campaign=campaign, data={"is_active": False}, acting_user=marketing_admin)

    client.post(URL, fields_for(web_form, Campaign_ID=str(campaign.pk)))

    intake = Intake.objects.get()
    assert intake.outcome == Intake.Outcome.CREATED
    assert Lead.objects.count() == 1
    assert not CampaignMember.objects.exists()
    assert "inactive" in intake.reason


def test_a_utm_campaign_equal_to_a_tracking_code_names_the_campaign(client, web_form, fields_for, campaign):  # noqa: F811
    client.post(URL, fields_for(web_form, utm_campaign="Spring-26"))

    member = CampaignMember.objects.get()
    assert member.campaign == campaign
    assert member.status.label == "Responded"


def test_another_utm_campaign_falls_back_to_the_forms_campaign(client, web_form, fields_for, campaign):  # noqa: F811
    client.post(URL, fields_for(web_form, utm_campaign="newsletter-42"))

    assert not CampaignMember.objects.exists()
    # The form names "Spring launch", which is no campaign here.
    assert "Spring launch" in Intake.objects.get().reason
