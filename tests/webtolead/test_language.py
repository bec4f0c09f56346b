"""A Web-to-Lead form's language: its visitor pages (thank-you, errors) are shown in it, whatever
the visitor's browser says; a form without one follows the browser."""

import pytest

from webtolead.models import WebToLeadForm
from webtolead.services import webtolead_form_update

pytestmark = pytest.mark.django_db


def test_the_setup_page_and_the_service_keep_the_forms_language(web_form, marketing_admin):
    webtolead_form_update(form=web_form, data={"language": "fr"}, acting_user=marketing_admin)

    assert WebToLeadForm.objects.get(pk=web_form.pk).language == "fr"


def test_an_unknown_language_is_refused(web_form, marketing_admin):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        webtolead_form_update(form=web_form, data={"language": "xx"}, acting_user=marketing_admin)

    assert "language" in error.value.message_dict


def test_the_thank_you_page_follows_the_forms_language(client, web_form, fields_for, marketing_admin):
    webtolead_form_update(form=web_form, data={"language": "es"}, acting_user=marketing_admin)

    response = client.post("/web-to-lead/", fields_for(web_form), HTTP_ACCEPT_LANGUAGE="fr")
    thanks = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 303
    assert "lang=es" in response["Location"]
    assert thanks["Content-Language"] == "es"


def test_the_error_page_follows_the_forms_language(client, web_form, fields_for, marketing_admin):
    webtolead_form_update(form=web_form, data={"language": "fr"}, acting_user=marketing_admin)

    response = client.post("/web-to-lead/", fields_for(web_form, email="not-an-email"), HTTP_ACCEPT_LANGUAGE="es")

    assert response.status_code == 400
    assert response["Content-Language"] == "fr"


def test_a_form_without_a_language_follows_the_browser(client, web_form, fields_for):
    response = client.post("/web-to-lead/", fields_for(web_form), HTTP_ACCEPT_LANGUAGE="fr")

    assert "lang=" not in response["Location"]
    assert client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr")["Content-Language"] == "fr"
