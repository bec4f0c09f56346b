"""Accent-insensitive search and matching: "Garcia" finds "García" and the other way round, in the
global search, the lead list and its API (PostgreSQL's unaccent); the same expressions run on
SQLite, the embedded default, through the Python normalisation."""

import pytest
from django.db import connection
from django.db.utils import ConnectionHandler
from django.urls import reverse

from leads.filters import search_q
from leads.models import Lead
from search.selectors import global_search
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _lead_titles(groups):
    return sorted(hit.title for group in groups if group.object_name == "lead" for hit in group.hits)


def test_the_global_search_ignores_accents_both_ways(rep):
    LeadFactory(owner_user=rep, first_name="José", last_name="García", company="Núñez Hermanos")
    LeadFactory(owner_user=rep, first_name="Maria", last_name="Garcia", company="Acme")

    assert _lead_titles(global_search(user=rep, query="Garcia")) == ["José García", "Maria Garcia"]
    assert _lead_titles(global_search(user=rep, query="garcía")) == ["José García", "Maria Garcia"]
    assert _lead_titles(global_search(user=rep, query="nunez")) == ["José García"]
    assert _lead_titles(global_search(user=rep, query="Jose Garc")) == ["José García"]


def test_the_lead_list_search_ignores_accents(client, rep):
    LeadFactory(owner_user=rep, first_name="José", last_name="García", company="Núñez Hermanos")
    LeadFactory(owner_user=rep, first_name="Ada", last_name="Lovelace", company="Engines")
    client.force_login(rep)

    page = client.get(reverse("leads:list"), {"q": "Garcia", "view": "mine"}).content.decode()
    company = client.get(reverse("leads:list"), {"q": "NUNEZ", "view": "mine"}).content.decode()

    assert "García" in page
    assert "Lovelace" not in page
    assert "García" in company


def test_the_lead_api_search_ignores_accents(api, rep):
    LeadFactory(owner_user=rep, first_name="Zoë", last_name="Ångström", company="Crème Brûlée SA")

    found = api.as_user(rep).get("/api/leads/", {"search": "zoe angs"}).json()["results"]

    assert [lead["last_name"] for lead in found] == ["Ångström"]


def test_the_lead_list_search_reads_the_accent_indexes():
    sql, params = Lead.objects.filter(search_q("García")).order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        # An empty table: keep the planner from reading it whole or walking another index.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_indexscan")

    assert "lead_last_name_search_idx" in plan
    assert "lead_company_search_idx" in plan


def test_the_unaccent_wrapper_is_inlined_to_a_plain_function_call():
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN VERBOSE SELECT UPPER(crm_unaccent(company)) FROM leads_lead")
        plan = " ".join(row[0] for row in cursor.fetchall())

    assert "crm_immutable_unaccent" in plan


def test_the_searches_run_on_sqlite_with_the_python_normalisation():
    handler = ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
    sqlite = handler["default"]
    try:
        with sqlite.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE leads_lead (id integer PRIMARY KEY, first_name text, last_name text, "
                "company text, email text)"
            )
            cursor.executemany(
                "INSERT INTO leads_lead VALUES (%s, %s, %s, %s, %s)",
                [(1, "José", "García", "Núñez", "jose@example.com"), (2, "Ada", "Lovelace", "Engines", "ada@x.org")],
            )
        for query, expected in (("Garcia", [1]), ("garcía", [1]), ("jose garc", [1]), ("NUNEZ", [1]), ("ada@", [2])):
            compiled = Lead.objects.filter(search_q(query)).values_list("pk", flat=True).order_by("pk").query
            sql, params = compiled.get_compiler(connection=sqlite).as_sql()
            with sqlite.cursor() as cursor:
                cursor.execute(sql, params)
                assert [row[0] for row in cursor.fetchall()] == expected, query
    finally:
        sqlite.close()
