"""Case-insensitive uniqueness of picklist labels and custom field API names is the database's:
two admins saving at the same moment get the same field error as one admin saving twice."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from core import services
from core.models import FieldDefinition, PicklistValue

pytestmark = pytest.mark.django_db


def test_the_database_refuses_a_picklist_label_differing_only_in_case():
    PicklistValue.objects.create(object_name="lead", field_name="rating", api_name="Tepid", label="Tepid")

    with pytest.raises(IntegrityError):
        PicklistValue.objects.create(object_name="lead", field_name="rating", api_name="tepid2", label="TEPID")


def test_a_concurrent_picklist_label_is_a_field_error(marketing_admin, monkeypatch):
    # Given the friendly check passed (another admin saved "Tepid" just after it ran)
    services.picklist_value_create(object_name="lead", field_name="rating", label="Tepid", acting_user=marketing_admin)
    monkeypatch.setattr(services, "_label_taken", lambda *args, **kwargs: False)

    # When the second admin's value is written
    with pytest.raises(ValidationError) as caught:
        services.picklist_value_create(
            object_name="lead", field_name="rating", label="tepid", api_name="tepid-2", acting_user=marketing_admin
        )

    # Then the database's refusal reads as the label's field error
    assert "label" in caught.value.message_dict
    assert PicklistValue.objects.filter(object_name="lead", field_name="rating", label__iexact="tepid").count() == 1


def test_a_relabel_onto_a_taken_label_is_a_field_error(marketing_admin, monkeypatch):
    first = services.picklist_value_create(
        object_name="lead", field_name="rating", label="Tepid", acting_user=marketing_admin
    )
    second = services.picklist_value_create(
        object_name="lead", field_name="rating", label="Lukewarm", acting_user=marketing_admin
    )
    monkeypatch.setattr(services, "_label_taken", lambda *args, **kwargs: False)

    with pytest.raises(ValidationError) as caught:
        services.picklist_value_update(value=second, label="TEPID", acting_user=marketing_admin)

    assert "label" in caught.value.message_dict
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.label, second.label) == ("Tepid", "Lukewarm")


def test_a_custom_field_api_name_differing_only_in_case_is_a_field_error(marketing_admin, monkeypatch):
    services.custom_field_create(
        object_name="lead", label="Budget Band", api_name="Budget_Band", field_type="text", acting_user=marketing_admin
    )
    # The friendly check is skipped, as when two admins save at the same moment.
    real_filter = FieldDefinition.objects.filter

    def filter_without_friendly_check(*args, **kwargs):
        if "api_name__iexact" in kwargs:
            return FieldDefinition.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(FieldDefinition.objects, "filter", filter_without_friendly_check)

    with pytest.raises(ValidationError) as caught:
        services.custom_field_create(
            object_name="lead",
            label="Budget band 2",
            api_name="budget_band",
            field_type="text",
            acting_user=marketing_admin,
        )

    assert "api_name" in caught.value.message_dict
    assert real_filter(object_name="lead", api_name__iexact="budget_band__c").count() == 1
