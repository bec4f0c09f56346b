import pytest

from core.models import PicklistValue
from core.services import custom_field_create, picklist_value_set_active

pytestmark = pytest.mark.django_db

URL = "/api/picklists/"


def test_values_are_grouped_by_object_and_field_in_order(api, rep):
    body = api.as_user(rep).get(URL, {"object": "lead"}).json()

    groups = {(g["object"], g["field"]): g for g in body}
    assert {"status", "lead_source", "rating", "industry", "salutation"} <= {f for _, f in groups}
    status = groups[("lead", "status")]
    assert status["field_label"] == "Lead Status"
    assert [v["api_name"] for v in status["values"]] == [
        "New",
        "Working",
        "Marketing Qualified",
        "Nurturing",
        "Unqualified",
        "Qualified",
    ]
    assert status["values"][0] == {
        "id": status["values"][0]["id"],
        "label": "New",
        "display_label": "New",
        "api_name": "New",
        "order": 1,
        "active": True,
        "default": True,
        "is_converted": False,
        "is_closed": False,
        "is_won": False,
        "probability": None,
    }
    assert status["values"][-1]["is_converted"] is True


def test_filter_by_object_and_field(api, rep):
    body = api.as_user(rep).get(URL, {"object": "lead", "field": "rating"}).json()

    assert [(g["object"], g["field"], [v["label"] for v in g["values"]]) for g in body] == [
        ("lead", "rating", ["Hot", "Warm", "Cold"])
    ]


def test_unknown_field_answers_an_empty_list(api, rep):
    assert api.as_user(rep).get(URL, {"object": "lead", "field": "nope"}).json() == []


def test_active_filter_and_inactive_values(api, rep, marketing_admin):
    value = PicklistValue.objects.get(object_name="lead", field_name="rating", api_name="Cold")
    picklist_value_set_active(value=value, active=False, acting_user=marketing_admin)
    client = api.as_user(rep)

    everything = client.get(URL, {"object": "lead", "field": "rating"}).json()[0]["values"]
    active = client.get(URL, {"object": "lead", "field": "rating", "active": "true"}).json()[0]["values"]

    assert [(v["api_name"], v["active"]) for v in everything] == [("Hot", True), ("Warm", True), ("Cold", False)]
    assert [v["api_name"] for v in active] == ["Hot", "Warm"]
    assert client.get(URL, {"active": "sometimes"}).status_code == 400


def test_custom_picklists_are_included(api, rep, marketing_admin):
    custom_field_create(
        object_name="lead",
        label="Tier",
        field_type="picklist",
        picklist_values=["Gold", "Silver"],
        acting_user=marketing_admin,
    )

    body = api.as_user(rep).get(URL, {"object": "lead", "field": "Tier__c"}).json()

    assert body[0]["field_label"] == "Tier"
    assert [v["label"] for v in body[0]["values"]] == ["Gold", "Silver"]


def test_picklists_are_read_only_and_need_a_login(api, rep):
    assert api.get(URL).status_code == 401
    assert api.as_user(rep).post(URL, {"label": "x"}, format="json").status_code == 405
