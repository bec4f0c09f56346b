"""The lean insert of the hottest write paths does what save(force_insert=True) does, and survives a
connection that the database dropped since its last use."""

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.db import _prepared, insert_columns, insert_row, insert_rows
from tests.database import terminate_backend
from webtolead.models import Intake

pytestmark = pytest.mark.django_db


def test_insert_row_stores_every_field_and_sets_the_primary_key():
    intake = Intake(
        form_key="abc",
        payload={"last_name": "Lovelace", "tags": ["a", "b"]},
        content_type="application/json",
        received_at=timezone.now(),
        source_address="2001:db8::1",
        public_ref="ref-insert-row",
    )

    insert_row(intake)

    assert intake.pk is not None
    assert intake._state.adding is False
    stored = Intake.objects.get(pk=intake.pk)
    assert stored.payload == {"last_name": "Lovelace", "tags": ["a", "b"]}
    assert stored.source_address == "2001:db8::1"
    assert stored.outcome == Intake.Outcome.RECEIVED
    assert stored.errors == {}
    assert stored.received_at == intake.received_at


def test_insert_row_keeps_the_database_constraints():
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_row(Intake(form_key="x", received_at=timezone.now(), public_ref="r", outcome="created"))
    assert not Intake.objects.exists()


def test_insert_rows_stores_every_row_in_pages_and_sets_their_primary_keys():
    now = timezone.now()
    intakes = [
        Intake(
            form_key=f"form-{n}",
            payload={"last_name": f"O'Brien %s {n}", "note": "100% ünïcode"},
            received_at=now,
            source_address="192.0.2.1" if n % 2 else None,
            public_ref=f"ref-many-{n}",
        )
        for n in range(5)
    ]

    with CaptureQueriesContext(connection) as queries:
        insert_rows(intakes, page=2)

    assert len([q for q in queries.captured_queries if q["sql"].startswith("INSERT")]) == 3
    assert all(i.pk is not None and i._state.adding is False for i in intakes)
    stored = Intake.objects.in_bulk([i.pk for i in intakes])
    for n, intake in enumerate(intakes):
        row = stored[intake.pk]
        assert row.public_ref == f"ref-many-{n}"
        assert row.payload == {"last_name": f"O'Brien %s {n}", "note": "100% ünïcode"}
        assert row.source_address == ("192.0.2.1" if n % 2 else None)
        assert row.received_at == now


def test_insert_rows_keeps_the_database_constraints():
    rows = [Intake(form_key="x", received_at=timezone.now(), public_ref="r", outcome="created")]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(rows)
    assert not Intake.objects.exists()


def _warm_intake(ref: str) -> Intake:
    return Intake(form_key="warm", received_at=timezone.now(), public_ref=ref)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_a_kept_connection_the_insert_is_its_own_health_check(monkeypatch):
    assert connection.vendor == "postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    insert_row(_warm_intake("first"))
    checks = []
    real = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or real())

    connection.close_if_unusable_or_obsolete()  # what the start of the next request does
    insert_row(_warm_intake("second"))
    assert checks == []  # no SELECT 1 before the INSERT

    connection.close_if_unusable_or_obsolete()
    Intake.objects.count()  # any other query is checked first, as configured
    assert checks == [1]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_connection_the_database_dropped_is_replaced_and_the_row_stored_once():
    assert connection.vendor == "postgresql"
    insert_row(_warm_intake("before"))
    old_pid = connection.connection.get_backend_pid()
    terminate_backend(old_pid)
    connection.close_if_unusable_or_obsolete()

    intake = _warm_intake("after the restart")
    insert_row(intake)

    assert connection.connection.get_backend_pid() != old_pid
    assert Intake.objects.filter(public_ref="after the restart").count() == 1
    assert Intake.objects.get(public_ref="after the restart").pk == intake.pk


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_other_database_errors_are_not_retried():
    assert connection.vendor == "postgresql"
    insert_row(_warm_intake("warm"))
    connection.close_if_unusable_or_obsolete()

    with pytest.raises(IntegrityError):
        insert_row(Intake(form_key="x", received_at=timezone.now(), public_ref="r", outcome="created"))

    assert not Intake.objects.filter(public_ref="r").exists()
    assert Intake.objects.count() == 1


def _statements_on_this_connection() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_outside_a_transaction_the_insert_is_prepared_once_per_connection():
    assert connection.vendor == "postgresql"
    insert_row(_warm_intake("one"))
    assert _statements_on_this_connection() == ["leadcrm_insert_webtolead_intake"]

    with CaptureQueriesContext(connection) as captured:
        insert_row(_warm_intake("two"))
        insert_row(_warm_intake("three"))

    sent = [query["sql"] for query in captured.captured_queries]
    assert len(sent) == 2
    assert all(sql.startswith('EXECUTE "leadcrm_insert_webtolead_intake"') for sql in sent)
    stored = Intake.objects.filter(public_ref__in=["one", "two", "three"])
    assert sorted(stored.values_list("public_ref", flat=True)) == ["one", "three", "two"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_prepared_statement_dropped_behind_its_back_is_prepared_again():
    assert connection.vendor == "postgresql"
    insert_row(_warm_intake("before"))
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what a pooler's DISCARD ALL does

    intake = _warm_intake("after the discard")
    insert_row(intake)

    assert Intake.objects.get(public_ref="after the discard").pk == intake.pk
    assert _statements_on_this_connection() == ["leadcrm_insert_webtolead_intake"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_statement_already_prepared_on_the_server_connection_is_used():
    """A pooler may hand over a server connection on which the statement was prepared already."""
    assert connection.vendor == "postgresql"
    insert_row(_warm_intake("first"))
    _prepared.pop(connection.connection)  # this process no longer knows it prepared it

    insert_row(_warm_intake("second"))

    assert Intake.objects.filter(public_ref="second").count() == 1


def test_inside_a_transaction_the_plain_statement_is_sent():
    with CaptureQueriesContext(connection) as captured:
        insert_row(_warm_intake("in a transaction"))
    assert captured.captured_queries[-1]["sql"].startswith("INSERT INTO")
    assert Intake.objects.filter(public_ref="in a transaction").exists()


def test_text_and_key_values_that_are_not_plain_go_through_the_field():
    """An enum member or a lazy text is converted as ``save()`` converts it."""
    from django.utils.functional import lazy

    lazy_text = lazy(lambda: "lazy reference", str)()
    intake = Intake(form_key="x", received_at=timezone.now(), public_ref=lazy_text, outcome=Intake.Outcome.SPAM)
    insert_row(intake)
    stored = Intake.objects.get(pk=intake.pk)
    assert (stored.public_ref, stored.outcome) == ("lazy reference", "spam")


def test_only_plain_fields_skip_their_field_conversion():
    from django.db import models

    from core.db import BOOLEAN, GENERIC, INTEGER, KEY, MOMENT, TEXT, _kind
    from core.models import FieldHistory
    from leads.models import Lead

    kinds = {f.name: _kind(f, postgresql=True) for f in Intake._meta.concrete_fields}
    assert kinds["form_key"] == kinds["public_ref"] == TEXT
    assert kinds["form"] == kinds["lead"] == KEY
    assert kinds["received_at"] == MOMENT
    # JSON, IP addresses, decimals: always through the field.
    assert kinds["payload"] == kinds["source_address"] == GENERIC
    assert _kind(Lead._meta.get_field("annual_revenue"), postgresql=True) == GENERIC
    assert _kind(Lead._meta.get_field("email_opt_out"), postgresql=True) == BOOLEAN
    assert _kind(FieldHistory._meta.get_field("record_version"), postgresql=True) == INTEGER
    assert _kind(models.DateTimeField(auto_now=True), postgresql=True) == GENERIC  # its own pre_save
    # SQLite converts integers and date-times its own way.
    assert _kind(Intake._meta.get_field("received_at"), postgresql=False) == GENERIC
    assert _kind(FieldHistory._meta.get_field("record_version"), postgresql=False) == GENERIC


def test_a_naive_date_time_goes_through_its_field():
    from datetime import datetime

    from core.db import _params, _statement

    naive = datetime(2026, 1, 2, 3, 4, 5)  # the case under test
    statement = _statement(connection, Intake)
    with pytest.warns(RuntimeWarning):
        params = _params(statement, Intake(form_key="x", received_at=naive, public_ref="n"), connection)
    received = params[[f.name for f in statement.fields].index("received_at")]
    assert received.tzinfo is not None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_row_that_need_not_be_durable_commits_without_waiting_for_the_disk_that_once():
    insert_row(_warm_intake("first"))

    with CaptureQueriesContext(connection) as captured:
        insert_row(_warm_intake("telemetry"), durable=False)
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        afterwards = cursor.fetchone()[0]

    (sent,) = [query["sql"] for query in captured.captured_queries]
    assert sent.startswith('SET LOCAL synchronous_commit TO OFF; EXECUTE "leadcrm_insert_webtolead_intake"')
    assert afterwards == "on"  # the setting held for that one commit only
    assert Intake.objects.filter(public_ref="telemetry").exists()


def _outbox_values(n: int, **extra) -> dict:
    return {
        "idempotency_key": [f"bulk-{i}" for i in range(n)],
        "to_address": [f"p{i}@example.com" for i in range(n)],
        "subject": [f"Hello {i}" for i in range(n)],
        "body_text": ["Body"] * n,
        "record_id": list(range(n)),
        **extra,
    }


def test_insert_columns_stores_each_rows_values_the_shared_ones_and_the_defaults_in_one_statement():
    from emails.models import OutboundEmail

    now = timezone.now()
    with CaptureQueriesContext(connection) as captured:
        pks = insert_columns(
            OutboundEmail,
            rows=_outbox_values(3),
            same={"kind": "nurture", "is_marketing": True, "next_attempt_at": now, "created_at": now},
        )

    assert len(captured.captured_queries) == 1
    rows = list(OutboundEmail.objects.filter(pk__in=pks).order_by("record_id"))
    assert [row.pk for row in rows] == pks  # the keys answered in the order of the rows
    assert [(r.idempotency_key, r.to_address, r.subject, r.record_id) for r in rows] == [
        ("bulk-0", "p0@example.com", "Hello 0", 0),
        ("bulk-1", "p1@example.com", "Hello 1", 1),
        ("bulk-2", "p2@example.com", "Hello 2", 2),
    ]
    first = rows[0]
    assert (first.kind, first.is_marketing, first.next_attempt_at, first.created_at) == ("nurture", True, now, now)
    # Not named: the field's default, and the time now for auto_now.
    assert (first.status, first.attempts, first.body_html, first.template_id) == ("queued", 0, "", None)
    assert first.updated_at >= now
    # A column whose rows all have one value is sent once, as the shared ones are.
    assert [r.body_text for r in rows] == ["Body"] * 3
    assert captured.captured_queries[0]["sql"].count("'Body'") == 1


def test_insert_columns_converts_values_that_are_not_plain_and_refuses_what_the_columns_cannot_hold():
    from emails.models import OutboundEmail

    now = timezone.now()
    same = {"kind": OutboundEmail.Kind.NURTURE, "next_attempt_at": now, "created_at": now}
    (pk,) = insert_columns(OutboundEmail, rows=_outbox_values(1, status=[OutboundEmail.Status.SENDING]), same=same)
    assert OutboundEmail.objects.get(pk=pk).status == "sending"

    # Too long for the column: refused, never cut short.
    with pytest.raises(DataError), transaction.atomic():
        insert_columns(
            OutboundEmail, rows=_outbox_values(1, subject=["x" * 300]) | {"idempotency_key": ["long"]}, same=same
        )
    with pytest.raises(ValueError, match="no insertable fields"):
        insert_columns(OutboundEmail, rows={"nonsense": [1]})
    with pytest.raises(ValueError, match="one value per row"):
        insert_columns(OutboundEmail, rows={"subject": ["a"], "body_text": []})
    assert insert_columns(OutboundEmail, rows={"subject": []}) == []


def test_insert_rows_stores_every_field_of_the_instances_and_sets_their_keys():
    intakes = [
        Intake(form_key=f"k{i}", payload={"n": i}, received_at=timezone.now(), public_ref=f"bulk-ref-{i}")
        for i in range(3)
    ]

    with CaptureQueriesContext(connection) as captured:
        insert_rows(intakes)

    assert len(captured.captured_queries) == 1
    assert all(intake.pk and intake._state.adding is False for intake in intakes)
    stored = {i.pk: i for i in Intake.objects.filter(pk__in=[i.pk for i in intakes])}
    assert [stored[i.pk].payload for i in intakes] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert [stored[i.pk].public_ref for i in intakes] == ["bulk-ref-0", "bulk-ref-1", "bulk-ref-2"]
    assert stored[intakes[0].pk].outcome == Intake.Outcome.RECEIVED
