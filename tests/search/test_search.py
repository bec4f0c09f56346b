"""The global search on PostgreSQL: matching, sharing, the results page and the API."""

import pytest
from django.db import connection

from core.models import OrgSettings
from search.selectors import global_search
from tests.factories import AccountFactory, ContactFactory, LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def _private_leads():
    OrgSettings.objects.update_or_create(singleton=1, defaults={"lead_access": OrgSettings.LeadAccess.PRIVATE})


def _titles(groups, object_name):
    return [hit.title for group in groups if group.object_name == object_name for hit in group.hits]


def test_search_ignores_accents_and_case_on_postgresql(rep):
    assert connection.vendor == "postgresql"
    LeadFactory(owner_user=rep, first_name="Zoë", last_name="Ångström", company="Crème Brûlée SA")

    by_name = global_search(user=rep, query="angstrom")
    by_company = global_search(user=rep, query="CREME BRU")
    by_accented_query = global_search(user=rep, query="Ångs")

    assert _titles(by_name, "lead") == ["Zoë Ångström"]
    assert _titles(by_company, "lead") == ["Zoë Ångström"]
    assert _titles(by_accented_query, "lead") == ["Zoë Ångström"]


def test_search_uses_the_accent_indexes(rep):
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT id FROM leads_lead WHERE UPPER(crm_unaccent(company)) LIKE 'ACME%'")
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")

    assert "lead_company_search_idx" in plan


def test_search_finds_full_names_emails_and_phone_numbers(rep):
    LeadFactory(
        owner_user=rep, first_name="Ada", last_name="Lovelace", email="ada@engines.example", phone="+44 (20) 7946-0018"
    )
    LeadFactory(owner_user=rep, first_name="Adam", last_name="Smith", email="adam@wealth.example")

    assert _titles(global_search(user=rep, query="ada love"), "lead") == ["Ada Lovelace"]
    assert _titles(global_search(user=rep, query="ADA@ENG"), "lead") == ["Ada Lovelace"]
    assert _titles(global_search(user=rep, query="44 20 7946"), "lead") == ["Ada Lovelace"]
    assert _titles(global_search(user=rep, query="7946-0018"), "lead") == ["Ada Lovelace"]


def test_a_rep_does_not_find_another_reps_private_lead(rep, other_rep, system_admin):
    _private_leads()
    LeadFactory(owner_user=other_rep, first_name="Grace", last_name="Hopper", company="Navy")
    LeadFactory(owner_user=rep, first_name="Grace", last_name="Kelly", company="Monaco")

    assert _titles(global_search(user=rep, query="grace"), "lead") == ["Grace Kelly"]
    assert sorted(_titles(global_search(user=system_admin, query="grace"), "lead")) == ["Grace Hopper", "Grace Kelly"]


def test_converted_leads_are_left_out_as_in_the_list(rep):
    from django.utils import timezone

    LeadFactory(owner_user=rep, last_name="Babbage", is_converted=True, converted_at=timezone.now())

    assert _titles(global_search(user=rep, query="babbage"), "lead") == []


def test_results_are_grouped_by_object_and_limited_with_a_more_link(rep):
    account = AccountFactory(owner=rep, name="Initech")
    ContactFactory(account=account, owner=rep, first_name="Peter", last_name="Gibbons")
    OpportunityFactory(account=account, owner=rep, name="Initech renewal")
    for n in range(6):
        LeadFactory(owner_user=rep, last_name=f"Initech{n}", company="Initech")

    groups = {g.object_name: g for g in global_search(user=rep, query="initech")}

    assert len(groups["lead"].hits) == 5
    assert groups["lead"].has_more
    assert groups["lead"].more_url == "/leads/?view=all&q=initech"
    assert [h.title for h in groups["account"].hits] == ["Initech"]
    # A contact and an opportunity are also found by their account's name.
    assert [h.title for h in groups["contact"].hits] == ["Peter Gibbons"]
    assert [h.title for h in groups["opportunity"].hits] == ["Initech renewal"]
    assert not groups["account"].has_more


def test_api_answers_the_same_groups(api, rep, other_rep):
    _private_leads()
    mine = LeadFactory(owner_user=rep, first_name="José", last_name="Núñez", company="Acme")
    LeadFactory(owner_user=other_rep, first_name="Jose", last_name="Hidden", company="Other")
    AccountFactory(owner=other_rep, name="Josefina Imports")

    response = api.as_user(rep).get("/api/search/", {"q": "jose"})

    assert response.status_code == 200
    body = response.json()
    assert body["q"] == "jose"
    groups = {g["object"]: g for g in body["groups"]}
    assert [r["id"] for r in groups["lead"]["results"]] == [mine.pk]
    assert groups["lead"]["results"][0]["url"] == f"/leads/{mine.pk}/"
    assert [r["title"] for r in groups["account"]["results"]] == ["Josefina Imports"]
    assert groups["contact"]["results"] == []
    assert groups["lead"]["has_more"] is False


def test_api_refuses_a_missing_query_with_a_field_error(api, rep):
    response = api.as_user(rep).get("/api/search/")

    assert response.status_code == 400
    assert "q" in str(response.json())


def test_api_search_is_in_the_openapi_schema(client, rep):
    client.force_login(rep)

    schema = client.get("/api/schema/").content.decode()

    assert "/api/search/" in schema


def test_results_page_shows_groups_and_an_empty_state(client, rep):
    LeadFactory(owner_user=rep, first_name="Ada", last_name="Lovelace")
    client.force_login(rep)

    found = client.get("/search/", {"q": "lovel"}).content.decode()
    empty = client.get("/search/", {"q": "zzyzx"}).content.decode()

    assert "Ada Lovelace" in found
    assert 'data-testid="search-group-lead"' in found
    assert "No results for “zzyzx”." in empty


def test_results_page_needs_a_login(client):
    response = client.get("/search/", {"q": "ada"})

    assert response.status_code == 302


def test_a_word_inside_a_company_or_account_name_is_found_from_its_start(rep):
    LeadFactory(owner_user=rep, first_name="Ada", last_name="Lovelace", company="Analytical Engines Ltd")
    LeadFactory(owner_user=rep, first_name="Luis", last_name="Pérez", company="Hermanos García")
    AccountFactory(owner=rep, name="Wayne Enterprises")

    assert _titles(global_search(user=rep, query="engines"), "lead") == ["Ada Lovelace"]
    assert _titles(global_search(user=rep, query="Garcia"), "lead") == ["Luis Pérez"]
    assert _titles(global_search(user=rep, query="enterp"), "account") == ["Wayne Enterprises"]
    # only from the start of a word, not from its middle
    assert _titles(global_search(user=rep, query="ngines"), "lead") == []


def test_the_word_search_uses_the_trigram_index(rep):
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT id FROM leads_lead WHERE UPPER(crm_unaccent(company)) LIKE '% ENGINES%'")
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")

    assert "lead_company_words_idx" in plan


def test_the_word_indexes_sample_enough_rows_for_the_planner_to_size_a_common_word():
    # A word in 2% of company names must be estimated near its real size, or the search reads
    # every match and sorts it instead of walking the newest leads until a page is full.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attstattarget FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid "
            "AND a.attnum = 1 WHERE c.relname IN "
            "('lead_company_words_idx', 'account_name_words_idx', 'opportunity_name_words_idx')"
        )
        targets = dict(cursor.fetchall())

    assert targets == {
        "lead_company_words_idx": 1000,
        "account_name_words_idx": 1000,
        "opportunity_name_words_idx": 1000,
    }
