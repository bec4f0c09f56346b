"""On conversion the opportunity gets the lead's first campaign as its primary campaign source and
the contact keeps the lead's memberships."""

import pytest

from campaigns import selectors, services
from campaigns.models import CampaignInfluence, CampaignMember
from conversion.services import ConvertOptions, lead_convert
from tests.factories import ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(rep, campaign_metadata):
    return LeadFactory(owner_user=rep, company="Acme Corp", last_name="Archer", status="Working")


def test_the_opportunity_gets_the_first_campaign_and_the_contact_keeps_the_memberships(
    lead, rep, campaign, new_campaign, marketing_admin
):
    later = new_campaign("Later campaign")
    services.campaign_members_add(campaign=campaign, leads=[lead], status="Responded", acting_user=marketing_admin)
    services.campaign_members_add(campaign=later, leads=[lead], acting_user=marketing_admin)

    conversion = lead_convert(lead=lead, acting_user=rep, options=ConvertOptions(opportunity_name="Acme deal"))

    influence = CampaignInfluence.objects.get()
    assert influence.opportunity == conversion.opportunity
    assert influence.campaign == campaign
    assert influence.is_primary
    members = CampaignMember.objects.order_by("created_at", "id")
    assert [(m.campaign, m.lead_id, m.contact, m.converted_lead_id) for m in members] == [
        (campaign, None, conversion.contact, lead.pk),
        (later, None, conversion.contact, lead.pk),
    ]
    assert members[0].has_responded
    stats = selectors.campaign_statistics(campaign=campaign)
    assert (stats.leads, stats.converted_leads, stats.opportunities) == (1, 1, 1)


def test_a_contact_already_in_the_campaign_keeps_one_row(lead, rep, campaign, marketing_admin):
    contact = ContactFactory(owner=rep, last_name="Archer")
    services.campaign_members_add(campaign=campaign, contacts=[contact], acting_user=marketing_admin)
    services.campaign_members_add(campaign=campaign, leads=[lead], status="Responded", acting_user=marketing_admin)

    lead_convert(
        lead=lead,
        acting_user=rep,
        options=ConvertOptions(account_id=contact.account_id, contact_id=contact.pk, create_opportunity=False),
    )

    member = CampaignMember.objects.get()
    assert member.contact == contact
    assert member.converted_lead == lead
    assert member.has_responded
    assert member.first_responded_at is not None
    assert not CampaignInfluence.objects.exists()


def test_a_lead_in_no_campaign_converts_as_before(lead, rep, campaign):
    conversion = lead_convert(lead=lead, acting_user=rep, options=ConvertOptions())

    assert conversion.contact is not None
    assert not CampaignInfluence.objects.exists()
