"""Which lead record types each role may use (Salesforce: record types assigned per profile): an
admin lists them per role with the role's default; the new-lead page, a change of record type, the
API and the intake offer and accept only those; admins use them all."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import RecordType
from leads.intake import IntakeOptions, IntakeRow, intake_batch
from leads.models import Lead
from leads.processes.selectors import lead_record_type_default, lead_record_types_for
from leads.processes.services import lead_record_type_access_set, lead_record_type_create
from leads.services import lead_create, lead_update
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def types(marketing_admin):
    general = RecordType.objects.get(object_name="lead", is_org_default=True)
    inbound = lead_record_type_create(name="Inbound", acting_user=marketing_admin)
    partner = lead_record_type_create(name="Partner", acting_user=marketing_admin)
    return general, inbound, partner


@pytest.fixture
def reps_get_inbound(types, marketing_admin):
    """Sales reps may use Inbound only, their default."""
    _general, inbound, _partner = types
    lead_record_type_access_set(
        group=Group.objects.get(name="Sales rep"), record_types=[inbound], default=inbound, acting_user=marketing_admin
    )
    return inbound


def test_a_role_without_a_list_uses_every_record_type(rep, types):
    assert {r.name for r in lead_record_types_for(user=rep)} == {"General", "Inbound", "Partner"}


def test_a_restricted_role_uses_its_list_and_its_default_and_admins_all(rep, marketing_admin, types, reps_get_inbound):
    assert list(lead_record_types_for(user=rep)) == [reps_get_inbound]
    assert lead_record_type_default(user=rep) == reps_get_inbound
    assert lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep).record_type == reps_get_inbound
    assert {r.name for r in lead_record_types_for(user=marketing_admin)} == {"General", "Inbound", "Partner"}


def test_without_a_role_default_the_first_allowed_record_type_replaces_an_org_default_the_role_may_not_use(
    rep, types, marketing_admin
):
    _general, inbound, partner = types
    rep_role = Group.objects.get(name="Sales rep")
    lead_record_type_access_set(
        group=rep_role, record_types=[partner, inbound], default=None, acting_user=marketing_admin
    )

    assert lead_record_type_default(user=rep) == inbound  # by name, General (the org's) not allowed


def test_the_services_refuse_a_record_type_the_role_may_not_use(rep, types, reps_get_inbound):
    _general, _inbound, partner = types
    with pytest.raises(ValidationError) as made:
        lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep, record_type=partner)
    lead = LeadFactory(owner_user=rep, record_type=reps_get_inbound)
    with pytest.raises(ValidationError) as changed:
        lead_update(lead=lead, data={}, record_type=partner, acting_user=rep)

    assert "record_type" in made.value.message_dict
    assert "record_type" in changed.value.message_dict
    assert Lead.objects.get(pk=lead.pk).record_type == reps_get_inbound


def test_the_default_must_be_one_of_the_roles_record_types(types, marketing_admin, rep):
    general, inbound, _partner = types
    with pytest.raises(ValidationError) as exc:
        lead_record_type_access_set(
            group=Group.objects.get(name="Sales rep"),
            record_types=[inbound],
            default=general,
            acting_user=marketing_admin,
        )
    with pytest.raises(PermissionError):
        lead_record_type_access_set(
            group=Group.objects.get(name="Sales rep"), record_types=[inbound], default=None, acting_user=rep
        )

    assert "default" in exc.value.message_dict


def test_the_api_answers_400_with_a_field_error_for_a_record_type_the_role_may_not_use(
    api, rep, types, reps_get_inbound
):
    _general, _inbound, partner = types
    client = api.as_user(rep)

    made = client.post("/api/leads/", {"last_name": "Ng", "company": "Acme", "record_type": partner.pk}, format="json")
    ok = client.post("/api/leads/", {"last_name": "Ok", "company": "Acme"}, format="json")
    changed = client.patch(f"/api/leads/{ok.json()['id']}/", {"record_type": partner.pk}, format="json")
    available = client.get("/api/lead-record-types/available/").json()

    assert made.status_code == 400
    assert "record_type" in made.json()
    assert ok.status_code == 201
    assert ok.json()["record_type"] == reps_get_inbound.pk
    assert changed.status_code == 400
    assert "record_type" in changed.json()
    assert [r["name"] for r in available["record_types"]] == ["Inbound"]
    assert available["default"] == reps_get_inbound.pk


def test_admins_read_and_set_each_roles_record_types_through_the_api(api, marketing_admin, rep, types):
    general, inbound, partner = types
    admin = api.as_user(marketing_admin)

    saved = admin.post(
        "/api/lead-record-types/roles/",
        {"role": "Sales rep", "record_types": [inbound.pk, partner.pk], "default": partner.pk},
        format="json",
    )
    bad = admin.post(
        "/api/lead-record-types/roles/",
        {"role": "Sales rep", "record_types": [inbound.pk], "default": general.pk},
        format="json",
    )
    listed = {row["role"]: row for row in admin.get("/api/lead-record-types/roles/").json()}
    refused = api.as_user(rep).get("/api/lead-record-types/roles/")

    assert saved.status_code == 200
    assert saved.json() == {"role": "Sales rep", "record_types": [inbound.pk, partner.pk], "default": partner.pk}
    assert bad.status_code == 400
    assert "default" in bad.json()
    assert listed["Sales rep"]["record_types"] == [inbound.pk, partner.pk]
    assert listed["Marketing admin"]["record_types"] == []
    assert refused.status_code == 403


def test_the_new_lead_page_offers_only_the_roles_record_types(client, rep, types, marketing_admin):
    _general, inbound, partner = types
    lead_record_type_access_set(
        group=Group.objects.get(name="Sales rep"),
        record_types=[inbound, partner],
        default=partner,
        acting_user=marketing_admin,
    )
    client.force_login(rep)

    choice = client.get(reverse("leads:create"))
    refused = client.get(reverse("leads:create"), {"record_type": _general_pk()})

    assert [r.name for r in choice.context["form"].fields["record_type"].queryset] == ["Inbound", "Partner"]
    assert choice.context["form"].initial["record_type"] == partner.pk
    assert refused.status_code == 400


def _general_pk() -> int:
    return RecordType.objects.get(object_name="lead", name="General").pk


def test_the_edit_page_offers_only_the_roles_record_types_and_keeps_the_leads_own(client, rep, types, reps_get_inbound):
    general, _inbound, _partner = types
    lead = LeadFactory(owner_user=rep, record_type=general)
    client.force_login(rep)

    form = client.get(reverse("leads:edit", args=[lead.pk])).context["form"]

    assert dict(form.fields["record_type"].choices) == {general.pk: "General", reps_get_inbound.pk: "Inbound"}


def test_the_setup_page_sets_a_roles_record_types(client, marketing_admin, types):
    _general, inbound, partner = types
    rep_role = Group.objects.get(name="Sales rep")
    client.force_login(marketing_admin)
    url = reverse("leads:recordtype_access_set", args=[rep_role.pk])
    prefix = f"role-{rep_role.pk}"

    bad = client.post(url, {f"{prefix}-record_types": [inbound.pk], f"{prefix}-default": partner.pk})
    good = client.post(url, {f"{prefix}-record_types": [inbound.pk, partner.pk], f"{prefix}-default": partner.pk})

    assert bad.status_code == 400
    assert "The default must be one of the record types the role may use." in bad.content.decode()
    assert good.status_code == 302
    assert {r.name for r in RecordType.objects.filter(role_access__group=rep_role)} == {"Inbound", "Partner"}
    assert "Record Types by Role" in client.get(reverse("leads:recordtype_list")).content.decode()


def test_imported_and_web_leads_get_a_record_type_their_creator_may_use(rep, reps_get_inbound):
    intake_batch(
        rows=[IntakeRow(data={"last_name": "Csv", "company": "Acme"})],
        options=IntakeOptions(source="import"),
        acting_user=rep,
    )

    assert Lead.objects.get(last_name="Csv").record_type == reps_get_inbound
