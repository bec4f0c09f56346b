import datetime as dt

import pytest
from django.http import QueryDict
from django.utils import timezone

from core.services import custom_field_create
from leads.filters import LeadFilter
from leads.models import Lead
from tests.factories import LeadFactory, QueueFactory

pytestmark = pytest.mark.django_db


def _names(params: str, queryset=None) -> list[str]:
    filterset = LeadFilter(QueryDict(params), queryset=queryset if queryset is not None else Lead.objects.all())
    return [lead.last_name for lead in filterset.qs]


def test_search_matches_prefix_of_name_company_and_email(rep):
    LeadFactory(first_name="Ada", last_name="Lovelace", company="Analytical Engines", email="ada@engines.io")
    LeadFactory(first_name="Grace", last_name="Hopper", company="Navy", email="grace@navy.mil")
    LeadFactory(first_name="Alan", last_name="Turing", company="Bletchley", email="alan@adams.example")

    assert _names("q=ana") == ["Lovelace"]
    assert _names("q=HOP") == ["Hopper"]
    assert _names("q=grace@") == ["Hopper"]
    assert sorted(_names("q=ada")) == ["Lovelace"]  # prefix, not substring: "alan@adams" is not matched
    assert _names("q=ing") == []


def test_search_splits_full_name_into_first_and_last():
    LeadFactory(first_name="Ada", last_name="Lovelace", company="Engines")
    LeadFactory(first_name="Ada", last_name="Byron", company="Poetry")

    assert _names("q=Ada+Love") == ["Lovelace"]
    assert _names("q=  ada   lovelace ") == ["Lovelace"]


def test_search_matches_company_with_spaces():
    LeadFactory(last_name="One", company="Acme Corp")
    LeadFactory(last_name="Two", company="Acme Industries")

    assert _names("q=acme+c") == ["One"]


def test_status_filter_takes_several_values():
    LeadFactory(last_name="A", status="New")
    LeadFactory(last_name="B", status="Working")
    LeadFactory(last_name="C", status="Nurturing")

    assert sorted(_names("status=New&status=Working")) == ["A", "B"]


def test_unknown_picklist_value_is_a_form_error_not_a_crash():
    LeadFactory(last_name="A", status="New")

    filterset = LeadFilter(QueryDict("status=Bogus&rating=Lukewarm"), queryset=Lead.objects.all())

    assert not filterset.is_valid()
    assert set(filterset.errors) == {"status", "rating"}


def test_lead_source_rating_and_industry_filters():
    LeadFactory(last_name="A", lead_source="Website", rating="Hot", industry="Banking")
    LeadFactory(last_name="B", lead_source="Website", rating="Cold", industry="Banking")
    LeadFactory(last_name="C", lead_source="Trade Show", rating="Hot", industry="Energy")

    assert _names("lead_source=Website&rating=Hot") == ["A"]
    assert _names("industry=Energy") == ["C"]


def test_owner_filter_by_user_and_queue_keys(rep, other_rep):
    queue = QueueFactory(name="EMEA")
    LeadFactory(last_name="Mine", owner_user=rep)
    LeadFactory(last_name="Theirs", owner_user=other_rep)
    LeadFactory(last_name="Queued", owner_user=None, owner_queue=queue)

    assert _names(f"owner=user:{rep.pk}") == ["Mine"]
    assert _names(f"owner=queue:{queue.pk}") == ["Queued"]
    bad = LeadFilter(QueryDict("owner=rep"), queryset=Lead.objects.all())
    assert not bad.is_valid()
    assert "owner" in bad.errors


def test_created_date_range_is_inclusive_of_both_days():
    today = timezone.localtime()
    LeadFactory(last_name="Old", created_at=today - dt.timedelta(days=10))
    LeadFactory(last_name="Recent", created_at=today - dt.timedelta(days=2))
    LeadFactory(last_name="Today", created_at=today)

    start = (today - dt.timedelta(days=3)).date().isoformat()
    end = today.date().isoformat()
    assert sorted(_names(f"created_from={start}&created_to={end}")) == ["Recent", "Today"]
    assert _names(f"created_to={(today - dt.timedelta(days=5)).date().isoformat()}") == ["Old"]


def test_custom_field_filters_by_type(marketing_admin):
    custom_field_create(
        object_name="lead",
        label="Tier",
        field_type="picklist",
        picklist_values=["Gold", "Silver"],
        acting_user=marketing_admin,
    )
    custom_field_create(object_name="lead", label="Partner", field_type="checkbox", acting_user=marketing_admin)
    custom_field_create(object_name="lead", label="Budget", field_type="currency", acting_user=marketing_admin)
    custom_field_create(object_name="lead", label="Renewal", field_type="date", acting_user=marketing_admin)
    custom_field_create(object_name="lead", label="Notes Line", field_type="text", acting_user=marketing_admin)
    LeadFactory(
        last_name="Gold",
        custom_fields={
            "Tier__c": "Gold",
            "Partner__c": True,
            "Budget__c": 5000,
            "Renewal__c": "2026-03-01",
            "Notes_Line__c": "Met at the Berlin expo",
        },
    )
    LeadFactory(
        last_name="Silver",
        custom_fields={"Tier__c": "Silver", "Partner__c": False, "Budget__c": 900.5, "Renewal__c": "2026-06-15"},
    )
    LeadFactory(last_name="Blank", custom_fields={})

    assert _names("Tier__c=Gold") == ["Gold"]
    assert _names("Partner__c=yes") == ["Gold"]
    assert sorted(_names("Partner__c=no")) == ["Blank", "Silver"]
    assert _names("Budget__c__min=1000") == ["Gold"]
    assert _names("Budget__c__max=1000") == ["Silver"]
    assert _names("Renewal__c__from=2026-04-01") == ["Silver"]
    assert _names("Renewal__c__to=2026-03-01") == ["Gold"]
    assert _names("Notes_Line__c=berlin") == ["Gold"]


def test_inactive_custom_fields_get_no_filter(marketing_admin):
    from core.services import field_definition_update

    definition = custom_field_create(object_name="lead", label="Legacy", field_type="text", acting_user=marketing_admin)
    field_definition_update(definition=definition, is_active=False, acting_user=marketing_admin)

    assert "Legacy__c" not in LeadFilter(QueryDict(""), queryset=Lead.objects.all()).filters


def test_ordering_over_whitelisted_columns_with_stable_tiebreak():
    LeadFactory(last_name="Baker", company="Zeta")
    LeadFactory(last_name="Adams", company="Alpha")
    LeadFactory(last_name="Clark", company="Mid")

    assert _names("ordering=name") == ["Adams", "Baker", "Clark"]
    assert _names("ordering=-company") == ["Baker", "Clark", "Adams"]
    assert (
        "id"
        in str(LeadFilter(QueryDict("ordering=company"), queryset=Lead.objects.all()).qs.query).split("ORDER BY")[1]
    )


def test_ordering_rejects_columns_outside_the_whitelist():
    filterset = LeadFilter(QueryDict("ordering=custom_fields"), queryset=Lead.objects.all())

    assert not filterset.is_valid()
    assert "ordering" in filterset.errors


def test_ordering_by_owner_and_custom_field(rep, other_rep, marketing_admin):
    custom_field_create(object_name="lead", label="Score", field_type="number", acting_user=marketing_admin)
    LeadFactory(last_name="Low", owner_user=other_rep, custom_fields={"Score__c": 2})
    LeadFactory(last_name="High", owner_user=rep, custom_fields={"Score__c": 10})

    assert _names("ordering=-Score__c") == ["High", "Low"]
    assert _names("ordering=owner") == ["Low", "High"]  # "Other" before "Rep"


def test_search_uses_the_prefix_indexes():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("expression indexes exist on PostgreSQL only")
    sql = str(LeadFilter(QueryDict("q=acme"), queryset=Lead.objects.all()).qs.query)

    # The expressions of the accent-folding prefix indexes (search 0001) and of the email index.
    assert 'UPPER(crm_unaccent("leads_lead"."company"))::text LIKE' in sql
    assert 'UPPER(crm_unaccent("leads_lead"."last_name"))::text LIKE' in sql
    assert 'UPPER("leads_lead"."email"::text) LIKE UPPER' in sql
