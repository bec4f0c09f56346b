"""Transactional tests flush the database; the migrations' seed must be there for each of them."""

import pytest
from django.contrib.auth.models import Group

from core.models import FieldDefinition, PicklistValue


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", [1, 2, 3])
def test_seeded_metadata_is_present_in_every_transactional_test(run, rep):
    assert FieldDefinition.objects.filter(object_name="lead", is_custom=False).count() > 10
    assert PicklistValue.objects.filter(object_name="lead", field_name="status", is_default=True).exists()
    assert PicklistValue.objects.filter(object_name="opportunity", field_name="stage").count() >= 10
    assert Group.objects.filter(name="Sales rep").exists()
