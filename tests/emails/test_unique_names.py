"""Folder, template and auto-response rule names are unique regardless of case, held by the
database: a duplicate that slips past the friendly check (a concurrent request) is the same field
error."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from emails.services import (
    autoresponse_rule_create,
    autoresponse_rule_update,
    email_folder_create,
    email_folder_update,
    email_template_create,
    email_template_update,
)

pytestmark = pytest.mark.django_db


def _template(name, user):
    return email_template_create(data={"name": name, "subject": "Hi", "body_text": "Hello."}, acting_user=user)


@pytest.fixture
def check_passed(monkeypatch):
    """The friendly exists() check passed before the other request committed."""
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)


def test_names_differing_in_case_are_refused(marketing_admin):
    email_folder_create(name="Events", acting_user=marketing_admin)
    _template("Welcome", marketing_admin)

    with pytest.raises(ValidationError) as folder:
        email_folder_create(name="EVENTS", acting_user=marketing_admin)
    with pytest.raises(ValidationError) as template:
        _template("welcome", marketing_admin)

    assert "already exists" in folder.value.message_dict["name"][0]
    assert "already exists" in template.value.message_dict["name"][0]


def test_concurrent_folder_create_is_a_field_error(marketing_admin, check_passed):
    email_folder_create(name="Events", acting_user=marketing_admin)

    with pytest.raises(ValidationError) as excinfo:
        email_folder_create(name="events", acting_user=marketing_admin)

    assert "already exists" in excinfo.value.message_dict["name"][0]


def test_concurrent_folder_rename_is_a_field_error(marketing_admin, check_passed):
    email_folder_create(name="Events", acting_user=marketing_admin)
    other = email_folder_create(name="Webinars", acting_user=marketing_admin)

    with pytest.raises(ValidationError) as excinfo:
        email_folder_update(folder=other, name="EVENTS", acting_user=marketing_admin)

    assert "already exists" in excinfo.value.message_dict["name"][0]


def test_concurrent_template_create_is_a_field_error(marketing_admin, check_passed):
    _template("Welcome", marketing_admin)

    with pytest.raises(ValidationError) as excinfo:
        _template("WELCOME", marketing_admin)

    assert "already exists" in excinfo.value.message_dict["name"][0]


def test_concurrent_template_rename_is_a_field_error(marketing_admin, check_passed):
    _template("Welcome", marketing_admin)
    other = _template("Follow-up", marketing_admin)

    with pytest.raises(ValidationError) as excinfo:
        email_template_update(template=other, data={"name": "welcome"}, acting_user=marketing_admin)

    assert "already exists" in excinfo.value.message_dict["name"][0]


def test_concurrent_autoresponse_rule_create_and_rename_are_field_errors(marketing_admin, check_passed):
    autoresponse_rule_create(name="Main", acting_user=marketing_admin)
    other = autoresponse_rule_create(name="Other", acting_user=marketing_admin)

    with pytest.raises(ValidationError) as created:
        autoresponse_rule_create(name="main", acting_user=marketing_admin)
    with pytest.raises(ValidationError) as renamed:
        autoresponse_rule_update(rule=other, name="MAIN", acting_user=marketing_admin)

    assert "already exists" in created.value.message_dict["name"][0]
    assert "already exists" in renamed.value.message_dict["name"][0]
