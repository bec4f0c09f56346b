"""Campaign services: membership once per person, member statuses, responses, the hierarchy's
rolled-up totals and ROI, and the rules the database holds whatever the caller."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns import selectors, services
from campaigns.models import Campaign, CampaignInfluence, CampaignMember
from core.models import FieldHistory
from tests.factories import ContactFactory, LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def test_a_new_campaign_gets_the_default_status_and_member_statuses(campaign):
    assert campaign.status == "Planned"
    statuses = list(
        selectors.member_statuses(campaign=campaign).values_list("label", "counts_as_responded", "is_default")
    )
    assert statuses == [("Sent", False, True), ("Responded", True, False)]


def test_end_date_before_start_date_is_a_field_error(new_campaign):
    with pytest.raises(ValidationError) as exc:
        new_campaign(start_date="2026-05-10", end_date="2026-05-01")

    assert "end_date" in exc.value.message_dict


def test_the_database_refuses_an_end_date_before_the_start_date(campaign):
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(start_date=dt.date(2026, 5, 10), end_date=dt.date(2026, 5, 1))


def test_unknown_type_and_negative_cost_are_field_errors(new_campaign):
    with pytest.raises(ValidationError) as exc:
        new_campaign(type="Carrier pigeon", actual_cost="-5", expected_response=120)

    assert set(exc.value.message_dict) == {"type", "actual_cost", "expected_response"}


def test_tracking_codes_are_unique_whatever_their_case(campaign, new_campaign):
    with pytest.raises(ValidationError) as exc:
        new_campaign("Other", tracking_code="SPRING-26")

    assert "tracking_code" in exc.value.message_dict


def test_only_marketing_admins_create_campaigns(new_campaign, rep):
    with pytest.raises(PermissionError):
        new_campaign(acting_user=rep)


def test_the_owner_edits_the_campaign_and_another_rep_may_not(new_campaign, rep, other_rep):
    campaign = new_campaign(owner=rep)

    updated = services.campaign_update(campaign=campaign, data={"actual_cost": "250"}, acting_user=rep)
    assert updated.actual_cost == Decimal("250.00")
    assert updated.version == 2
    assert FieldHistory.objects.filter(object_name="campaign", record_id=campaign.pk, field_name="actual_cost").exists()
    with pytest.raises(PermissionError):
        services.campaign_update(campaign=campaign, data={"name": "Mine"}, acting_user=other_rep)


def test_a_stale_version_is_refused(campaign, marketing_admin):
    services.campaign_update(campaign=campaign, data={"name": "New name"}, acting_user=marketing_admin)

    with pytest.raises(ValidationError) as exc:
        services.campaign_update(
            campaign=campaign, data={"name": "Old"}, acting_user=marketing_admin, expected_version=1
        )
    assert "version" in exc.value.message_dict


def test_a_campaign_cannot_be_below_its_own_child(campaign, new_campaign, marketing_admin):
    child = new_campaign("Child", parent=campaign)

    with pytest.raises(ValidationError) as exc:
        services.campaign_update(campaign=campaign, data={}, parent=child, acting_user=marketing_admin)
    assert "parent" in exc.value.message_dict


def test_a_lead_is_added_once_and_can_be_in_many_campaigns(campaign, new_campaign, marketing_admin):
    lead = LeadFactory()
    other = new_campaign("Trade Show")

    first = services.campaign_members_add(campaign=campaign, leads=[lead], acting_user=marketing_admin)
    again = services.campaign_members_add(campaign=campaign, leads=[lead], acting_user=marketing_admin)
    services.campaign_members_add(campaign=other, leads=[lead], acting_user=marketing_admin)

    assert len(first.added) == 1
    assert first.added[0].status.label == "Sent"
    assert (len(again.added), again.already_members) == (0, 1)
    assert CampaignMember.objects.filter(lead=lead).count() == 2


def test_the_database_holds_one_membership_per_lead_and_exactly_one_person(campaign, marketing_admin):
    lead, contact = LeadFactory(), ContactFactory()
    services.campaign_members_add(campaign=campaign, leads=[lead], acting_user=marketing_admin)
    status = campaign.member_statuses.first()
    now = timezone.now()
    common = {"campaign": campaign, "status": status, "created_at": now, "last_modified_at": now}

    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignMember.objects.create(lead=lead, **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignMember.objects.create(lead=LeadFactory(), contact=contact, **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignMember.objects.create(**common)


def test_converted_leads_are_refused_and_contacts_are_added(campaign, marketing_admin):
    converted = LeadFactory(is_converted=True, converted_at=timezone.now())
    contact = ContactFactory()

    result = services.campaign_members_add(
        campaign=campaign, leads=[converted], contacts=[contact], acting_user=marketing_admin
    )

    assert [m.contact_id for m in result.added] == [contact.pk]
    assert list(result.refused) == [f"lead:{converted.pk}"]


def test_a_responded_status_sets_the_first_responded_time_once(campaign, marketing_admin):
    member = services.campaign_members_add(campaign=campaign, leads=[LeadFactory()], acting_user=marketing_admin).added[
        0
    ]
    assert (member.has_responded, member.first_responded_at) == (False, None)

    member = services.campaign_member_update(member=member, status="Responded", acting_user=marketing_admin)
    first = member.first_responded_at
    assert member.has_responded
    assert first is not None
    member = services.campaign_member_update(member=member, status="Sent", acting_user=marketing_admin)
    member = services.campaign_member_update(member=member, status="responded", acting_user=marketing_admin)
    assert member.first_responded_at == first


def test_a_status_of_another_campaign_is_refused(campaign, new_campaign, marketing_admin):
    other_status = new_campaign("Other").member_statuses.get(label="Responded")
    member = services.campaign_members_add(campaign=campaign, leads=[LeadFactory()], acting_user=marketing_admin).added[
        0
    ]

    with pytest.raises(ValidationError) as exc:
        services.campaign_member_update(member=member, status=other_status.pk, acting_user=marketing_admin)
    assert "status" in exc.value.message_dict


def test_admins_add_member_statuses_that_count_as_responded(campaign, marketing_admin):
    attended = services.member_status_create(
        campaign=campaign, label="Attended", counts_as_responded=True, acting_user=marketing_admin
    )
    member = services.campaign_members_add(
        campaign=campaign, leads=[LeadFactory()], status="Attended", acting_user=marketing_admin
    ).added[0]

    assert member.status == attended
    assert member.has_responded
    with pytest.raises(ValidationError) as exc:
        services.member_status_create(campaign=campaign, label="ATTENDED", acting_user=marketing_admin)
    assert "label" in exc.value.message_dict


def test_a_new_default_member_status_replaces_the_old_one(campaign, marketing_admin):
    services.member_status_create(campaign=campaign, label="Invited", is_default=True, acting_user=marketing_admin)

    assert list(campaign.member_statuses.filter(is_default=True).values_list("label", flat=True)) == ["Invited"]


def _won_opportunity(campaign, amount, stage="Closed Won"):
    opportunity = OpportunityFactory(amount=Decimal(amount), stage=stage)
    CampaignInfluence.objects.create(opportunity=opportunity, campaign=campaign, created_at=timezone.now())
    return opportunity


def test_statistics_count_leads_responses_and_compute_cost_per_lead_and_roi(campaign, marketing_admin):
    services.campaign_update(campaign=campaign, data={"actual_cost": "1000"}, acting_user=marketing_admin)
    leads = [LeadFactory() for _ in range(4)]
    services.campaign_members_add(campaign=campaign, leads=leads[:3], acting_user=marketing_admin)
    services.campaign_members_add(campaign=campaign, leads=leads[3:], status="Responded", acting_user=marketing_admin)
    _won_opportunity(campaign, "3000")
    _won_opportunity(campaign, "500", stage="Prospecting")

    stats = selectors.campaign_statistics(campaign=campaign)

    assert (stats.leads, stats.responses, stats.opportunities, stats.won_opportunities) == (4, 1, 2, 1)
    assert stats.won_amount == Decimal("3000")
    assert stats.open_amount == Decimal("500")
    assert stats.cost_per_lead == Decimal("250.00")
    assert stats.roi == Decimal("200.0")


def test_totals_roll_up_through_the_hierarchy(campaign, new_campaign, marketing_admin):
    child = new_campaign("Child", parent=campaign, actual_cost="100")
    grandchild = new_campaign("Grandchild", parent=child, actual_cost="50")
    unrelated = new_campaign("Unrelated", actual_cost="999")
    services.campaign_members_add(campaign=campaign, leads=[LeadFactory()], acting_user=marketing_admin)
    services.campaign_members_add(
        campaign=grandchild, leads=[LeadFactory(), LeadFactory()], acting_user=marketing_admin
    )
    services.campaign_members_add(campaign=unrelated, leads=[LeadFactory()], acting_user=marketing_admin)
    _won_opportunity(grandchild, "600")

    totals = selectors.campaign_hierarchy_statistics(campaign=campaign)
    child_totals = selectors.campaign_hierarchy_statistics(campaign=child)

    assert (totals.leads, totals.actual_cost, totals.won_amount) == (3, Decimal("150"), Decimal("600"))
    assert totals.roi == Decimal("300.0")
    assert (child_totals.leads, child_totals.actual_cost) == (2, Decimal("150"))
    assert selectors.campaign_statistics(campaign=campaign).leads == 1


def test_no_cost_means_no_roi_or_cost_per_lead(campaign):
    stats = selectors.campaign_statistics(campaign=campaign)

    assert stats.roi is None
    assert stats.cost_per_lead is None


def test_custom_fields_are_validated_by_the_core_field_registry(new_campaign, marketing_admin):
    from core.services import custom_field_create

    custom_field_create(object_name="campaign", label="Attendees", field_type="number", acting_user=marketing_admin)

    campaign = new_campaign(custom_fields={"Attendees__c": "120"})
    assert campaign.custom_fields == {"Attendees__c": 120}
    with pytest.raises(ValidationError) as exc:
        services.campaign_update(
            campaign=campaign, data={}, custom_fields={"Attendees__c": "many"}, acting_user=marketing_admin
        )
    assert "Attendees__c" in exc.value.message_dict


def test_deleting_a_campaign_removes_its_members_and_orphans_its_children(campaign, new_campaign, marketing_admin):
    child = new_campaign("Child", parent=campaign)
    lead = LeadFactory()
    services.campaign_members_add(campaign=campaign, leads=[lead], acting_user=marketing_admin)

    services.campaign_delete(campaign=campaign, acting_user=marketing_admin)

    child.refresh_from_db()
    assert child.parent is None
    assert not CampaignMember.objects.exists()
