"""Form names are unique whatever their case, held by the database as well as the friendly check."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from webtolead.models import WebToLeadForm
from webtolead.services import setup, webtolead_form_create

pytestmark = pytest.mark.django_db


def test_the_database_refuses_a_second_form_whose_name_differs_only_in_case(web_form):
    now = timezone.now()

    with pytest.raises(IntegrityError), transaction.atomic():
        WebToLeadForm.objects.create(name="CONTACT US", public_key="another-key", created_at=now, updated_at=now)


def test_the_friendly_check_names_the_field(web_form, marketing_admin):
    with pytest.raises(ValidationError) as exc:
        webtolead_form_create(data={"name": "contact US"}, acting_user=marketing_admin)

    assert "already exists" in exc.value.message_dict["name"][0]


def test_a_create_that_slips_past_the_friendly_check_gets_the_same_field_error(web_form, marketing_admin, monkeypatch):
    # given a concurrent create: the exists() check ran before the other form was saved
    real = setup._apply_form_data

    def check_passes(form, data):
        real(form, {**data, "name": "A name nobody uses"})
        form.name = data["name"]

    monkeypatch.setattr(setup, "_apply_form_data", check_passes)

    with pytest.raises(ValidationError) as exc:
        webtolead_form_create(data={"name": "Contact Us"}, acting_user=marketing_admin)

    assert exc.value.message_dict == {"name": ["A form with this name already exists."]}
    assert WebToLeadForm.objects.count() == 1
