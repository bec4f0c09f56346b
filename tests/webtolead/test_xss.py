"""Script and HTML typed by a visitor are stored as text and shown escaped everywhere."""

import pytest
from django.urls import reverse

from emails.models import OutboundEmail
from emails.services import autoresponse_settings_update, email_template_create
from leads.models import Lead
from webtolead.models import Intake

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"
MARKUP = '<img src=x onerror="alert(1)"><b>bold</b>'


def test_script_and_markup_are_stored_as_text_and_escaped_on_every_page_and_in_the_email(
    client, web_form, fields_for, marketing_admin
):
    template = email_template_create(
        data={
            "name": "Thanks",
            "subject": "Thanks {{Lead.FirstName}}",
            "body_text": "Hello {{Lead.FirstName}} from {{Lead.Company}}",
            "body_html": "<p>Hello {{Lead.FirstName}} from {{Lead.Company}}</p>",
        },
        acting_user=marketing_admin,
    )
    autoresponse_settings_update(default_template=template, acting_user=marketing_admin)

    client.post(
        "/web-to-lead/",
        fields_for(web_form, first_name=SCRIPT[:40], company=MARKUP, description=SCRIPT + MARKUP),
    )

    lead = Lead.objects.get()
    assert lead.first_name == SCRIPT[:40]
    assert lead.company == MARKUP
    intake = Intake.objects.get()
    client.force_login(marketing_admin)
    pages = [
        reverse("webtolead:intake_list"),
        reverse("webtolead:intake_detail", args=[intake.pk]),
        reverse("leads:detail", args=[lead.pk]),
        reverse("webtolead:form_detail", args=[web_form.pk]),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert "<script>alert(" not in body, url
        assert "<img src=x" not in body, url
    assert "&lt;script&gt;alert(" in client.get(pages[1]).content.decode()
    email = OutboundEmail.objects.get(kind=OutboundEmail.Kind.AUTO_RESPONSE)
    assert "<script>" not in email.body_html
    assert "<img src=x" not in email.body_html
    assert "&lt;img src=x" in email.body_html
