"""The global search reads the newest records first: the answer is the one reading every match
gives, whether the newest records hold enough matches or not."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.registry import searchable_objects
from search import selectors
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_spec():
    return next(spec for spec in searchable_objects() if spec.object_name == "lead")


@pytest.fixture
def leads(rep):
    start = timezone.now() - datetime.timedelta(days=30)
    made = [LeadFactory(owner_user=rep, last_name="Old", company="Zeta Partners", created_at=start)]
    for day in range(1, 10):
        made.append(
            LeadFactory(
                owner_user=rep,
                last_name=f"New {day}",
                company=f"Acme {day}",
                created_at=start + datetime.timedelta(days=day),
            )
        )
    return made


def _lead_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if 'FROM "leads_lead"' in q["sql"]]


def _everything(spec, rep, query, count):
    return list(selectors.search_records(spec, user=rep, query=query)[:count])


def test_a_common_query_is_answered_from_the_newest_records(monkeypatch, lead_spec, rep, leads):
    monkeypatch.setattr(selectors, "RECENT_WINDOW", 5)

    with CaptureQueriesContext(connection) as queries:
        found = selectors.first_matches(lead_spec, user=rep, query="acme", count=3)

    assert found == _everything(lead_spec, rep, "acme", 3)
    assert [lead.company for lead in found] == ["Acme 9", "Acme 8", "Acme 7"]
    cutoff, recent = _lead_queries(queries)  # no read of every match
    assert "OFFSET 5" in cutoff
    assert '"leads_lead"."created_at" >=' in recent


def test_a_rare_query_reads_every_match(monkeypatch, lead_spec, rep, leads):
    monkeypatch.setattr(selectors, "RECENT_WINDOW", 5)

    found = selectors.first_matches(lead_spec, user=rep, query="zeta", count=6)

    assert [lead.company for lead in found] == ["Zeta Partners"]


def test_a_small_table_is_searched_whole(lead_spec, rep, leads):
    with CaptureQueriesContext(connection) as queries:
        found = selectors.first_matches(lead_spec, user=rep, query="acme", count=6)

    assert found == _everything(lead_spec, rep, "acme", 6)
    cutoff, every = _lead_queries(queries)
    assert "OFFSET 5000" in cutoff
    assert '"leads_lead"."created_at" >=' not in every
