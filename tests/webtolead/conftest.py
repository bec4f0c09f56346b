"""Fixtures of the Web-to-Lead tests: settings with a default lead creator, a form, a poster."""

import time

import pytest

from tests.factories import UserFactory
from tests.seeding import seed_fields
from webtolead.fields import SUBMISSION_KEY_FIELD, TIMESTAMP_FIELD
from webtolead.services import webtolead_form_create, webtolead_settings_update
from webtolead.spam import fill_token


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Users are created in every test; a fast hasher keeps the set-up cheap.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _process_stored_rows_at_once(monkeypatch):
    """The endpoint hands each stored row to a worker on commit, and these tests run in a
    transaction that never commits. While tasks run eagerly (tests/conftest.py), the row is
    processed at once instead, as an eager worker would right after the commit; a test that turns
    eager mode off gets the real hand-over on commit."""
    from leadcrm.celery import app as celery_app
    from webtolead.services import receiving

    hand_over_on_commit = receiving._process_soon

    def process_soon(intake_pk: int) -> None:
        if celery_app.conf.task_always_eager:
            receiving._process_here(intake_pk)
        else:
            hand_over_on_commit(intake_pk)

    monkeypatch.setattr(receiving, "_process_soon", process_soon)


@pytest.fixture
def creator(db):
    return UserFactory(
        role="Sales rep", username="webcreator", first_name="Web", last_name="Creator", email="web@example.com"
    )


@pytest.fixture
def lead_metadata(db):
    """The lead fields and picklists seeded by migration; a transactional test before this one may
    have flushed them."""

    from core.models import FieldDefinition

    if not FieldDefinition.objects.filter(object_name="lead").exists():
        seed_fields("leads")


@pytest.fixture
def w2l_settings(lead_metadata, marketing_admin, creator):
    return webtolead_settings_update(
        data={
            "enabled": True,
            "default_creator": creator,
            "daily_limit": 500,
            "allowed_return_domains": "www.example.com\n.example.org",
            "honeypot_enabled": True,
            "min_fill_seconds": 3,
            "rate_limit_per_minute": 0,
        },
        acting_user=marketing_admin,
    )


@pytest.fixture
def web_form(w2l_settings, marketing_admin):
    return webtolead_form_create(
        data={
            "name": "Contact us",
            "fields": [
                {"name": "first_name", "label": "First name"},
                {"name": "last_name", "label": "Last name"},
                {"name": "email", "label": "Work email", "required": True},
                {"name": "company", "label": "Company"},
                {"name": "description", "label": "How can we help?"},
            ],
            "lead_source": "Website",
            "campaign": "Spring launch",
            "return_url": "",
        },
        acting_user=marketing_admin,
    )


@pytest.fixture
def fields_for():
    """A valid visitor submission for a form, with a fill-time token old enough to pass."""

    def _fields(form, **overrides):
        data = {
            "oid": form.public_key,
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@example.net",
            "company": "Analytical Engines",
            TIMESTAMP_FIELD: fill_token(form.public_key, at=time.time() - 30),
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    return _fields


@pytest.fixture
def key_field():
    return SUBMISSION_KEY_FIELD
