import pytest

from dedupe import services
from dedupe.services.keys import keys_refresh
from tests.factories import ContactFactory, LeadFactory


@pytest.fixture
def make_lead(db):
    """A lead with its match keys (factories bypass the services that write them)."""

    def _make(**fields):
        lead = LeadFactory(**fields)
        keys_refresh(object_name="lead", record_ids=[lead.pk])
        return lead

    return _make


@pytest.fixture
def make_contact(db):
    """A contact with its match keys."""

    def _make(**fields):
        contact = ContactFactory(**fields)
        keys_refresh(object_name="contact", record_ids=[contact.pk])
        return contact

    return _make


@pytest.fixture
def email_rule(system_admin):
    return services.matching_rule_create(data={"name": "Same email", "email": "normalized"}, acting_user=system_admin)


@pytest.fixture
def duplicate_rule(system_admin, email_rule):
    """``duplicate_rule(**actions)``: an active duplicate rule with one entry (no criteria) using the
    email matching rule, with the given action per entry point."""
    from core import rules
    from dedupe.models import DuplicateRule

    def _rule(matching_rule=None, **actions):
        rule = rules.rule_create(
            kind=services.DUPLICATE, name=f"Duplicates {DuplicateRule.objects.count()}", acting_user=system_admin
        )
        services.duplicate_entry_create(
            rule=rule, data={"matching_rule": matching_rule or email_rule, **actions}, acting_user=system_admin
        )
        return rules.rule_activate(kind=services.DUPLICATE, rule=rule, acting_user=system_admin)

    return _rule


# Web-to-Lead's settings, form and default creator, for the attach tests.
from tests.webtolead.conftest import creator, lead_metadata, w2l_settings, web_form  # noqa: E402, F401
