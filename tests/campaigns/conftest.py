"""Fixtures of the campaign tests: the seeded campaign fields and picklists, a campaign, leads."""

import pytest

from campaigns.services import campaign_create
from tests.seeding import seed_fields


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def campaign_metadata(db):
    """Campaign fields and picklists are seeded by migration; a transactional test before this one
    may have flushed them."""
    from core.models import PicklistValue

    if not PicklistValue.objects.filter(object_name="lead", field_name="status", is_converted=True).exists():
        seed_fields("leads")
    if not PicklistValue.objects.filter(object_name="campaign").exists():
        seed_fields("campaigns")
    if not PicklistValue.objects.filter(object_name="opportunity", field_name="stage").exists():
        seed_fields("sales")


@pytest.fixture
def new_campaign(campaign_metadata, marketing_admin):
    def _create(name="Spring Webinar", acting_user=None, **data):
        extra = {k: data.pop(k) for k in ("owner", "parent", "custom_fields") if k in data}
        return campaign_create(data={"name": name, **data}, acting_user=acting_user or marketing_admin, **extra)

    return _create


@pytest.fixture
def campaign(new_campaign):
    return new_campaign("Spring Webinar", type="Webinar", tracking_code="spring-26")
