"""The demo content: a Region mapping and three converted leads, loaded once however often it runs."""

from conversion.demo import seed
from conversion.models import LeadConversion, LeadFieldMapping
from tests.factories import LeadFactory


def test_demo_seed_maps_region_and_converts_three_leads_once(rep, other_rep, marketing_admin, system_admin):
    for i in range(5):
        LeadFactory(owner_user=rep, company=f"Demo {i}", custom_fields={"Region__c": "EMEA"})
    users = {"rep": rep, "rep2": other_rep, "marketing": marketing_admin, "sysadmin": system_admin}

    seed(users=users)
    seed(users=users)

    assert LeadFieldMapping.objects.count() == 1
    assert LeadConversion.objects.count() == 3
    assert {c.account.custom_fields.get("Region__c") for c in LeadConversion.objects.all()} == {"EMEA"}
