"""Expected refusals are one log line each; only server errors keep their traceback."""

import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import include, path

pytestmark = pytest.mark.django_db


def _refused_view(request):
    raise PermissionDenied("no")


def _broken_view(request):
    raise RuntimeError("boom")


# The error pages render the app layout, which names the app's own URLs.
urlpatterns = [path("refused/", _refused_view), path("broken/", _broken_view), path("", include("leadcrm.urls"))]


def _request_records(caplog):
    return [r for r in caplog.records if r.name == "django.request"]


def test_a_missing_page_is_one_warning_line(client, rep, caplog):
    client.force_login(rep)

    with caplog.at_level(logging.INFO, logger="django.request"):
        response = client.get("/leads/987654321/")

    assert response.status_code == 404
    [record] = _request_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "Not Found: /leads/987654321/"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_a_refused_page_is_one_line_and_a_broken_page_keeps_its_traceback(settings, caplog):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)

    with caplog.at_level(logging.INFO, logger="django.request"):
        refused = client.get("/refused/")
    [record] = _request_records(caplog)
    assert refused.status_code == 403
    assert record.exc_info is None
    caplog.clear()

    with caplog.at_level(logging.INFO, logger="django.request"):
        broken = client.get("/broken/")
    [record] = _request_records(caplog)
    assert broken.status_code == 500
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert "RuntimeError: boom" in caplog.text


def test_api_refusals_are_one_line_each(api, rep, settings, caplog):
    settings.LOGIN_THROTTLE_ACCOUNT_LIMIT = 1
    with caplog.at_level(logging.INFO, logger="django.request"):
        unauthorized = api.get("/api/leads/")
        api.post("/api/auth/token/", {"username": "rep", "password": "wrong"}, format="json")
        throttled = api.post("/api/auth/token/", {"username": "rep", "password": "wrong"}, format="json")
        missing = api.as_user(rep).get("/api/leads/987654321/")

    assert [unauthorized.status_code, throttled.status_code, missing.status_code] == [401, 429, 404]
    records = _request_records(caplog)
    assert [r.status_code for r in records] == [401, 400, 429, 404]
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in records)
    assert "Traceback" not in caplog.text
