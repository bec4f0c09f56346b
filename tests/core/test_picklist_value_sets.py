"""Lead Source is one value set shared by lead, contact and opportunity (a global value set)."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from core import services
from core.models import PicklistValue
from core.selectors import picklist_values
from tests.factories import ContactFactory, LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

SHARED = ("lead", "contact", "opportunity")


def _values(object_name: str, field_name: str = "lead_source") -> list[tuple[str, str, bool]]:
    return [(v.api_name, v.label, v.is_active) for v in picklist_values(object_name=object_name, field_name=field_name)]


def _value(object_name: str, api_name: str, field_name: str = "lead_source") -> PicklistValue:
    return PicklistValue.objects.get(object_name=object_name, field_name=field_name, api_name=api_name)


def test_the_three_lead_source_picklists_start_equal():
    assert _values("lead") == _values("contact") == _values("opportunity")


def test_a_value_added_to_the_lead_is_offered_on_contact_and_opportunity(marketing_admin):
    services.picklist_value_create(
        object_name="lead", field_name="lead_source", label="Podcast", acting_user=marketing_admin
    )

    for object_name in SHARED:
        assert _values(object_name)[-1] == ("Podcast", "Podcast", True)
    assert _values("lead") == _values("contact") == _values("opportunity")


def test_a_value_of_another_object_cannot_be_added_twice(marketing_admin):
    services.picklist_value_create(
        object_name="contact", field_name="lead_source", label="Podcast", acting_user=marketing_admin
    )

    with pytest.raises(ValidationError) as exc:
        services.picklist_value_create(
            object_name="opportunity", field_name="lead_source", label="podcast", acting_user=marketing_admin
        )

    assert "label" in exc.value.message_dict
    assert PicklistValue.objects.filter(api_name="Podcast").count() == 3


def test_renaming_a_value_renames_it_everywhere(marketing_admin):
    services.picklist_value_update(
        value=_value("contact", "Webinar"), label="Online Seminar", acting_user=marketing_admin
    )

    assert {_value(name, "Webinar").label for name in SHARED} == {"Online Seminar"}


def test_deactivating_and_activating_a_value_applies_to_all_three(marketing_admin):
    services.picklist_value_set_active(value=_value("lead", "Cold Call"), active=False, acting_user=marketing_admin)
    assert not any(_value(name, "Cold Call").is_active for name in SHARED)

    services.picklist_value_set_active(
        value=_value("opportunity", "Cold Call"), active=True, acting_user=marketing_admin
    )
    assert all(_value(name, "Cold Call").is_active for name in SHARED)


def test_a_value_in_use_on_another_object_is_not_deactivated(marketing_admin, picklist_usage):
    picklist_usage.add(_value("contact", "Trade Show"), "Web-to-Lead form “Expo”")

    with pytest.raises(ValidationError) as exc:
        services.picklist_value_set_active(
            value=_value("lead", "Trade Show"), active=False, acting_user=marketing_admin
        )

    assert "Contact: Web-to-Lead form “Expo”" in exc.value.messages
    assert all(_value(name, "Trade Show").is_active for name in SHARED)


def test_reordering_one_picklist_reorders_the_others(marketing_admin):
    lead_values = list(picklist_values(object_name="lead", field_name="lead_source"))
    reversed_ids = [v.pk for v in reversed(lead_values)]

    services.picklist_reorder(
        object_name="lead", field_name="lead_source", ordered_ids=reversed_ids, acting_user=marketing_admin
    )

    expected = [v.api_name for v in reversed(lead_values)]
    for object_name in SHARED:
        assert [api for api, _, _ in _values(object_name)] == expected


def test_deleting_a_value_moves_the_records_of_every_object(marketing_admin):
    lead = LeadFactory(lead_source="Cold Call")
    contact = ContactFactory(lead_source="Cold Call")
    opportunity = OpportunityFactory(lead_source="Cold Call")

    moved = services.picklist_value_delete(
        value=_value("opportunity", "Cold Call"),
        replacement=_value("opportunity", "Phone Inquiry"),
        acting_user=marketing_admin,
    )

    assert moved == 3
    assert not PicklistValue.objects.filter(field_name="lead_source", api_name="Cold Call").exists()
    for record in (lead, contact, opportunity):
        record.refresh_from_db()
        assert record.lead_source == "Phone Inquiry"


def test_other_picklists_stay_per_object(marketing_admin):
    services.picklist_value_create(
        object_name="lead", field_name="industry", label="Aerospace", acting_user=marketing_admin
    )

    assert not PicklistValue.objects.filter(object_name="account", field_name="industry", api_name="Aerospace").exists()


def test_the_data_migration_gives_the_three_picklists_the_union_of_their_values():
    migration = importlib.import_module("core.migrations.0003_share_lead_source_values")
    PicklistValue.objects.create(
        object_name="lead", field_name="lead_source", api_name="Podcast", label="Podcast", sort_order=90
    )
    PicklistValue.objects.create(
        object_name="contact",
        field_name="lead_source",
        api_name="Referral Program",
        label="Referral Program",
        sort_order=91,
        is_active=False,
    )
    _value("opportunity", "Webinar").delete()

    migration.share_values(apps, None)

    assert _values("lead") == _values("contact") == _values("opportunity")
    api_names = [api for api, _, _ in _values("contact")]
    assert {"Podcast", "Referral Program", "Webinar"} <= set(api_names)
    assert api_names[-2:] == ["Podcast", "Referral Program"]
    assert not _value("lead", "Referral Program").is_active


def test_the_setup_page_says_the_values_are_shared(client, marketing_admin):
    client.force_login(marketing_admin)

    shared = client.get(reverse("core:picklist_detail", args=["contact", "lead_source"])).content.decode()
    own = client.get(reverse("core:picklist_detail", args=["lead", "status"])).content.decode()

    assert 'data-testid="shared-value-set"' in shared
    assert "shared with the Lead and Opportunity picklists" in shared
    assert 'data-testid="shared-value-set"' not in own
