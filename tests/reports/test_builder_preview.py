"""The builder's preview: the result of a definition not saved yet (first rows, groups, chart) or
its errors, in the viewer's sharing scope, on the page (htmx) and through the API."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import OrgSettings
from reports.builder import PREVIEW_ROWS
from reports.models import SavedReport
from tests.factories import LeadFactory
from tests.reports.test_builder_views import builder_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_sharing(db):
    OrgSettings.objects.update_or_create(singleton=1, defaults={"lead_access": OrgSettings.LeadAccess.PRIVATE})


@pytest.fixture
def leads(rep, other_rep):
    now = timezone.now()
    LeadFactory(owner_user=rep, lead_source="Website", company="Acme", created_at=now)
    LeadFactory(owner_user=rep, lead_source="Phone Inquiry", company="Globex", created_at=now)
    LeadFactory(owner_user=other_rep, lead_source="Website", company="Hidden Co", created_at=now)


def test_the_preview_shows_the_rows_groups_and_chart_without_saving(client, rep, leads, private_sharing):
    client.force_login(rep)
    response = client.post(reverse("reports:builder_preview"), builder_post(name=""), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="report-groups"' in body
    assert "Acme" in body
    assert "Globex" not in body  # the criteria keep Website leads only
    assert "Hidden Co" not in body  # another rep's lead, with Private sharing
    assert 'data-chart="' in body
    assert SavedReport.objects.count() == 0


def test_the_preview_shows_each_error_with_its_field(client, rep):
    client.force_login(rep)
    data = builder_post(columns=[], group_1="", group_2="", period_2="", function_1="sum", summary_field_1="")
    body = client.post(reverse("reports:builder_preview"), data, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="preview-errors"' in body
    assert "Choose columns or a grouping." in body
    assert "A summary is a sum, average, minimum or maximum of a standard number field." in body


def test_the_preview_needs_a_post_and_a_login(client, rep):
    assert client.post(reverse("reports:builder_preview"), builder_post()).status_code == 302
    client.force_login(rep)
    assert client.get(reverse("reports:builder_preview")).status_code == 405


def test_the_preview_api_runs_an_unsaved_definition_in_the_callers_scope(api, rep, leads, private_sharing):
    client = api.as_user(rep)
    definition = {"object_name": "lead", "columns": ["company"], "groupings": [{"field": "lead_source"}]}
    response = client.post(reverse("api-report-preview"), definition, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["total"] == 2
    assert {g["labels"][0]: g["count"] for g in data["groups"]} == {"Website": 1, "Phone Inquiry": 1}
    website = next(g for g in data["groups"] if g["labels"][0] == "Website")
    assert website["filters"] == [["lead_source", "Website"]]
    assert data["chart"]["labels"]
    assert SavedReport.objects.count() == 0


def test_the_preview_api_answers_400_with_field_errors(api, rep):
    client = api.as_user(rep)
    url = reverse("api-report-preview")
    bad = client.post(url, {"object_name": "lead", "columns": ["nope"]}, format="json")
    assert bad.status_code == 400
    assert "columns" in bad.json()
    assert client.post(url, {"object_name": "planet"}, format="json").json() == {
        "object_name": ["Choose an object to report on."]
    }
    assert client.post(url, json.dumps([1]), content_type="application/json").status_code == 400


def test_the_preview_api_returns_only_the_first_rows(api, rep):
    LeadFactory.create_batch(PREVIEW_ROWS + 2, owner_user=rep)
    data = (
        api.as_user(rep)
        .post(reverse("api-report-preview"), {"object_name": "lead", "columns": ["company"]}, format="json")
        .json()
    )
    assert len(data["rows"]) == PREVIEW_ROWS
    assert data["truncated"] is True
    assert data["total"] == PREVIEW_ROWS + 2
