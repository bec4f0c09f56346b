"""An import can name a campaign: one for every row, or a Campaign column per row (an id, tracking
code or name), with a member status; an unknown campaign never costs a lead."""

import pytest
from django.apps import apps
from django.urls import reverse

from campaigns.models import CampaignMember
from campaigns.services import campaign_create, member_status_create
from leads.imports.parsing import CAMPAIGN_COLUMN
from leads.models import Lead
from tests.seeding import seed_fields

pytestmark = pytest.mark.django_db

CSV = [
    "First Name,Last Name,Company,Email,Campaign",
    "Ada,Lovelace,Analytical Ltd,ada@example.com,spring-26",
    "Grace,Hopper,Navy Systems,grace@example.com,",
    "Alan,Turing,Bletchley,alan@example.com,No Such Campaign",
]


@pytest.fixture
def campaigns(marketing_admin):
    if not apps.get_model("core", "PicklistValue").objects.filter(object_name="campaign").exists():
        seed_fields("campaigns")
    spring = campaign_create(data={"name": "Spring", "tracking_code": "spring-26"}, acting_user=marketing_admin)
    fair = campaign_create(data={"name": "Trade Fair"}, acting_user=marketing_admin)
    member_status_create(campaign=fair, label="Visited Booth", counts_as_responded=True, acting_user=marketing_admin)
    return spring, fair


def test_a_campaign_column_is_mapped_by_its_header(marketing_admin, upload):
    lead_import = upload(marketing_admin, CSV)
    assert lead_import.mapping[-1] == CAMPAIGN_COLUMN


def test_rows_join_their_campaign_or_the_imports_with_the_member_status(
    marketing_admin, upload, start, campaigns, django_capture_on_commit_callbacks
):
    spring, fair = campaigns
    lead_import = upload(marketing_admin, CSV)
    with django_capture_on_commit_callbacks(execute=True):
        start(
            lead_import, marketing_admin, run_assignment=False, campaign="Trade Fair", campaign_status="Visited Booth"
        )

    lead_import.refresh_from_db()
    assert (lead_import.created_count, lead_import.error_count) == (3, 0)
    members = {m.lead.last_name: m for m in CampaignMember.objects.select_related("lead", "status", "campaign")}
    # the row's own campaign wins; a blank cell takes the import's campaign
    assert members["Lovelace"].campaign == spring
    assert members["Hopper"].campaign == fair
    assert members["Hopper"].status.label == "Visited Booth"
    assert members["Hopper"].has_responded
    # a status the row's campaign lacks falls back to its default
    assert members["Lovelace"].status.label == "Sent"
    # an unknown campaign still makes the lead
    assert "Turing" not in members
    assert Lead.objects.filter(last_name="Turing").exists()


def test_a_long_campaign_is_a_field_error(marketing_admin, upload, start):
    from django.core.exceptions import ValidationError

    lead_import = upload(marketing_admin, CSV)
    with pytest.raises(ValidationError) as caught:
        start(lead_import, marketing_admin, campaign="x" * 256)
    assert "campaign" in caught.value.message_dict


def test_the_import_page_names_the_campaign(client, marketing_admin, upload, start, campaigns):
    lead_import = upload(marketing_admin, CSV)
    start(lead_import, marketing_admin, run_assignment=False, campaign="Trade Fair", campaign_status="Visited Booth")
    client.force_login(marketing_admin)
    page = client.get(reverse("leads:import_detail", args=[lead_import.pk])).content.decode()
    assert "Trade Fair · Visited Booth" in page
    assert "Campaign column" in page
