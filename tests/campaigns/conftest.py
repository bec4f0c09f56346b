"""Fixtures of the campaign tests: the seeded campaign fields and picklists, a campaign, leads."""

import importlib

import pytest
from django.apps import apps

from campaigns.services import campaign_create


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def campaign_metadata(db):
    """Campaign fields and picklists are seeded by migration; a transactional test before this one
    may have flushed them."""
    from core.models import PicklistValue

    if not PicklistValue.objects.filter(object_name="lead", field_name="status", is_converted=True).exists():
        importlib.import_module("leads.migrations.0002_seed_fields_and_picklists").seed(apps, None)
    if not PicklistValue.objects.filter(object_name="campaign").exists():
        importlib.import_module("campaigns.migrations.0002_seed_fields_and_picklists").seed(apps, None)
    if not PicklistValue.objects.filter(object_name="opportunity", field_name="stage").exists():
        importlib.import_module("sales.migrations.0002_seed_fields_and_picklists").seed(apps, None)


@pytest.fixture
def new_campaign(campaign_metadata, marketing_admin):
    def _create(name="Spring Webinar", acting_user=None, **data):
        extra = {k: data.pop(k) for k in ("owner", "parent", "custom_fields") if k in data}
        return campaign_create(data={"name": name, **data}, acting_user=acting_user or marketing_admin, **extra)

    return _create


@pytest.fixture
def campaign(new_campaign):
    return new_campaign("Spring Webinar", type="Webinar", tracking_code="spring-26")
