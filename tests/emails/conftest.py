"""Fixtures of the email tests: templates, a custom field, and a backend that fails on demand."""

import pytest
from django.core import mail

from core.services import custom_field_create
from emails.services import email_template_create
from tests.seeding import seed_fields


@pytest.fixture
def seeded_lead_fields(transactional_db):
    """Transactional tests flush the database between tests, migration-seeded rows included."""
    seed_fields("leads")


@pytest.fixture
def budget_field(marketing_admin):
    return custom_field_create(
        object_name="lead", label="Budget", api_name="Budget__c", field_type="currency", acting_user=marketing_admin
    )


@pytest.fixture
def welcome_template(marketing_admin):
    return email_template_create(
        data={
            "name": "Welcome",
            "subject": "Welcome, {{Lead.FirstName|there}}",
            "body_text": "Hi {{Lead.FirstName|there}} from {{Lead.Company}}.\n{{Lead.Owner.Name}} <{{Lead.Owner.Email}}>",
            "body_html": "<p>Hi <b>{{Lead.FirstName|there}}</b> from {{Lead.Company}}</p>",
        },
        acting_user=marketing_admin,
    )


class FlakyBackend:
    """An email backend that fails the first ``failures`` sends (class-level, shared by instances)."""

    failures = 0
    calls = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise ConnectionRefusedError("SMTP server unreachable")
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def flaky_backend(settings):
    FlakyBackend.failures = 0
    FlakyBackend.calls = 0
    settings.EMAIL_BACKEND = "tests.emails.conftest.FlakyBackend"
    return FlakyBackend
