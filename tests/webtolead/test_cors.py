"""Scripts on the customer's websites (the allowed return domains) may post to the endpoint and
read its answer; other origins get no CORS permission."""

import json

import pytest

from webtolead.models import Intake

pytestmark = pytest.mark.django_db

URL = "/web-to-lead/"


def _preflight(client, origin):
    return client.options(
        URL,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )


@pytest.mark.parametrize("origin", ["https://www.example.com", "https://shop.example.org", "http://example.org:8080"])
def test_a_preflight_from_an_allowed_origin_is_answered_with_that_origin(client, web_form, origin):
    response = _preflight(client, origin)

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == origin
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Content-Type" in response["Access-Control-Allow-Headers"]
    assert response["Vary"] == "Origin, Accept-Language"  # the error page speaks the browser's language
    assert not Intake.objects.exists()


@pytest.mark.parametrize("origin", ["https://evil.example.net", "https://www.example.com.evil.net", "null"])
def test_a_preflight_from_another_origin_gets_no_permission(client, web_form, origin):
    response = _preflight(client, origin)

    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response


def test_a_json_post_from_an_allowed_origin_is_readable_and_answers_200_with_the_reference(
    client, web_form, fields_for
):
    response = client.post(
        URL, json.dumps(fields_for(web_form)), content_type="application/json", HTTP_ORIGIN="https://www.example.com"
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://www.example.com"
    assert response.json() == {"status": "accepted", "reference": Intake.objects.get().public_ref}


def test_an_answer_to_another_origin_carries_no_permission_but_the_submission_is_kept(client, web_form, fields_for):
    response = client.post(
        URL, fields_for(web_form), HTTP_ORIGIN="https://evil.example.net", HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    assert response["Vary"] == "Origin, Accept-Language"  # the error page speaks the browser's language
    assert Intake.objects.count() == 1


def test_a_refused_submission_from_an_allowed_origin_is_readable_too(client, web_form, fields_for):
    response = client.post(
        URL,
        json.dumps(fields_for(web_form, company="")),
        content_type="application/json",
        HTTP_ORIGIN="https://www.example.com",
    )

    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == "https://www.example.com"
    assert response.json() == {"company": ["This field is required."]}


def test_a_script_posting_text_plain_to_avoid_a_preflight_is_read_as_json(client, web_form, fields_for):
    response = client.post(
        URL,
        json.dumps(fields_for(web_form, last_name="Plain")),
        content_type="text/plain;charset=UTF-8",
        HTTP_ORIGIN="https://www.example.com",
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 200
    assert Intake.objects.get().lead.last_name == "Plain"
