"""The batched lead intake gives every row what the single-lead path gives it: the same lead, owner
(round-robin turns and weighted counts included), Field History, auto-response and campaign notes,
and the same refusal for a bad row, which never stops the others."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import FieldHistory
from core.registry import _lead_campaign_hooks, register_lead_campaign_hook
from emails.models import OutboundEmail
from emails.services import (
    autoresponse_entry_create,
    autoresponse_rule_activate,
    autoresponse_rule_create,
    autoresponse_settings_update,
    email_template_create,
)
from leads.intake import IntakeOptions, IntakeRow, IntakeRules, intake_batch, lead_intake
from leads.models import Lead
from leads.routing import services as routing
from leads.routing.models import RuleEntry
from tests.factories import QueueFactory, UserFactory

pytestmark = pytest.mark.django_db

LEAD_FIELDS = [
    "first_name",
    "last_name",
    "company",
    "email",
    "country",
    "lead_source",
    "status",
    "annual_revenue",
    "email_opt_out",
    "owner_user_id",
    "owner_queue_id",
    "version",
    "created_by_id",
    "last_modified_by_id",
    "custom_fields",
    "is_converted",
]


@pytest.fixture
def routing_and_responses(marketing_admin, rep):
    """A rule with a queue entry, a round-robin entry, a weighted round-robin entry, a user entry and a
    "keep the owner" entry; the default owner is a queue. An auto-response rule with one entry and a
    default template that merges lead fields and the owner."""
    members = [UserFactory(role="Sales rep", username=f"member{i}") for i in range(3)]
    inbound, round_robin, default = QueueFactory(name="Inbound"), QueueFactory(name="Pool"), QueueFactory(name="Rest")
    round_robin.members.set(members)
    rule = routing.rule_create(name="Routing", acting_user=marketing_admin)
    for values in [
        {"criteria": [{"field": "company", "operator": "starts_with", "value": "Keep"}], "do_not_reassign": True},
        {
            "criteria": [{"field": "country", "operator": "equals", "value": "UK"}],
            "assign_to": "queue",
            "assign_queue": inbound,
        },
        {
            "criteria": [{"field": "country", "operator": "equals", "value": "FR"}],
            "assign_to": "rr_queue",
            "assign_queue": round_robin,
        },
        {
            "criteria": [{"field": "country", "operator": "equals", "value": "DE"}],
            "assign_to": "rr_queue",
            "assign_queue": round_robin,
            "weighted": True,
        },
        {
            "criteria": [{"field": "country", "operator": "equals", "value": "US"}],
            "assign_to": "user",
            "assign_user": members[0],
        },
    ]:
        routing.entry_save(rule=rule, data=routing.EntryInput(**values), acting_user=marketing_admin)
    routing.rule_activate(rule=rule, acting_user=marketing_admin)
    routing.lead_settings_update(
        acting_user=marketing_admin, default_owner=default, opportunity_required_on_convert=False
    )
    web = email_template_create(
        data={
            "name": "Web thanks",
            "subject": "Thanks {{Lead.FirstName|there}}",
            "body_text": "Owner {{Lead.Owner.Name}}",
        },
        acting_user=marketing_admin,
    )
    other = email_template_create(
        data={
            "name": "Other thanks",
            "subject": "Hello {{Lead.LastName}}",
            "body_text": "Revenue {{Lead.AnnualRevenue}} at {{Lead.Company}}",
            "body_html": "<p>Hi {{Lead.FirstName}}</p>",
        },
        acting_user=marketing_admin,
    )
    responses = autoresponse_rule_create(name="Responses", acting_user=marketing_admin)
    autoresponse_entry_create(
        rule=responses,
        data={"criteria": [{"field": "lead_source", "operator": "equals", "value": "Website"}], "template": web},
        acting_user=marketing_admin,
    )
    autoresponse_rule_activate(rule=responses, acting_user=marketing_admin)
    autoresponse_settings_update(default_template=other, acting_user=marketing_admin)
    return members


@pytest.fixture
def campaign_hook():
    """A campaign hook as the campaigns app registers one: notes per lead id."""
    joined = []

    def hook(*, items, acting_user, **kwargs):
        joined.extend((lead.pk, campaign) for lead, campaign in items)
        return {lead.pk: [f"joined {campaign}"] for lead, campaign in items}

    register_lead_campaign_hook(hook)
    yield joined
    _lead_campaign_hooks.remove(hook)


rows_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "first_name": st.sampled_from(["", "Ada", "  Grace  ", "Zoë"]),
            "last_name": st.sampled_from(["Lovelace", "Hopper", "", "O'Brien"]),
            "company": st.sampled_from(["Keep Co", "Engines", "Acme", ""]),
            "country": st.sampled_from(["UK", "FR", "DE", "US", "", "Nowhere"]),
            "email": st.sampled_from(["ada@example.net", "", "not-an-email", "grace@example.org"]),
            "lead_source": st.sampled_from(["Website", "", "Not a source"]),
            "annual_revenue": st.sampled_from(["", "12.5", "-3", "abc", "1000000"]),
            "email_opt_out": st.booleans(),
        }
    ),
    min_size=1,
    max_size=12,
)


class _Undo(Exception):
    pass


def _snapshot(answers) -> list:
    """What each row came to, without ids and times: the error, or the lead, its history, its
    outbox rows and its campaign notes."""
    out = []
    for answer in answers:
        if isinstance(answer, ValidationError):
            out.append(("refused", sorted((k, sorted(v)) for k, v in answer.message_dict.items())))
            continue
        lead = Lead.objects.get(pk=answer.lead.pk)
        history = list(
            FieldHistory.objects.filter(object_name="lead", record_id=lead.pk)
            .order_by("id")
            .values_list("field_name", "old_value", "new_value", "note", "record_version", "changed_by_id")
        )
        emails = list(
            OutboundEmail.objects.filter(object_name="lead", record_id=lead.pk)
            .order_by("id")
            .values_list("kind", "to_address", "subject", "body_text", "body_html", "template_id", "idempotency_key")
        )
        emails = [(*e[:-1], e[-1].replace(f":{lead.pk}:", ":<lead>:")) for e in emails]
        assignment = answer.assignment
        out.append(
            (
                "lead",
                {name: getattr(lead, name) for name in LEAD_FIELDS},
                history,
                emails,
                answer.notes,
                (assignment.entry_number, assignment.changed, assignment.used_default, assignment.kept, assignment.note)
                if assignment
                else None,
                lead.created_at == lead.owner_assigned_at or lead.version > 1,
            )
        )
    cursors = dict(RuleEntry.objects.values_list("sort_order", "last_assigned_user_id"))
    return [out, cursors]


def _one_at_a_time(rows, options, user):
    answers = []
    for row in rows:
        try:
            answers.append(
                lead_intake(
                    data=dict(row.data),
                    acting_user=user,
                    source=options.source,
                    owner=row.owner,
                    assign=options.assign,
                    auto_respond=options.auto_respond,
                    note=options.note,
                    campaign=row.campaign,
                )
            )
        except ValidationError as exc:
            answers.append(exc)
    return answers


def _both_ways(rows, options, user):
    """The snapshot of each path on the same starting state (each run rolled back)."""
    taken = {}
    for name in ("single", "batch"):
        try:
            with transaction.atomic():
                if name == "single":
                    answers = _one_at_a_time(rows, options, user)
                else:
                    answers = intake_batch(rows=rows, options=options, acting_user=user)
                taken[name] = _snapshot(answers)
                raise _Undo
        except _Undo:
            pass
    return taken["single"], taken["batch"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=rows_strategy, campaigns=st.lists(st.sampled_from(["", "Spring"]), min_size=12, max_size=12))
def test_a_batch_gives_each_row_what_one_at_a_time_gives_it(raw, campaigns, rep, routing_and_responses, campaign_hook):
    rows = [IntakeRow(data=data, campaign=campaign) for data, campaign in zip(raw, campaigns, strict=False)]
    options = IntakeOptions(source="import", assign=True, auto_respond=True, note="Import: people.csv")

    single, batch = _both_ways(rows, options, rep)

    assert batch == single


def test_round_robin_turns_and_weighted_counts_move_on_within_a_batch(rep, routing_and_responses):
    # given a burst of leads for the plain and the weighted round-robin entries, and members who
    # already hold open leads
    members = routing_and_responses
    for _ in range(2):
        lead_intake(
            data={"last_name": "Old", "company": "X", "country": "US"}, acting_user=rep, source="api", assign=True
        )
    rows = [
        IntakeRow(data={"last_name": f"L{n}", "company": "Acme", "country": ["FR", "DE"][n % 2]}) for n in range(10)
    ]
    options = IntakeOptions(source="webtolead", assign=True)

    single, batch = _both_ways(rows, options, rep)

    # then both paths spread them the same way, and the weighted entry first fed the members
    # holding fewer leads
    assert batch == single
    owners = [row[1]["owner_user_id"] for row in batch[0]]
    assert set(owners[0::2]) == {m.pk for m in members}  # plain turns visit everybody
    assert members[0].pk not in owners[1:4:2]  # weighted: the member with two open leads waits


def test_a_refused_row_never_stops_the_batch_and_nothing_is_left_of_it(rep, routing_and_responses):
    rows = [
        IntakeRow(data={"last_name": "Good", "company": "Acme", "email": "good@example.net"}),
        IntakeRow(data={"last_name": "", "company": "Acme"}),
        IntakeRow(data={"last_name": "Also", "company": "Acme", "unknown_field": "x"}),
        IntakeRow(data={"last_name": "Fine", "company": "Acme", "country": "UK"}),
    ]

    answers = intake_batch(
        rows=rows, options=IntakeOptions(source="import", assign=True, auto_respond=True), acting_user=rep
    )

    assert [isinstance(a, ValidationError) for a in answers] == [False, True, True, False]
    assert "last_name" in answers[1].message_dict
    assert sorted(Lead.objects.values_list("last_name", flat=True)) == ["Fine", "Good"]
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.AUTO_RESPONSE).count() == 1


def test_a_batch_inserts_its_leads_history_and_outbox_rows_together_and_hands_them_over_once(
    rep, routing_and_responses, django_capture_on_commit_callbacks, monkeypatch
):
    from emails import tasks as email_tasks

    handed_over = []
    monkeypatch.setattr(email_tasks.deliver_outbound_emails, "apply_async", lambda args: handed_over.append(args[0]))
    rows = [
        IntakeRow(data={"last_name": f"L{n}", "company": "Acme", "email": f"p{n}@example.net", "country": "UK"})
        for n in range(200)
    ]
    options = IntakeOptions(source="webtolead", assign=True, auto_respond=True)

    with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
        answers = intake_batch(rows=rows, options=options, acting_user=rep, rules=IntakeRules.load(options))

    inserts = [q["sql"].split(" (")[0] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert inserts.count('INSERT INTO "leads_lead"') == 1
    assert inserts.count('INSERT INTO "emails_outboundemail"') == 1
    assert inserts.count('INSERT INTO "core_fieldhistory"') == 2  # created and routed; auto-responses
    assert all(a.autoresponse is not None for a in answers)
    assert handed_over == [[a.autoresponse.pk for a in answers]]  # one task for the whole batch


def test_a_batch_that_fails_in_the_database_is_made_row_by_row(rep, routing_and_responses, monkeypatch):
    from django.db import IntegrityError

    from leads.intake import batch as batch_module

    def broken(**kwargs):
        raise IntegrityError("a constraint nobody foresaw")

    monkeypatch.setattr(batch_module, "_intake_together", broken)
    rows = [IntakeRow(data={"last_name": n, "company": "Acme"}) for n in ("A", "B")] + [
        IntakeRow(data={"company": "X"})
    ]

    answers = intake_batch(rows=rows, options=IntakeOptions(source="import"), acting_user=rep)

    assert [isinstance(a, ValidationError) for a in answers] == [False, False, True]
    assert Lead.objects.count() == 2
