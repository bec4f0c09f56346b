import json
import time
from urllib.parse import urlencode

import pytest
from django.test.utils import override_script_prefix
from django.urls import reverse

from core.services import custom_field_create
from emails.models import OutboundEmail
from leads.models import Lead
from webtolead.models import Intake
from webtolead.spam import fill_token

pytestmark = pytest.mark.django_db

URL = "/web-to-lead/"


def test_urlencoded_submission_creates_the_lead_and_redirects_to_the_thank_you_page(
    client, web_form, fields_for, creator
):
    response = client.post(
        URL,
        fields_for(
            web_form,
            URL="www.analytical.example",
            zip="EC1A 1BB",
            revenue="1200000.50",
            employees="42",
            emailOptOut="1",
            industry="Technology",
        ),
        HTTP_USER_AGENT="Visitor/1.0",
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.status_code == 303
    intake = Intake.objects.get()
    assert response["Location"] == f"{reverse('webtolead:thanks')}?ref={intake.public_ref}"
    lead = Lead.objects.get()
    assert (lead.first_name, lead.last_name, lead.company, lead.email) == (
        "Ada",
        "Lovelace",
        "Analytical Engines",
        "ada@example.net",
    )
    assert (lead.website, lead.postal_code, str(lead.annual_revenue), lead.number_of_employees) == (
        "www.analytical.example",
        "EC1A 1BB",
        "1200000.50",
        42,
    )
    assert lead.email_opt_out is True
    assert lead.lead_source == "Website"
    assert lead.status == "New"
    assert lead.created_by == creator
    assert intake.outcome == Intake.Outcome.CREATED
    assert intake.lead == lead
    assert intake.source_address == "203.0.113.9"
    assert intake.user_agent == "Visitor/1.0"
    assert intake.payload["first_name"] == "Ada"
    assert intake.campaign == ""


def test_json_submission_answers_200_with_the_public_reference_not_the_id(client, web_form, fields_for):
    response = client.post(URL, json.dumps(fields_for(web_form, emailOptOut=True)), content_type="application/json")

    assert response.status_code == 200
    intake = Intake.objects.get()
    assert response.json() == {"status": "accepted", "reference": intake.public_ref}
    assert str(intake.lead_id) != intake.public_ref
    assert len(intake.public_ref) >= 16
    assert Lead.objects.get().email_opt_out is True


def test_posted_lead_source_wins_over_the_form_default(client, web_form, fields_for):
    client.post(URL, fields_for(web_form, lead_source="Trade Show"))

    assert Lead.objects.get().lead_source == "Trade Show"


@pytest.mark.parametrize(
    ("ret_url", "allowed"),
    [
        ("https://www.example.com/thanks", True),
        ("http://shop.example.org/done?x=1", True),
        ("https://example.org/", True),
        ("https://evil.example.net/", False),
        ("https://www.example.com.evil.net/", False),
        ("//evil.net/", False),
        ("javascript:alert(1)", False),
        ("https://user@www.example.com/", False),
        ("https:\\\\evil.net", False),
        ("/relative/path", False),
    ],
)
def test_return_url_is_followed_only_to_an_allowed_domain(client, web_form, fields_for, ret_url, allowed):
    response = client.post(URL, fields_for(web_form, retURL=ret_url))

    assert response.status_code == 303
    if allowed:
        assert response["Location"] == ret_url
    else:
        assert response["Location"].startswith(reverse("webtolead:thanks"))
    assert Lead.objects.count() == 1


def test_missing_required_invalid_email_and_too_long_are_listed_on_an_error_page_an_unknown_optional_picklist_not(
    client, web_form, fields_for
):
    response = client.post(
        URL,
        fields_for(web_form, last_name="", email="not-an-email", rating="Lukewarm", first_name="A" * 41),
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Please check your details" in body
    assert "Last name" in body
    assert "This field is required." in body
    assert "Work email" in body
    assert "Enter a valid email address." in body
    assert "Lukewarm" not in body  # an optional field's unknown picklist value refuses nothing
    assert "at most 40 characters" in body
    assert Lead.objects.count() == 0
    intake = Intake.objects.get()
    assert intake.outcome == Intake.Outcome.REJECTED
    assert set(intake.errors) == {"last_name", "email", "first_name"}
    assert intake.unused_values == {"rating": "Lukewarm"}
    assert "last_name" in intake.reason


def test_json_errors_answer_400_with_salesforce_field_names(client, web_form, fields_for):
    response = client.post(
        URL,
        json.dumps(fields_for(web_form, zip="1" * 21, URL="not a url", employees="many", company="")),
        content_type="application/json",
    )

    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"zip", "URL", "employees", "company"}
    assert errors["company"] == ["This field is required."]
    assert Lead.objects.count() == 0


def test_a_failure_while_creating_the_lead_leaves_nothing_half_written(client, web_form, fields_for, marketing_admin):
    # given a required custom field the form does not carry: lead_create itself refuses
    custom_field_create(
        object_name="lead", label="Budget", field_type="currency", is_required=True, acting_user=marketing_admin
    )

    response = client.post(URL, json.dumps(fields_for(web_form)), content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"Budget__c": ["This field is required."]}
    assert Lead.objects.count() == 0
    assert OutboundEmail.objects.count() == 0
    from core.models import FieldHistory

    assert FieldHistory.objects.filter(object_name="lead").count() == 0
    intake = Intake.objects.get()
    assert intake.outcome == Intake.Outcome.REJECTED
    assert intake.lead is None
    assert intake.claimed_key is None


def test_malformed_json_is_kept_and_refused(client, web_form):
    response = client.post(URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["The request body is not valid JSON."]}
    intake = Intake.objects.get()
    assert intake.outcome == Intake.Outcome.REJECTED
    assert intake.payload == {"_raw": "{not json"}


def test_unknown_form_key_is_refused_and_logged(client, w2l_settings, fields_for, web_form):
    response = client.post(URL, json.dumps(fields_for(web_form, oid="no-such-form")), content_type="application/json")

    assert response.status_code == 400
    assert "oid" in response.json()
    intake = Intake.objects.get()
    assert intake.form is None
    assert intake.form_key == "no-such-form"
    assert intake.outcome == Intake.Outcome.REJECTED
    assert Lead.objects.count() == 0


def test_unknown_form_key_shows_an_error_page_to_a_visitor(client, w2l_settings):
    response = client.post(URL, {"oid": "nope", "last_name": "X", "company": "Y"})

    assert response.status_code == 400
    assert "does not exist or no longer accepts submissions" in response.content.decode()


def test_disabled_web_to_lead_refuses_but_keeps_the_submission(client, web_form, fields_for, marketing_admin):
    from webtolead.services import webtolead_settings_update

    webtolead_settings_update(data={"enabled": False}, acting_user=marketing_admin)

    response = client.post(URL, fields_for(web_form))

    assert response.status_code == 403
    assert "not accepting submissions" in response.content.decode()
    assert Lead.objects.count() == 0
    assert Intake.objects.get().outcome == Intake.Outcome.REJECTED


def test_inactive_form_refuses(client, web_form, fields_for, marketing_admin):
    from webtolead.services import webtolead_form_update

    webtolead_form_update(form=web_form, data={"is_active": False}, acting_user=marketing_admin)

    response = client.post(URL, json.dumps(fields_for(web_form)), content_type="application/json")

    assert response.status_code == 400
    assert Lead.objects.count() == 0


def test_only_post_is_accepted(client, web_form):
    assert client.get(URL).status_code == 405


def test_form_key_may_come_from_the_action_url(client, web_form, fields_for):
    data = fields_for(web_form)
    data.pop("oid")

    response = client.post(f"{URL}?form={web_form.public_key}&encoding=UTF-8", data)

    assert response.status_code == 303
    assert Lead.objects.count() == 1


def test_campaign_is_kept_on_the_intake_and_in_the_lead_history(client, web_form, fields_for):
    client.post(URL, fields_for(web_form, Campaign_ID="701000000000001", member_status="Responded"))

    intake = Intake.objects.get()
    assert intake.campaign == "701000000000001"
    from core.models import FieldHistory

    note = FieldHistory.objects.get(object_name="lead", record_id=intake.lead_id, field_name="created").note
    assert "701000000000001" in note


def test_custom_fields_are_accepted_by_api_name(client, web_form, fields_for, marketing_admin):
    custom_field_create(
        object_name="lead", label="Budget", field_type="currency", is_required=False, acting_user=marketing_admin
    )

    response = client.post(URL, json.dumps(fields_for(web_form, Budget__c="2500")), content_type="application/json")

    assert response.status_code == 200
    assert Lead.objects.get().custom_fields["Budget__c"] == 2500


def test_csrf_is_not_required_on_the_public_endpoint_only(web_form, fields_for, marketing_admin):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)

    assert strict.post(URL, fields_for(web_form)).status_code == 303
    strict.force_login(marketing_admin)
    assert strict.post(reverse("webtolead:settings"), {}).status_code == 403


def test_token_endpoint_gives_a_fresh_token_readable_cross_origin(client, web_form):
    response = client.get(reverse("webtolead:token"), {"oid": web_form.public_key})

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert set(response.json()) == {"w2l_ts", "w2l_key"}
    assert client.get(reverse("webtolead:token"), {"oid": "nope"}).status_code == 404


def test_fill_token_must_be_old_enough(client, web_form, fields_for):
    fresh = fill_token(web_form.public_key, at=time.time())

    response = client.post(URL, fields_for(web_form, w2l_ts=fresh))

    assert response.status_code == 303
    assert Lead.objects.count() == 0
    intake = Intake.objects.get()
    assert intake.outcome == Intake.Outcome.SPAM
    assert "after the form was shown" in intake.reason


FORM_ENCODED = "application/x-www-form-urlencoded"


def test_a_form_encoded_post_as_browsers_send_it_makes_the_lead(client, web_form, fields_for):
    body = urlencode(fields_for(web_form, interest=["Demo", "Pricing"], description="Line 1\nLine 2 & more"), True)

    response = client.post(URL, body, content_type=FORM_ENCODED)

    assert response.status_code == 303
    intake = Intake.objects.get()
    assert intake.payload["interest"] == ["Demo", "Pricing"]  # a repeated name keeps every value
    assert intake.payload["last_name"] == "Lovelace"
    lead = Lead.objects.get()
    assert (lead.last_name, lead.description) == ("Lovelace", "Line 1\nLine 2 & more")


def test_form_encoded_bytes_follow_the_posted_charset_or_fall_back_to_latin_1(client, web_form, fields_for):
    base = urlencode(fields_for(web_form, last_name=None, company="Zürich AG"))
    posted = client.post(URL, f"{base}&last_name=M%FCller", content_type=f"{FORM_ENCODED}; charset=iso-8859-1")
    raw = client.post(URL, f"{base}&last_name=Öberg".encode("latin-1"), content_type=FORM_ENCODED)

    assert (posted.status_code, raw.status_code) == (303, 303)
    assert sorted(Lead.objects.values_list("last_name", flat=True)) == ["Müller", "Öberg"]


def test_too_many_form_fields_are_refused_with_a_clear_page_and_kept(client, web_form, fields_for, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = urlencode({**fields_for(web_form), **{f"extra{n}": "x" for n in range(20)}})

    response = client.post(URL, body, content_type=FORM_ENCODED)

    assert response.status_code == 400
    assert "too many fields" in response.content.decode()
    intake = Intake.objects.get()
    assert intake.outcome == Intake.Outcome.REJECTED
    assert "extra19=x" in intake.payload["_raw"]
    assert not Lead.objects.exists()


@pytest.mark.parametrize("as_json", [False, True])
def test_no_answer_to_a_submission_may_be_stored_by_a_cache(client, web_form, fields_for, as_json):
    good, bad = fields_for(web_form), fields_for(web_form, email="not-an-email")
    if as_json:
        answers = [client.post(URL, json.dumps(d), content_type="application/json") for d in (good, bad)]
    else:
        answers = [client.post(URL, urlencode(d), content_type=FORM_ENCODED) for d in (good, bad)]

    assert [a.status_code for a in answers] == ([200, 400] if as_json else [303, 400])
    for answer in answers:
        assert "no-store" in answer["Cache-Control"]
        assert "private" in answer["Cache-Control"]


def test_the_thank_you_page_follows_the_script_prefix_of_each_request(client, web_form, fields_for):
    with override_script_prefix("/crm/"):  # as served under /crm by the WSGI server
        under_prefix = client.post(URL, fields_for(web_form))
    at_root = client.post(URL, fields_for(web_form, last_name="Root"))

    assert under_prefix["Location"].startswith("/crm/web-to-lead/thanks/?ref=")
    assert at_root["Location"].startswith("/web-to-lead/thanks/?ref=")
