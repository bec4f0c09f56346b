"""Matching rules find duplicates from the stored keys, across leads and contacts."""

import pytest

from dedupe import services
from dedupe.models import MatchKey
from leads.services import lead_create, lead_update
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_keys_are_written_when_a_lead_is_made_and_changed(rep):
    lead = lead_create(
        data={"last_name": "Lovelace", "company": "Engines Ltd", "email": "Ada+x@Example.com"}, acting_user=rep
    )
    key = MatchKey.objects.get(object_name="lead", record_id=lead.pk)
    assert (key.email_normalized, key.company) == ("ada@example.com", "engines")
    lead_update(lead=lead, data={"phone": "(415) 555-0100"}, acting_user=rep)
    key.refresh_from_db()
    assert key.phone == "+14155550100"


def test_normalised_email_finds_plus_addressed_and_gmail_dotted_twins(system_admin, make_lead):
    plain = services.matching_rule_create(data={"name": "Plain", "email": "normalized"}, acting_user=system_admin)
    dots = services.matching_rule_create(
        data={"name": "Dots", "email": "normalized", "gmail_dots": True}, acting_user=system_admin
    )
    lead = make_lead(email="ada.lovelace@gmail.com")
    assert [m.record_id for m in services.find_matches(rule=plain, values={"email": "Ada.Lovelace+crm@gmail.com"})] == [
        lead.pk
    ]
    assert services.find_matches(rule=plain, values={"email": "adalovelace@gmail.com"}) == []
    assert [m.record_id for m in services.find_matches(rule=dots, values={"email": "adalovelace@gmail.com"})] == [
        lead.pk
    ]


def test_exact_email_compares_the_local_part_as_written(system_admin, make_lead):
    exact = services.matching_rule_create(data={"name": "Exact", "email": "exact"}, acting_user=system_admin)
    make_lead(email="ada@example.com")
    assert services.find_matches(rule=exact, values={"email": "ada+x@example.com"}) == []
    assert len(services.find_matches(rule=exact, values={"email": "ada@EXAMPLE.com"})) == 1


def test_phone_and_company_match_in_their_normal_forms(system_admin, make_lead):
    rule = services.matching_rule_create(
        data={"name": "Phone and company", "email": "", "phone": True, "company": True}, acting_user=system_admin
    )
    lead = make_lead(phone="+1 415 555 0100", company="Acme, Inc.")
    found = services.find_matches(rule=rule, values={"mobile": "415.555.0100", "company": "ACME Incorporated"})
    assert [(m.record_id, m.score, m.methods) for m in found] == [(lead.pk, 1.0, ("phone", "company"))]
    assert services.find_matches(rule=rule, values={"phone": "415.555.0100", "company": "Other"}) == []


def test_fuzzy_names_match_above_the_threshold_with_their_similarity_as_score(system_admin, make_lead):
    rule = services.matching_rule_create(
        data={"name": "Names", "email": "", "fuzzy_name": True, "name_threshold": "0.5"}, acting_user=system_admin
    )
    lead = make_lead(first_name="José", last_name="García")
    make_lead(first_name="Grace", last_name="Hopper")
    found = services.find_matches(rule=rule, values={"first_name": "Jose", "last_name": "Garcia"})
    assert [m.record_id for m in found] == [lead.pk]
    assert found[0].score == 1.0
    near = services.find_matches(rule=rule, values={"first_name": "Josh", "last_name": "Garcia"})
    assert [m.record_id for m in near] == [lead.pk]
    assert 0.5 <= near[0].score < 1


def test_contacts_are_matched_when_the_rule_includes_them(system_admin):
    account = AccountFactory(name="Engines")
    contact = ContactFactory(account=account, email="ada@example.net", last_name="Lovelace")
    services.keys_refresh(object_name="contact", record_ids=[contact.pk])
    both = services.matching_rule_create(data={"name": "Both", "email": "normalized"}, acting_user=system_admin)
    leads_only = services.matching_rule_create(
        data={"name": "Leads", "email": "normalized", "include_contacts": False}, acting_user=system_admin
    )
    assert [
        (m.object_name, m.record_id) for m in services.find_matches(rule=both, values={"email": "ADA@example.net"})
    ] == [("contact", contact.pk)]
    assert services.find_matches(rule=leads_only, values={"email": "ada@example.net"}) == []


def test_a_matching_rule_must_compare_something_and_keep_a_sane_threshold(system_admin):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.matching_rule_create(data={"name": "Nothing", "email": ""}, acting_user=system_admin)
    assert "__all__" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.matching_rule_create(
            data={"name": "Loose", "fuzzy_name": True, "name_threshold": "0.1"}, acting_user=system_admin
        )
    assert "name_threshold" in exc.value.message_dict


def test_a_rep_may_not_set_up_matching_rules(rep):
    with pytest.raises(PermissionError):
        services.matching_rule_create(data={"name": "Mine", "email": "exact"}, acting_user=rep)


def test_match_batch_decides_per_row_and_sees_duplicates_inside_the_batch(duplicate_rule, make_lead):
    duplicate_rule(action_import="block")
    lead = make_lead(email="ada@example.net")
    decisions = services.match_batch(
        [{"email": "ADA@example.net"}, {"email": "new@example.net"}, {"email": "new+2@example.net"}, {"email": ""}],
        path="import",
    )
    assert [d.action for d in decisions] == ["block", "allow", "block", "allow"]
    assert [m.record_id for m in decisions[0].matches] == [lead.pk]
    assert decisions[2].same_as_row == 1
    assert decisions[2].matches == ()


def test_inside_a_batch_a_row_is_like_the_first_earlier_row_sharing_its_phone(system_admin, duplicate_rule):
    phones = services.matching_rule_create(data={"name": "Same phone", "phone": True}, acting_user=system_admin)
    duplicate_rule(matching_rule=phones, action_import="alert")
    rows = [
        {"phone": "+1 415 555 0100"},
        {"phone": "+1 415 555 0199", "mobile": "+1 415 555 0142"},
        {"phone": ""},
        {"mobile": "(415) 555-0142", "country": "US"},
        {"phone": "+14155550100", "mobile": "+1 415 555 0142"},
        {"phone": "+1 415 555 0177"},
    ]

    decisions = services.match_batch(rows, path="import")

    assert [d.same_as_row for d in decisions] == [None, None, None, 1, 0, None]
    assert [d.action for d in decisions] == ["allow", "allow", "allow", "alert", "alert", "allow"]


def test_a_long_batch_of_distinct_rows_is_matched_without_comparing_every_pair(duplicate_rule, monkeypatch):
    from dedupe.services import matching

    duplicate_rule(action_import="block")
    compared = []
    real_same = matching._same
    monkeypatch.setattr(matching, "_same", lambda *args: compared.append(1) or real_same(*args))
    rows = [{"email": f"p{n}@example.net"} for n in range(300)] + [{"email": "P7@example.net"}]

    decisions = services.match_batch(rows, path="import")

    assert decisions[-1].same_as_row == 7
    assert all(d.action == "allow" for d in decisions[:-1])
    assert len(compared) == 1


def test_match_batch_reads_candidates_in_one_query_per_rule(duplicate_rule, make_lead, django_assert_max_num_queries):
    duplicate_rule(action_import="alert")
    for n in range(5):
        make_lead(email=f"p{n}@example.net")
    rows = [{"email": f"p{n}@example.net"} for n in range(50)]
    with django_assert_max_num_queries(8):
        decisions = services.match_batch(rows, path="import")
    assert sum(1 for d in decisions if d.matches) == 5


def test_backfill_writes_the_keys_of_leads_stored_before(make_lead):
    from tests.factories import LeadFactory

    lead = LeadFactory(email="old@example.net")
    assert not MatchKey.objects.filter(record_id=lead.pk, object_name="lead").exists()
    services.keys_backfill(object_name="lead", missing_only=True)
    assert MatchKey.objects.get(record_id=lead.pk, object_name="lead").email_normalized == "old@example.net"


def test_deleted_and_converted_leads_are_not_duplicates(system_admin, rep, make_lead):
    from leads.services import lead_delete

    rule = services.matching_rule_create(data={"name": "Email", "email": "normalized"}, acting_user=system_admin)
    deleted = make_lead(email="gone@example.net", owner_user=rep)
    lead_delete(lead=deleted, acting_user=system_admin)
    converted = make_lead(email="done@example.net", is_converted=True, converted_at=deleted.created_at)
    assert services.find_matches(rule=rule, values={"email": "gone@example.net"}) == []
    assert services.find_matches(rule=rule, values={"email": "done@example.net"}) == []
    assert converted.pk
