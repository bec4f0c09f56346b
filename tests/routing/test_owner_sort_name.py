"""The owner's sort name kept on the lead row: every change of owner sets it, a renamed user or
queue passes its new name to the leads it owns, and the list sorted by owner reads it off
``lead_owner_sort_idx``."""

import pytest
from django.db import connection
from django.http import QueryDict
from django.urls import reverse

from core.preferences import user_profile_update
from core.recycle_bin import RecycleBinEntry
from leads import services as lead_services
from leads.filters import LeadFilter
from leads.intake import IntakeOptions, IntakeRow, intake_batch, lead_intake
from leads.models import Lead
from leads.ownership import owner_sort_name
from leads.routing import services
from leads.routing.services.accept import queue_accept_next
from tests.factories import LeadFactory, QueueFactory, UserFactory
from users.services import user_update

pytestmark = pytest.mark.django_db


def _sort_name(lead) -> str:
    return Lead.objects.values_list("owner_sort_name", flat=True).get(pk=lead.pk)


def _everything_to(make_rule, queue):
    return make_rule(
        "Everything",
        [
            {
                "criteria": [{"field": "last_name", "operator": "is_not_blank", "value": None}],
                "assign_to": "queue",
                "assign_queue": queue,
            }
        ],
    )


def test_a_lead_made_on_the_page_or_through_the_api_keeps_its_owners_sort_name(client, api, rep):
    client.force_login(rep)
    client.post(
        reverse("leads:create"), {"last_name": "Page", "company": "Acme", "status": "New", "owner": f"user:{rep.pk}"}
    )
    api.as_user(rep).post("/api/leads/", {"last_name": "Api", "company": "Acme"}, format="json")

    assert dict(Lead.objects.values_list("last_name", "owner_sort_name")) == {"Page": "Rep Riley", "Api": "Rep Riley"}


def test_a_user_without_a_name_sorts_by_username_and_a_queue_by_its_name(rep, marketing_admin):
    nameless = UserFactory(role="Sales rep", username="zed", first_name="", last_name="")
    queue = QueueFactory(name="West Queue")
    lead = lead_services.lead_create(data={"last_name": "A", "company": "B"}, acting_user=nameless)
    assert _sort_name(lead) == "zed"

    lead_services.lead_change_owner(lead=lead, owner=queue, acting_user=marketing_admin)

    assert _sort_name(lead) == "West Queue"


def test_change_owner_on_the_page_the_api_and_the_mass_action(client, api, rep, other_rep, marketing_admin):
    one, two, three = (LeadFactory(owner_user=rep) for _ in range(3))
    queue = QueueFactory(name="Inbound")

    client.force_login(rep)
    client.post(reverse("leads:change_owner", args=[one.pk]), {"owner": f"user:{other_rep.pk}"})
    api.as_user(rep).post(f"/api/leads/{two.pk}/change-owner/", {"owner": f"queue:{queue.pk}"}, format="json")
    lead_services.lead_mass_change_owner(lead_ids=[three.pk], owner=other_rep, acting_user=marketing_admin)

    assert (_sort_name(one), _sort_name(two), _sort_name(three)) == ("Other Olive", "Inbound", "Other Olive")


def test_assignment_queue_accept_and_send_to_queue(make_rule, sales_queue, reps, rep, marketing_admin):
    _everything_to(make_rule, sales_queue)
    lead = lead_intake(data={"last_name": "Routed", "company": "Acme"}, acting_user=rep, source="api", assign=True).lead
    assert _sort_name(lead) == "Sales Queue"

    accepted = queue_accept_next(queue=sales_queue, acting_user=reps[0])
    assert accepted.pk == lead.pk
    assert _sort_name(lead) == owner_sort_name(reps[0]) == f"{reps[0].last_name} {reps[0].first_name}".strip()

    services.lead_send_to_queue(lead=Lead.objects.get(pk=lead.pk), queue=sales_queue, acting_user=reps[0])
    assert _sort_name(lead) == "Sales Queue"


def test_the_batched_intake_stores_the_owner_each_lead_ends_with(make_rule, sales_queue, rep):
    _everything_to(make_rule, sales_queue)

    intake_batch(
        rows=[IntakeRow(data={"last_name": f"L{n}", "company": "Acme"}) for n in range(3)],
        options=IntakeOptions(source="import", assign=True),
        acting_user=rep,
    )
    intake_batch(
        rows=[IntakeRow(data={"last_name": "Mine", "company": "Acme"})],
        options=IntakeOptions(source="import", assign=False),
        acting_user=rep,
    )

    assert sorted(Lead.objects.values_list("owner_sort_name", flat=True)) == ["Rep Riley", *["Sales Queue"] * 3]


def test_renaming_a_user_or_a_queue_moves_the_sort_name_of_their_leads_only(rep, other_rep, system_admin):
    queue = QueueFactory(name="Old Queue")
    mine, theirs, queued = (
        LeadFactory(owner_user=rep),
        LeadFactory(owner_user=other_rep),
        LeadFactory(owner_user=None, owner_queue=queue, created_by=None, last_modified_by=None),
    )
    version = Lead.objects.get(pk=mine.pk).version

    user_update(
        user=rep, first_name="Riley", last_name="Zimmer", email=rep.email, role="Sales rep", acting_user=system_admin
    )
    services.queue_update(queue=queue, name="New Queue", acting_user=system_admin)

    assert (_sort_name(mine), _sort_name(theirs), _sort_name(queued)) == ("Zimmer Riley", "Other Olive", "New Queue")
    assert Lead.objects.get(pk=mine.pk).version == version  # no edit of the lead


def test_a_user_renaming_themselves_in_their_profile_moves_the_sort_name_of_their_leads(rep):
    lead = LeadFactory(owner_user=rep)

    user_profile_update(user=rep, data={"first_name": "Quinn", "last_name": "Abbott"}, acting_user=rep)

    assert _sort_name(lead) == "Abbott Quinn"


def test_a_restored_lead_takes_its_owners_current_name(rep, system_admin):
    lead = LeadFactory(owner_user=rep)
    lead_services.lead_delete(lead=lead, acting_user=rep)
    user_update(
        user=rep, first_name="Riley", last_name="Renamed", email=rep.email, role="Sales rep", acting_user=system_admin
    )

    lead_services.lead_restore(entry=RecycleBinEntry.objects.get(record_id=lead.pk), acting_user=rep)

    assert _sort_name(lead) == "Renamed Riley"


def test_a_lead_back_from_an_undone_merge_takes_its_owners_current_name(rep, system_admin):
    from dedupe.services.merge import lead_merge, lead_merge_undo

    master, loser = LeadFactory(owner_user=rep, last_name="Same"), LeadFactory(owner_user=rep, last_name="Same")
    merge = lead_merge(master_id=master.pk, merged_ids=[loser.pk], acting_user=rep)
    user_update(
        user=rep, first_name="Riley", last_name="Later", email=rep.email, role="Sales rep", acting_user=system_admin
    )

    lead_merge_undo(merge=merge, acting_user=rep)

    assert _sort_name(loser) == "Later Riley"


def test_the_list_and_the_api_sort_by_owner_ignoring_case_with_the_id_breaking_ties(client, api, system_admin):
    # given owners whose names differ in case and leads with the same owner
    alice = UserFactory(role="Sales rep", username="a", first_name="Zoe", last_name="abbott")
    bob = UserFactory(role="Sales rep", username="b", first_name="Bob", last_name="Brown")
    queue = QueueFactory(name="Catch-all")
    b1, a1, q1, b2 = (
        LeadFactory(owner_user=bob, last_name="b1"),
        LeadFactory(owner_user=alice, last_name="a1"),
        LeadFactory(owner_user=None, owner_queue=queue, last_name="q1", created_by=None, last_modified_by=None),
        LeadFactory(owner_user=bob, last_name="b2"),
    )

    # then the list sorts abbott < Brown < Catch-all, ties by id, and descending reverses it all
    client.force_login(system_admin)
    page = client.get(reverse("leads:list"), {"ordering": "owner", "view": "all"})
    names = [lead.last_name for lead, _ in page.context["rows"]]
    assert names == ["a1", "b1", "b2", "q1"]
    answer = api.as_user(system_admin).get("/api/leads/", {"ordering": "-owner", "view": "all"}).json()
    assert [row["last_name"] for row in answer["results"]] == ["q1", "b2", "b1", "a1"]
    assert {b1.pk, a1.pk, q1.pk, b2.pk} == {row["id"] for row in answer["results"]}


@pytest.mark.parametrize("ordering", ["owner", "-owner"])
def test_sorting_by_owner_reads_the_first_page_off_its_index(ordering):
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    qs = LeadFilter(QueryDict(f"ordering={ordering}"), queryset=Lead.objects.all()).qs.values("id")[:25]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "lead_owner_sort_idx" in plan
    assert "Sort" not in plan.replace("Sort Key", "")


def test_a_rename_in_djangos_own_user_admin_moves_the_sort_name_too(client, rep, system_admin):
    system_admin.is_staff = system_admin.is_superuser = True
    system_admin.save()
    lead = LeadFactory(owner_user=rep)
    client.force_login(system_admin)
    url = reverse("admin:auth_user_change", args=[rep.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(
        first_name="Morgan",
        last_name="Aalto",
        groups=[g.pk for g in rep.groups.all()],
        user_permissions=[],
        date_joined_0=rep.date_joined.strftime("%Y-%m-%d"),
        date_joined_1=rep.date_joined.strftime("%H:%M:%S"),
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert _sort_name(lead) == "Aalto Morgan"
