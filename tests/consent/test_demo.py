"""The demo data of campaigns and consent: campaigns with lead members, a consent text on the
webinar form and a few ledger lines; loading it twice adds nothing."""

import pytest
from django.apps import apps

from campaigns.demo import seed as seed_campaigns
from campaigns.models import Campaign, CampaignMember
from consent.demo import seed as seed_consent
from consent.models import ConsentRecord, FormConsent
from tests.factories import LeadFactory
from tests.seeding import seed_fields
from webtolead.services import webtolead_form_create

pytestmark = pytest.mark.django_db


def test_the_demo_is_idempotent(rep, other_rep, marketing_admin, system_admin, web_form):
    if not apps.get_model("core", "PicklistValue").objects.filter(object_name="campaign").exists():
        seed_fields("campaigns")
    LeadFactory.create_batch(40)
    webtolead_form_create(
        data={"name": "Webinar Registration", "fields": [{"name": "email", "label": "Email", "required": True}]},
        acting_user=marketing_admin,
    )
    users = {"rep": rep, "rep2": other_rep, "marketing": marketing_admin, "sysadmin": system_admin}

    for _ in range(2):
        seed_campaigns(users=users)
        seed_consent(users=users)

    assert Campaign.objects.count() == 4
    assert Campaign.objects.get(name="Berlin Trade Fair").parent.name == "Spring Launch 2026"
    assert CampaignMember.objects.filter(campaign__name="Monthly newsletter").count() == 30
    assert CampaignMember.objects.filter(has_responded=True).exists()
    assert FormConsent.objects.get().double_opt_in is True
    actions = list(ConsentRecord.objects.values_list("action", flat=True))
    assert (actions.count("granted"), actions.count("pending"), actions.count("withdrawn")) == (7, 1, 1)
