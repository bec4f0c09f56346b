"""Admin-typed help text is shown as text on every record form (crispy prints help text as HTML)."""

import pytest
from django.urls import reverse

from core.models import FieldDefinition
from core.services import custom_field_create

pytestmark = pytest.mark.django_db
PAYLOAD = '<img src=x onerror="alert(1)">'


@pytest.mark.parametrize(("object_name", "url_name"), [("lead", "leads:create"), ("account", "sales:account_create")])
def test_standard_and_custom_help_text_is_escaped_on_create_forms(client, marketing_admin, object_name, url_name):
    FieldDefinition.objects.filter(object_name=object_name, is_custom=False, api_name="description").update(
        help_text=PAYLOAD
    )
    custom_field_create(
        object_name=object_name, label="Tier", field_type="text", help_text=PAYLOAD, acting_user=marketing_admin
    )
    client.force_login(marketing_admin)

    body = client.get(reverse(url_name)).content.decode()

    assert PAYLOAD not in body
    assert body.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") >= 2
