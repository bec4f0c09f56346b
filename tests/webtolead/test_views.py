import json

import pytest
from django.urls import reverse

from emails.models import OutboundEmail
from emails.selectors import autoresponse_settings
from emails.services import autoresponse_settings_update, email_template_create
from leads.models import Lead
from leads.routing.services import EntryInput, entry_save, rule_activate, rule_create
from tests.factories import QueueFactory
from webtolead.models import Intake, WebToLeadForm, WebToLeadSettings
from webtolead.services import webtolead_form_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def thanks_template(marketing_admin):
    return email_template_create(
        data={"name": "Web thanks", "subject": "Thanks {{Lead.FirstName}}", "body_text": "We got it."},
        acting_user=marketing_admin,
    )


def test_admin_builds_a_form_with_chosen_fields_labels_and_required(client, w2l_settings, marketing_admin):
    client.force_login(marketing_admin)

    response = client.post(
        reverse("webtolead:form_create"),
        {
            "name": "Demo request",
            "lead_source": "Webinar",
            "campaign": "Autumn",
            "return_url": "https://www.example.com/thanks",
            "submit_label": "Request a demo",
            "run_assignment": "on",
            "send_autoresponse": "on",
            "is_active": "on",
            "include_email": "1",
            "label_email": "Business email",
            "required_email": "1",
            "include_phone": "1",
            "label_phone": "",
            "order": ["email", "last_name", "company", "phone", "first_name"],
        },
    )

    form = WebToLeadForm.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("webtolead:form_detail", args=[form.pk])
    assert form.fields == [
        {"name": "email", "label": "Business email", "required": True},
        {"name": "last_name", "label": "Last Name", "required": True},
        {"name": "company", "label": "Company", "required": True},
        {"name": "phone", "label": "Phone", "required": False},
    ]
    assert (form.lead_source, form.campaign, form.submit_label) == ("Webinar", "Autumn", "Request a demo")
    assert form.run_assignment is True
    assert form.send_autoresponse is True


def test_builder_refuses_a_return_url_outside_the_allowed_domains(client, w2l_settings, marketing_admin):
    client.force_login(marketing_admin)

    response = client.post(
        reverse("webtolead:form_create"),
        {"name": "Bad", "return_url": "https://evil.example.net/", "submit_label": "Go", "is_active": "on"},
    )

    assert response.status_code == 200
    assert "not on the allowed return domains" in response.content.decode()
    assert WebToLeadForm.objects.count() == 0


def test_form_page_shows_the_html_to_paste_with_a_copy_button_and_a_preview(client, web_form, marketing_admin):
    client.force_login(marketing_admin)

    body = client.get(reverse("webtolead:form_detail", args=[web_form.pk])).content.decode()

    assert '<textarea id="generated-html"' in body
    assert 'data-copy-target="#generated-html"' in body
    assert f'src="{reverse("webtolead:form_preview", args=[web_form.pk])}"' in body
    # the HTML is shown as text inside the textarea
    assert "&lt;form action=&quot;http://testserver/web-to-lead/&quot;" in body
    assert "name=&quot;oid&quot; value=&quot;" + web_form.public_key in body


def test_generated_html_carries_salesforce_names_honeypot_token_and_key(client, web_form, marketing_admin):
    client.force_login(marketing_admin)

    response = client.get(reverse("webtolead:form_preview", args=[web_form.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    for name in ("oid", "first_name", "last_name", "email", "company", "description", "w2l_website2"):
        assert f'name="{name}"' in body
    assert '<label for="email">Work email *</label>' in body
    assert 'name="w2l_ts" value=""' not in body
    assert 'name="w2l_key" value=""' not in body
    assert 'name="Campaign_ID" value="Spring launch"' in body


def test_preview_submission_creates_a_lead(client, web_form, marketing_admin, fields_for):
    from html.parser import HTMLParser

    client.force_login(marketing_admin)
    body = client.get(reverse("webtolead:form_preview", args=[web_form.pk])).content.decode()
    hidden = {}

    class Hidden(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "input" and attrs.get("type") == "hidden":
                hidden[attrs["name"]] = attrs.get("value", "")

    Hidden().feed(body)
    WebToLeadSettings.objects.update(min_fill_seconds=0)

    response = client.post("/web-to-lead/", {**hidden, "last_name": "Preview", "company": "P", "email": "p@x.example"})

    assert response.status_code == 303
    assert Lead.objects.get().last_name == "Preview"
    assert Intake.objects.get().submission_key == hidden["w2l_key"]


def test_settings_page_saves_settings_and_the_default_response_template(
    client, w2l_settings, marketing_admin, creator, thanks_template
):
    client.force_login(marketing_admin)

    response = client.post(
        reverse("webtolead:settings"),
        {
            "enabled": "on",
            "default_creator": creator.pk,
            "default_template": thanks_template.pk,
            "daily_limit": "250",
            "allowed_return_domains": "https://www.acme.example/\n.acme.example",
            "honeypot_enabled": "on",
            "min_fill_seconds": "5",
            "rate_limit_per_minute": "20",
        },
    )

    assert response.status_code == 302
    row = WebToLeadSettings.objects.get()
    assert (row.daily_limit, row.min_fill_seconds, row.rate_limit_per_minute) == (250, 5, 20)
    assert row.return_domains == ["www.acme.example", ".acme.example"]
    assert autoresponse_settings().default_template == thanks_template


def test_settings_page_requires_a_creator_when_enabled(client, w2l_settings, marketing_admin):
    client.force_login(marketing_admin)

    response = client.post(
        reverse("webtolead:settings"),
        {"enabled": "on", "daily_limit": "500", "min_fill_seconds": "3", "rate_limit_per_minute": "10"},
    )

    assert response.status_code == 200
    assert "Choose the user who creates web leads" in response.content.decode()
    assert WebToLeadSettings.objects.get().default_creator is not None


@pytest.mark.parametrize("name", ["form_list", "settings", "form_create", "intake_list"])
def test_setup_pages_are_for_admins_only(client, w2l_settings, rep, name):
    client.force_login(rep)

    assert client.get(reverse(f"webtolead:{name}")).status_code == 403


def test_intake_list_counts_per_form_and_day_without_n_plus_one(
    client, web_form, fields_for, marketing_admin, django_assert_max_num_queries
):
    for n in range(6):
        client.post("/web-to-lead/", fields_for(web_form, last_name=f"N{n}", w2l_website2="x" if n == 5 else ""))
    client.post("/web-to-lead/", fields_for(web_form, email="bad"))
    client.force_login(marketing_admin)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("webtolead:intake_list"))

    counters = response.context["counters"]
    assert len(counters) == 1
    day = counters[0]
    assert (day.form_name, day.total, day.created, day.spam, day.rejected) == ("Contact us", 7, 5, 1, 1)
    assert len(response.context["page"].object_list) == 7
    spam_only = client.get(reverse("webtolead:intake_list"), {"outcome": "spam"})
    assert [i.payload["last_name"] for i in spam_only.context["page"].object_list] == ["N5"]


def test_autoresponse_runs_for_web_leads_and_can_be_turned_off_per_form(
    client, web_form, fields_for, marketing_admin, thanks_template
):
    autoresponse_settings_update(default_template=thanks_template, acting_user=marketing_admin)

    client.post("/web-to-lead/", fields_for(web_form, last_name="One"))
    webtolead_form_update(form=web_form, data={"send_autoresponse": False}, acting_user=marketing_admin)
    client.post("/web-to-lead/", fields_for(web_form, last_name="Two"))

    emails = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.AUTO_RESPONSE)
    assert [e.record_id for e in emails] == [Lead.objects.get(last_name="One").pk]
    assert emails.get().subject == "Thanks Ada"
    assert emails.get().status in {OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENT}


def test_the_active_assignment_rule_picks_the_owner_else_the_creator_keeps_it(
    client, web_form, fields_for, marketing_admin, creator
):
    queue = QueueFactory(name="EMEA web")
    rule = rule_create(name="Web routing", acting_user=marketing_admin)
    entry_save(
        rule=rule,
        data=EntryInput(
            criteria=[{"field": "country", "operator": "equals", "value": "Germany"}],
            assign_to="queue",
            assign_queue=queue,
        ),
        acting_user=marketing_admin,
    )

    client.post("/web-to-lead/", fields_for(web_form, last_name="NoRule", country="Germany"))
    rule_activate(rule=rule, acting_user=marketing_admin)
    client.post("/web-to-lead/", fields_for(web_form, last_name="Routed", country="Germany"))
    webtolead_form_update(form=web_form, data={"run_assignment": False}, acting_user=marketing_admin)
    client.post("/web-to-lead/", fields_for(web_form, last_name="Skipped", country="Germany"))

    assert Lead.objects.get(last_name="NoRule").owner_user == creator
    assert Lead.objects.get(last_name="Routed").owner_queue == queue
    assert Lead.objects.get(last_name="Skipped").owner_user == creator


def test_json_reference_is_shown_on_the_thank_you_page(client, web_form, fields_for):
    response = client.post("/web-to-lead/", json.dumps(fields_for(web_form)), content_type="application/json")
    ref = response.json()["reference"]

    page = client.get(reverse("webtolead:thanks"), {"ref": ref})

    assert ref in page.content.decode()


@pytest.mark.parametrize("name", ["form_list", "settings", "form_create", "intake_list"])
def test_setup_pages_open_for_an_admin(client, web_form, marketing_admin, name):
    client.force_login(marketing_admin)

    response = client.get(reverse(f"webtolead:{name}"))

    assert response.status_code == 200
    assert "Web-to-Lead" in response.content.decode()


def test_form_edit_and_intake_detail_open_for_an_admin(client, web_form, fields_for, marketing_admin):
    client.post("/web-to-lead/", fields_for(web_form))
    client.force_login(marketing_admin)

    edit = client.get(reverse("webtolead:form_edit", args=[web_form.pk]))
    detail = client.get(reverse("webtolead:intake_detail", args=[Intake.objects.get().pk]))

    assert edit.status_code == 200
    assert 'value="Work email"' in edit.content.decode()
    assert detail.status_code == 200
    assert "Lead created" in detail.content.decode()


def test_a_default_lead_source_of_a_form_cannot_be_deleted(web_form, marketing_admin):
    from core.models import PicklistValue
    from core.services import picklist_value_usages

    value = PicklistValue.objects.get(object_name="lead", field_name="lead_source", api_name="Website")

    assert "Web-to-Lead form “Contact us” uses it as its default lead source." in picklist_value_usages(value)
