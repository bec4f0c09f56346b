"""Conversion by campaign, and the campaign and Web-to-Lead form filters every lead report takes."""

import pytest

from campaigns.models import CampaignMember
from campaigns.services import campaign_create, campaign_members_add
from core.models import OrgSettings
from reports.selectors import run_report
from tests.factories import ContactFactory, LeadFactory
from webtolead.models import Intake, WebToLeadForm

from .conftest import RANGE, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaigns(rep, other_rep, marketing_admin):
    expo = campaign_create(data={"name": "Expo"}, acting_user=marketing_admin)
    webinar = campaign_create(data={"name": "Webinar"}, acting_user=marketing_admin)
    open_lead = LeadFactory(owner_user=rep, lead_source="Website", created_at=at(3))
    converted = LeadFactory(
        owner_user=rep,
        lead_source="Website",
        created_at=at(3),
        status="Qualified",
        is_converted=True,
        converted_at=at(7),
    )
    theirs = LeadFactory(owner_user=other_rep, lead_source="Website", created_at=at(4))
    campaign_members_add(campaign=expo, leads=[open_lead], acting_user=marketing_admin)
    campaign_members_add(campaign=webinar, leads=[theirs], acting_user=marketing_admin)
    # At conversion the membership passed to the contact and remembers the lead.
    CampaignMember.objects.create(
        campaign=expo,
        contact=ContactFactory(owner=rep),
        converted_lead=converted,
        status=expo.member_statuses.order_by("pk").first(),
        created_at=at(3),
        last_modified_at=at(7),
    )
    return {"expo": expo, "webinar": webinar, "open": open_lead, "converted": converted, "theirs": theirs}


def rows_by(result, key: str) -> dict:
    return {row[key]: row for row in result.rows}


def test_conversion_by_campaign(campaigns, marketing_admin):
    _spec, _params, result = run_report(user=marketing_admin, key="conversion-by-campaign", data=RANGE)

    rows = rows_by(result, "campaign")
    assert rows["Expo"]["leads"] == 2
    assert rows["Expo"]["converted"] == 1
    assert rows["Expo"]["conversion_rate"] == 50.0
    assert rows["Expo"]["median_days"] == 4.0
    assert rows["Webinar"]["leads"] == 1
    assert rows["Webinar"]["converted"] == 0
    assert f"campaign={campaigns['expo'].pk}" in result.links[0]["leads"]


def test_a_rep_under_private_sharing_sees_only_their_campaign_leads(campaigns, rep):
    OrgSettings.objects.update_or_create(singleton=1, defaults={"lead_access": OrgSettings.LeadAccess.PRIVATE})

    _spec, _params, result = run_report(user=rep, key="conversion-by-campaign", data=RANGE)

    assert set(rows_by(result, "campaign")) == {"Expo"}


def test_campaign_filter_narrows_every_lead_report(campaigns, marketing_admin):
    data = {**RANGE, "campaign": str(campaigns["expo"].pk), "group": "lead_source"}

    _spec, params, result = run_report(user=marketing_admin, key="leads-created", data=data)

    assert params.rollups is False  # the rollups hold no campaign
    assert sum(row["total"] for row in result.rows) == 2
    assert f"campaign={campaigns['expo'].pk}" in result.links[0]["total"]
    _spec, _params, funnel = run_report(user=marketing_admin, key="funnel", data=data)
    assert funnel.rows[-1]["created"] == 2
    assert funnel.rows[-1]["converted"] == 1


def test_web_to_lead_form_filter(campaigns, marketing_admin):
    form = WebToLeadForm.objects.create(name="Contact us", public_key="k1", created_at=at(1), updated_at=at(1))
    Intake.objects.create(
        form=form, outcome="created", received_at=at(3), processed_at=at(3), public_ref="x", lead=campaigns["open"]
    )

    _spec, _params, result = run_report(
        user=marketing_admin, key="conversion-by-source", data={**RANGE, "web_form": str(form.pk)}
    )

    assert result.rows[0]["leads"] == 1


def test_a_bad_campaign_is_a_field_error(marketing_admin):
    from reports.selectors import ReportParamsError

    with pytest.raises(ReportParamsError) as caught:
        run_report(user=marketing_admin, key="funnel", data={**RANGE, "campaign": "nope"})
    assert "campaign" in caught.value.errors
