"""Campaign pages: list, record page with results and members, the edit page, member statuses,
adding leads from the lead page and from the lead list."""

import pytest
from django.urls import reverse

from campaigns import services
from campaigns.models import Campaign, CampaignMember
from tests.factories import LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def test_the_list_shows_campaigns_and_an_empty_state(client, rep, marketing_admin, campaign_metadata):
    client.force_login(rep)
    empty = client.get(reverse("campaigns:list"))
    assert "No campaigns yet." in empty.content.decode()
    assert "New Campaign" not in empty.content.decode()

    services.campaign_create(data={"name": "Fall Expo"}, acting_user=marketing_admin)
    page = client.get(reverse("campaigns:list")).content.decode()
    assert "Fall Expo" in page


def test_the_menu_has_a_campaigns_entry(client, rep):
    client.force_login(rep)

    assert reverse("campaigns:list") in client.get(reverse("leads:list")).content.decode()


def test_a_marketing_admin_creates_a_campaign_with_the_form(client, marketing_admin, campaign_metadata):
    client.force_login(marketing_admin)

    bad = client.post(
        reverse("campaigns:create"),
        {"name": "Expo", "owner": marketing_admin.pk, "start_date": "2026-06-10", "end_date": "2026-06-01"},
    )
    good = client.post(
        reverse("campaigns:create"),
        {"name": "Expo", "owner": marketing_admin.pk, "type": "Trade Show", "is_active": "on", "actual_cost": "10"},
    )

    assert bad.status_code == 400
    assert "The end date cannot be before the start date." in bad.content.decode()
    campaign = Campaign.objects.get()
    assert good.status_code == 302
    assert good["Location"] == reverse("campaigns:detail", args=[campaign.pk])
    assert (campaign.type, campaign.is_active) == ("Trade Show", True)


def test_a_rep_may_not_open_the_create_or_edit_pages(client, rep, campaign):
    client.force_login(rep)

    assert client.get(reverse("campaigns:create")).status_code == 403
    assert client.get(reverse("campaigns:edit", args=[campaign.pk])).status_code == 403
    assert client.get(reverse("campaigns:detail", args=[campaign.pk])).status_code == 200


def test_the_record_page_shows_fields_results_members_and_statuses(
    client, marketing_admin, campaign, django_assert_max_num_queries
):
    leads = [LeadFactory(company=f"Company {i}") for i in range(5)]
    services.campaign_members_add(campaign=campaign, leads=leads, status="Responded", acting_user=marketing_admin)
    client.force_login(marketing_admin)

    with django_assert_max_num_queries(40):
        page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()

    assert "Spring Webinar" in page
    assert 'data-testid="stat-leads">5<' in page
    assert 'data-testid="stat-responses">5<' in page
    assert "Company 4" in page
    assert "Campaign Members" in page
    assert "Member Statuses" in page


def test_edit_saves_and_records_history(client, marketing_admin, campaign):
    client.force_login(marketing_admin)

    response = client.post(
        reverse("campaigns:edit", args=[campaign.pk]),
        {"name": "Spring Webinar 2026", "owner": marketing_admin.pk, "status": "In Progress", "version": 1},
    )

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.status, campaign.version) == ("Spring Webinar 2026", "In Progress", 2)
    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "Campaign History" in page


def test_a_member_status_is_added_and_a_member_changed_and_removed(client, marketing_admin, campaign):
    lead = LeadFactory()
    member = services.campaign_members_add(campaign=campaign, leads=[lead], acting_user=marketing_admin).added[0]
    client.force_login(marketing_admin)

    client.post(reverse("campaigns:member_status_create", args=[campaign.pk]), {"label": "Attended"})
    attended = campaign.member_statuses.get(label="Attended")
    client.post(reverse("campaigns:member_update", args=[campaign.pk, member.pk]), {"status": attended.pk})
    member.refresh_from_db()
    assert member.status == attended
    client.post(reverse("campaigns:member_remove", args=[campaign.pk, member.pk]))
    assert not CampaignMember.objects.exists()


def test_the_lead_page_shows_campaign_history_and_adds_the_lead(client, marketing_admin, campaign):
    lead = LeadFactory()
    client.force_login(marketing_admin)

    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "Campaign History" in page
    assert "This lead is in no campaign yet." in page

    response = client.post(reverse("campaigns:lead_add", args=[lead.pk]), {"campaign": campaign.pk})

    assert response.status_code == 302
    assert CampaignMember.objects.get().lead == lead
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert reverse("campaigns:detail", args=[campaign.pk]) in page
    assert "Primary" in page


def test_a_rep_is_offered_only_the_campaigns_they_own(client, rep, campaign, new_campaign):
    own = new_campaign("Rep's Referral Program", owner=rep)
    lead = LeadFactory(owner_user=rep)
    client.force_login(rep)

    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    refused = client.post(reverse("campaigns:lead_add", args=[lead.pk]), {"campaign": campaign.pk})

    assert own.name.replace("'", "&#x27;") in page
    assert f'<option value="{campaign.pk}">' not in page
    assert refused.status_code == 302
    assert not CampaignMember.objects.exists()


def test_leads_selected_on_the_list_are_added_to_a_campaign(client, marketing_admin, campaign):
    leads = [LeadFactory() for _ in range(3)]
    services.campaign_members_add(campaign=campaign, leads=leads[:1], acting_user=marketing_admin)
    client.force_login(marketing_admin)
    ids = [str(lead.pk) for lead in leads]

    assert 'data-testid="mass-add-to-campaign"' in client.get(reverse("leads:list")).content.decode()
    ask = client.post(reverse("campaigns:add_leads"), {"ids": ids, "next": "/leads/"})
    done = client.post(
        reverse("campaigns:add_leads"), {"ids": ids, "campaign": campaign.pk, "status": "Responded", "next": "/leads/"}
    )

    assert ask.status_code == 200
    assert "Spring Webinar" in ask.content.decode()
    assert done.status_code == 302
    assert done["Location"] == "/leads/"
    assert CampaignMember.objects.filter(campaign=campaign).count() == 3
    assert CampaignMember.objects.filter(status__label="Responded").count() == 2


def test_a_converted_leads_contact_and_opportunity_show_their_campaigns(rf, rep, marketing_admin, campaign):
    from campaigns.parts import contact_campaign_history, opportunity_campaign_source
    from conversion.services import ConvertOptions, lead_convert

    lead = LeadFactory(owner_user=rep, status="Working")
    services.campaign_members_add(campaign=campaign, leads=[lead], acting_user=marketing_admin)
    conversion = lead_convert(lead=lead, acting_user=rep, options=ConvertOptions(opportunity_name="Deal"))
    request = rf.get("/")
    request.user = rep

    contact_part = contact_campaign_history(request, conversion.contact)
    opportunity_part = opportunity_campaign_source(request, conversion.opportunity)

    assert "Campaign History" in contact_part
    assert "Spring Webinar" in contact_part
    assert "Primary Campaign Source" in opportunity_part
    assert "Spring Webinar" in opportunity_part
    assert opportunity_campaign_source(request, OpportunityFactory()) == ""


def test_the_list_filters_by_type_and_active_and_the_api_uses_the_same_filters(
    client, api, rep, new_campaign, marketing_admin, django_assert_max_num_queries
):
    new_campaign("Expo East", type="Trade Show")
    new_campaign("Expo West", type="Trade Show", is_active=False)
    new_campaign("Newsletter", type="Email")
    client.force_login(rep)

    with django_assert_max_num_queries(15):
        page = client.get(reverse("campaigns:list"), {"type": "Trade Show", "is_active": "true"}).content.decode()
    by_code = client.get(reverse("campaigns:list"), {"q": "expo"}).content.decode()
    api_rows = api.as_user(rep).get("/api/campaigns/", {"type": "Trade Show"}).json()

    assert "Expo East" in page
    assert "Expo West" not in page
    assert "Newsletter" not in page
    assert "Expo West" in by_code
    assert "Newsletter" not in by_code
    rows = api_rows["results"] if isinstance(api_rows, dict) else api_rows
    assert sorted(r["name"] for r in rows) == ["Expo East", "Expo West"]


def test_campaign_picklists_and_fields_appear_on_the_setup_pages(client, marketing_admin, campaign_metadata):
    client.force_login(marketing_admin)

    picklists = client.get(reverse("core:picklist_list"))
    fields = client.get(reverse("core:field_list"), {"object": "campaign"})

    assert picklists.status_code == 200
    assert "Campaign" in picklists.content.decode()
    assert fields.status_code == 200
    assert "Tracking Code" in fields.content.decode()
