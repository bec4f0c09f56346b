"""Fixtures of the list email tests: a marketing template and a campaign."""

import pytest

from campaigns.services import campaign_create
from emails.services import email_template_create
from tests.seeding import seed_fields


@pytest.fixture
def seeded(db):
    """Lead and campaign fields are seeded by migration; a transactional test may have flushed them."""
    from core.models import PicklistValue

    if not PicklistValue.objects.filter(object_name="lead", field_name="status", is_converted=True).exists():
        seed_fields("leads")
    if not PicklistValue.objects.filter(object_name="campaign").exists():
        seed_fields("campaigns")


@pytest.fixture
def newsletter(seeded, marketing_admin):
    return email_template_create(
        data={
            "name": "Newsletter",
            "subject": "News for {{Lead.FirstName|you}}",
            "body_text": "Hello {{Lead.FirstName|there}}",
            "body_html": "<p>Hello {{Lead.FirstName|there}}</p>",
            "is_active": True,
            "is_marketing": True,
        },
        acting_user=marketing_admin,
    )


@pytest.fixture
def campaign(seeded, marketing_admin):
    return campaign_create(data={"name": "Autumn Mailing", "type": "Email"}, acting_user=marketing_admin)
