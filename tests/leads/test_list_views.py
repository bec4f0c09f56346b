"""Saved list views of leads: services, visibility, the list page and the CSV export."""

import csv
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.roles import SALES_REP
from leads.listviews.models import ListView
from leads.listviews.selectors import COUNT_CAP, count_capped, list_view_picker, list_views_visible_to
from leads.listviews.services import list_view_clone, list_view_create, list_view_delete, list_view_update
from leads.models import Lead
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

COLUMNS = ["name", "company", "status"]


def _view(user, name="Hot leads", **kwargs):
    kwargs.setdefault("columns", COLUMNS)
    return list_view_create(name=name, acting_user=user, **kwargs)


def _grant_export(user):
    user.user_permissions.add(Permission.objects.get(codename="export_records"))


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


# Services -----------------------------------------------------------------------------------


def test_a_rep_saves_a_private_view_with_filters_columns_and_sort(rep):
    view = _view(rep, filters={"status": ["Working"], "q": "acme"}, ordering="-company", scope="my")

    assert view.owner == rep
    assert view.sharing == ListView.Sharing.PRIVATE
    assert view.filters == {"status": ["Working"], "q": ["acme"]}
    assert view.columns == COLUMNS
    assert view.ordering == "-company"
    assert view.last_modified_by == rep


def test_unknown_columns_filters_and_sort_keys_are_field_errors(rep):
    with pytest.raises(ValidationError) as raised:
        _view(rep, columns=["name", "shoe_size"], filters={"colour": ["red"]}, ordering="-height", scope="mine")

    errors = raised.value.message_dict
    assert "shoe_size" in errors["columns"][0]
    assert "colour" in errors["filters"][0]
    assert "scope" in errors


def test_an_invalid_filter_value_and_a_blank_name_are_field_errors(rep):
    with pytest.raises(ValidationError) as raised:
        _view(rep, name="   ", filters={"status": ["NoSuchStatus"], "created_from": "yesterday"})

    errors = raised.value.message_dict
    assert errors["name"]
    assert any(e.startswith("status:") for e in errors["filters"])
    assert any(e.startswith("created_from:") for e in errors["filters"])


def test_sort_by_a_custom_field_or_another_apps_column_is_accepted(rep, marketing_admin):
    from core.services import custom_field_create

    custom_field_create(object_name="lead", label="Seats", field_type="number", acting_user=marketing_admin)

    view = _view(rep, ordering="-Seats__c,name", columns=["name", "Seats__c"])

    assert view.ordering == "-Seats__c,name"


def test_names_are_unique_per_owner_ignoring_case(rep, other_rep):
    _view(rep, name="Hot Leads")

    with pytest.raises(ValidationError) as raised:
        _view(rep, name="hot leads")
    assert "already has" in raised.value.message_dict["name"][0]
    assert _view(other_rep, name="HOT LEADS").owner == other_rep


def test_the_database_refuses_a_duplicate_name_and_a_role_share_without_a_role(rep):
    view = _view(rep, name="Mine")
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        ListView.objects.create(name="MINE", owner=rep, columns=COLUMNS, created_at=now, last_modified_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        ListView.objects.filter(pk=view.pk).update(sharing="role")


def test_only_admins_share_list_views(rep, marketing_admin):
    with pytest.raises(ValidationError) as raised:
        _view(rep, sharing="everyone")
    assert "admins" in raised.value.message_dict["sharing"][0]

    role = Group.objects.get(name=SALES_REP)
    shared = _view(marketing_admin, sharing="role", shared_role=role)
    assert shared.shared_role == role
    with pytest.raises(ValidationError) as raised:
        _view(marketing_admin, name="No role", sharing="role")
    assert raised.value.message_dict["shared_role"]


def test_owner_renames_and_changes_a_view_but_another_rep_may_not(rep, other_rep):
    view = _view(rep)

    view = list_view_update(
        list_view=view, name="Renamed", columns=["company", "name"], ordering="name", acting_user=rep
    )

    assert (view.name, view.columns, view.ordering) == ("Renamed", ["company", "name"], "name")
    with pytest.raises(PermissionDenied):
        list_view_update(list_view=view, name="Mine now", acting_user=other_rep)
    with pytest.raises(PermissionDenied):
        list_view_delete(list_view=view, acting_user=other_rep)


def test_an_admin_manages_a_shared_view_and_a_rep_clones_it(rep, marketing_admin):
    shared = _view(marketing_admin, name="Team view", sharing="everyone", ordering="company")

    clone = list_view_clone(list_view=shared, name="My copy", acting_user=rep)
    list_view_update(list_view=shared, name="Team view 2", acting_user=marketing_admin)
    list_view_delete(list_view=shared, acting_user=marketing_admin)

    assert (clone.owner, clone.sharing, clone.ordering, clone.columns) == (rep, "private", "company", COLUMNS)
    assert not ListView.objects.filter(pk=shared.pk).exists()


# Visibility ---------------------------------------------------------------------------------


def test_a_rep_never_sees_another_reps_private_view(rep, other_rep, marketing_admin):
    mine = _view(rep, name="Mine")
    theirs = _view(other_rep, name="Theirs")
    everyone = _view(marketing_admin, name="Everyone", sharing="everyone")
    reps = _view(marketing_admin, name="Reps", sharing="role", shared_role=Group.objects.get(name=SALES_REP))
    admins_only = _view(
        marketing_admin, name="Admins", sharing="role", shared_role=Group.objects.get(name="System admin")
    )

    visible = set(list_views_visible_to(rep))
    picker = list_view_picker(user=rep)

    assert visible == {mine, everyone, reps}
    assert theirs not in visible
    assert admins_only not in visible
    assert picker.mine == [mine]
    assert {v.name for v in picker.shared} == {"Everyone", "Reps"}


# The list page ------------------------------------------------------------------------------


def test_the_list_page_applies_a_saved_view(client, rep):
    LeadFactory(owner_user=rep, last_name="Working", company="Beta", status="Working")
    LeadFactory(owner_user=rep, last_name="Other", company="Alpha", status="Working")
    LeadFactory(owner_user=rep, last_name="New", company="Gamma", status="New")
    view = _view(rep, filters={"status": ["Working"]}, ordering="-company", columns=["company", "name"], scope="my")
    client.force_login(rep)

    page = client.get("/leads/", {"list_view": view.pk}).content.decode()

    assert page.index("Beta") < page.index("Alpha")
    assert "Gamma" not in page
    header = page[page.index("<thead>") : page.index("</thead>")]
    assert header.index("Company") < header.index("Name")
    assert "js/list_views.js" in page
    assert "2 leads" in page
    assert "Hot leads" in page


def test_the_filter_panel_replaces_a_saved_views_filters(client, rep):
    LeadFactory(owner_user=rep, last_name="Workingone", status="Working")
    LeadFactory(owner_user=rep, last_name="Newone", status="New")
    view = _view(rep, filters={"status": ["Working"]}, scope="my")
    client.force_login(rep)

    page = client.get("/leads/", {"list_view": view.pk, "apply": "1", "q": ""}).content.decode()

    assert "Workingone" in page
    assert "Newone" in page


def test_a_view_not_shared_with_the_user_falls_back_with_a_message(client, rep, other_rep):
    theirs = _view(other_rep, name="Secret view")
    client.force_login(rep)

    response = client.get("/leads/", {"list_view": theirs.pk}, follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Secret view" not in page
    assert "not shared with you" in page


def test_the_count_is_capped(rep):
    LeadFactory.create_batch(3, owner_user=rep)

    assert count_capped(Lead.objects.all()) == (3, False)
    with CaptureQueriesContext(connection) as captured:
        count_capped(Lead.objects.all())
    assert f"LIMIT {COUNT_CAP + 1}" in captured.captured_queries[0]["sql"]


def test_the_count_says_ten_thousand_plus_beyond_the_cap(client, rep, monkeypatch):
    LeadFactory.create_batch(3, owner_user=rep)
    monkeypatch.setattr("leads.listviews.selectors.COUNT_CAP", 2)
    client.force_login(rep)

    page = client.get("/leads/", {"view": "my"}).content.decode()

    assert "10,000+ leads" in page


def test_save_edit_clone_and_delete_through_the_page(client, rep):
    client.force_login(rep)

    response = client.post(
        "/leads/list-views/new/",
        {
            "name": "Working by company",
            "columns": ["company", "name", "status"],
            "sort_column": "company",
            "sort_direction": "desc",
            "query": "view=my&status=Working&page=2",
            "scope": "my",
        },
    )
    view = ListView.objects.get(owner=rep)
    assert response.status_code == 302
    assert response["Location"].endswith(f"?list_view={view.pk}")
    assert (view.filters, view.columns, view.ordering, view.scope) == (
        {"status": ["Working"]},
        ["company", "name", "status"],
        "-company",
        "my",
    )

    client.post(f"/leads/list-views/{view.pk}/edit/", {"name": "Renamed", "columns": ["name"], "sort_column": ""})
    view.refresh_from_db()
    assert (view.name, view.columns, view.ordering) == ("Renamed", ["name"], "")

    client.post(f"/leads/list-views/{view.pk}/clone/")
    assert ListView.objects.filter(owner=rep, name="Copy of Renamed").exists()

    client.post(f"/leads/list-views/{view.pk}/delete/")
    assert not ListView.objects.filter(pk=view.pk).exists()


def test_a_rep_cannot_share_through_the_page(client, rep):
    client.force_login(rep)

    response = client.post(
        "/leads/list-views/new/", {"name": "Try", "columns": ["name"], "sharing": "everyone", "query": ""}, follow=True
    )

    assert not ListView.objects.exists()
    assert "Only admins may share" in response.content.decode()


# Export -------------------------------------------------------------------------------------


def test_export_writes_the_views_columns_sort_and_filters(client, rep):
    _grant_export(rep)
    LeadFactory(owner_user=rep, last_name="Beta", company="Bco", status="Working")
    LeadFactory(owner_user=rep, last_name="Alpha", company="=HYPERLINK(1)", status="Working")
    LeadFactory(owner_user=rep, last_name="New", company="Nco", status="New")
    view = _view(
        rep, filters={"status": ["Working"]}, ordering="-name", columns=["name", "company", "status"], scope="my"
    )
    client.force_login(rep)

    response = client.get("/leads/export.csv", {"list_view": view.pk})

    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0] == ["Name", "Company", "Lead Status"]
    assert [r[0].split()[-1] for r in rows[1:]] == ["Beta", "Alpha"]
    assert rows[2][1] == "'=HYPERLINK(1)"
    assert rows[1][2] == "Working"


def test_export_respects_sharing(client, rep, other_rep):
    _grant_export(rep)
    LeadFactory(owner_user=rep, last_name="Mine")
    LeadFactory(owner_user=other_rep, last_name="Theirs")
    client.force_login(rep)

    rows = _csv(client.get("/leads/export.csv", {"view": "all", "columns": "name,owner"}))

    names = [r[0] for r in rows[1:]]
    assert len(names) == 1
    assert names[0].endswith("Mine")
    assert rows[1][1] == "Riley Rep"


def test_export_needs_the_export_permission(client, rep):
    client.force_login(rep)

    assert client.get("/leads/export.csv").status_code == 403


def test_export_reads_through_a_server_side_cursor(client, marketing_admin):
    LeadFactory.create_batch(3)
    client.force_login(marketing_admin)

    with CaptureQueriesContext(connection) as captured:
        rows = _csv(client.get("/leads/export.csv", {"view": "all"}))

    assert len(rows) == 4
    assert any("DECLARE" in q["sql"] or "CURSOR" in q["sql"].upper() for q in captured.captured_queries) or (
        connection.vendor != "postgresql"
    )
