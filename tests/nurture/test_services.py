"""Sequences, enrolment, exits and the scheduler on PostgreSQL (tasks run inline)."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import registry
from emails.models import OutboundEmail
from engagement.models import EngagementEvent
from leads.services import lead_update
from nurture import services
from nurture.models import NurtureEnrolment, NurtureSend
from tests.factories import QueueFactory

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _enrol(sequence, leads, user, **kw):
    return services.enrol_leads(sequence=sequence, lead_ids=[lead.pk for lead in leads], acting_user=user, **kw)


def _subjects(lead):
    return list(
        OutboundEmail.objects.filter(object_name="lead", record_id=lead.pk, kind="nurture")
        .order_by("id")
        .values_list("subject", flat=True)
    )


def test_a_three_step_sequence_sends_each_email_once_as_time_passes(three_step_sequence, nurture_leads, rep, tick):
    (lead,) = nurture_leads(1, first_name="Ann")
    _enrol(three_step_sequence, [lead], rep)
    start = timezone.now()

    tick(now=start)
    tick(now=start + DAY)  # still waiting
    assert _subjects(lead) == ["Welcome for Ann"]

    tick(now=start + 3 * DAY + dt.timedelta(seconds=1))
    tick(now=start + 3 * DAY + dt.timedelta(seconds=2))
    assert _subjects(lead) == ["Welcome for Ann", "Tips for Ann"]

    tick(now=start + 8 * DAY)
    enrolment = NurtureEnrolment.objects.get(lead=lead)
    assert _subjects(lead) == ["Welcome for Ann", "Tips for Ann", "Offer for Ann"]
    assert enrolment.status == "completed"
    assert enrolment.next_run_at is None
    assert sorted(m.subject for m in mail.outbox) == ["Offer for Ann", "Tips for Ann", "Welcome for Ann"]
    assert all(m.from_email == "Acme Marketing <news@acme.example>" for m in mail.outbox)


def test_the_send_is_listed_on_the_lead(three_step_sequence, nurture_leads, rep, tick):
    from emails.selectors import emails_for_record

    (lead,) = nurture_leads(1, first_name="Bo")
    _enrol(three_step_sequence, [lead], rep)
    tick()
    (email,) = emails_for_record(object_name="lead", record_id=lead.pk)
    assert email.subject == "Welcome for Bo"
    assert email.is_marketing
    assert NurtureEnrolment.objects.get(lead=lead).last_sent_at is not None


def test_a_lead_is_in_a_sequence_once_at_a_time(three_step_sequence, nurture_leads, rep):
    (lead,) = nurture_leads(1)
    first = _enrol(three_step_sequence, [lead], rep)
    second = _enrol(three_step_sequence, [lead], rep)
    assert (first.enrolled, second.already) == ([lead.pk], [lead.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        NurtureEnrolment.objects.create(
            sequence=three_step_sequence, lead=lead, enrolled_at=timezone.now(), next_run_at=timezone.now()
        )
    # Once the enrolment ended, the lead may be enrolled again.
    services.enrolment_remove(enrolment=NurtureEnrolment.objects.get(lead=lead), acting_user=rep)
    assert _enrol(three_step_sequence, [lead], rep).enrolled == [lead.pk]


def test_enrolment_refuses_leads_that_cannot_be_mailed_or_changed(three_step_sequence, nurture_leads, rep, other_rep):
    opted, no_email, fine = nurture_leads(3)
    opted.email_opt_out = True
    opted.save()
    no_email.email = ""
    no_email.save()
    result = _enrol(three_step_sequence, [opted, no_email, fine], rep)
    assert result.enrolled == [fine.pk]
    assert set(result.refused) == {opted.pk, no_email.pk}
    assert _enrol(three_step_sequence, [fine], other_rep).refused == {fine.pk: "You may not change this lead."}


def test_a_draft_sequence_takes_no_leads(lead_fields, marketing_admin, nurture_leads):
    sequence = services.sequence_create(data={"name": "Draft"}, acting_user=marketing_admin)
    with pytest.raises(ValidationError):
        _enrol(sequence, nurture_leads(1), marketing_admin)
    with pytest.raises(ValidationError) as exc:
        services.sequence_set_status(sequence=sequence, status="active", acting_user=marketing_admin)
    assert "Add at least one email step." in exc.value.message_dict["status"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"email_opt_out": True}, "opted_out"),
        ({"email": "not-an-address"}, "invalid_email"),
        ({"status": "Working"}, "status_changed"),
    ],
)
def test_exit_conditions_are_checked_before_the_next_send(
    three_step_sequence, nurture_leads, rep, marketing_admin, change, reason, tick
):
    services.sequence_update(
        sequence=three_step_sequence, data={"lead_statuses": ["New", "Nurturing"]}, acting_user=marketing_admin
    )
    three_step_sequence.refresh_from_db()
    (lead,) = nurture_leads(1)
    _enrol(three_step_sequence, [lead], rep)
    tick()
    for key, value in change.items():
        setattr(lead, key, value)
    lead.save()

    tick(now=timezone.now() + 4 * DAY)

    enrolment = NurtureEnrolment.objects.get(lead=lead)
    assert (enrolment.status, enrolment.exit_reason) == ("exited", reason)
    assert len(_subjects(lead)) == 1


def test_a_bounced_email_ends_the_enrolment(three_step_sequence, nurture_leads, rep, tick):
    (lead,) = nurture_leads(1)
    _enrol(three_step_sequence, [lead], rep)
    tick()
    OutboundEmail.objects.filter(record_id=lead.pk).update(status="failed", last_error="550 no such user")
    tick(now=timezone.now() + 4 * DAY)
    assert NurtureEnrolment.objects.get(lead=lead).exit_reason == "bounced"


def test_mql_from_a_registered_provider_ends_the_enrolment(three_step_sequence, nurture_leads, rep, monkeypatch, tick):
    hot, cold = nurture_leads(2)
    monkeypatch.setattr(registry, "_mql_providers", [lambda lead_ids: {hot.pk} & set(lead_ids)])
    _enrol(three_step_sequence, [hot, cold], rep)
    tick()
    assert NurtureEnrolment.objects.get(lead=hot).exit_reason == "mql"
    assert _subjects(hot) == []
    assert len(_subjects(cold)) == 1


def test_conversion_and_opt_out_hooks_end_enrolments_at_once(three_step_sequence, nurture_leads, rep, tick):
    opted, converted = nurture_leads(2)
    _enrol(three_step_sequence, [opted, converted], rep)
    registry.run_email_opt_out_hooks(object_name="lead", record_id=opted.pk)

    class Conversion:
        lead_id = converted.pk

    services.on_conversion(conversion=Conversion())
    assert dict(NurtureEnrolment.objects.values_list("lead_id", "exit_reason")) == {
        opted.pk: "opted_out",
        converted.pk: "converted",
    }
    assert tick().sent == 0


def test_pausing_a_sequence_exits_its_enrolments_with_the_reason(
    three_step_sequence, nurture_leads, rep, marketing_admin, tick
):
    first, second = nurture_leads(2)
    _enrol(three_step_sequence, [first, second], rep)
    tick()
    held = services.enrolment_pause(enrolment=NurtureEnrolment.objects.get(lead=second), acting_user=rep)
    assert held.status == "paused"

    services.sequence_set_status(sequence=three_step_sequence, status="paused", acting_user=marketing_admin)

    ended = NurtureEnrolment.objects.filter(sequence=three_step_sequence)
    assert sorted(ended.values_list("status", "exit_reason")) == [("exited", "sequence_paused")] * 2
    assert all(e.ended_at is not None and e.ended_by == marketing_admin for e in ended)
    services.sequence_set_status(sequence=three_step_sequence, status="active", acting_user=marketing_admin)
    assert tick(now=timezone.now() + 10 * DAY).processed == 0
    assert len(_subjects(first)) == 1


def test_a_paused_sequence_takes_no_enrolment_until_resumed(three_step_sequence, nurture_leads, rep, marketing_admin):
    (lead,) = nurture_leads(1)
    services.sequence_set_status(sequence=three_step_sequence, status="paused", acting_user=marketing_admin)
    with pytest.raises(ValidationError) as exc:
        _enrol(three_step_sequence, [lead], rep)
    assert "paused" in str(exc.value)
    services.sequence_set_status(sequence=three_step_sequence, status="active", acting_user=marketing_admin)
    assert _enrol(three_step_sequence, [lead], rep).enrolled == [lead.pk]


def test_the_scheduler_exits_an_enrolment_whose_sequence_is_no_longer_active(nurture_leads, rep, three_step_sequence):
    from nurture.services.scheduler import _EnrolmentFacts

    (lead,) = nurture_leads(1)
    _enrol(three_step_sequence, [lead], rep)
    enrolment = NurtureEnrolment.objects.select_related("lead", "sequence").get(lead=lead)
    enrolment.sequence.status = "paused"  # paused by another transaction after the batch read it
    batch = type("Batch", (), {"sent_statuses": {}, "mql": set()})()
    assert _EnrolmentFacts(batch, enrolment).exit_reason() == "sequence_paused"


def test_a_paused_enrolment_sends_nothing_until_resumed(three_step_sequence, nurture_leads, rep, tick):
    (lead,) = nurture_leads(1)
    _enrol(three_step_sequence, [lead], rep)
    enrolment = services.enrolment_pause(enrolment=NurtureEnrolment.objects.get(lead=lead), acting_user=rep)
    assert tick().sent == 0
    services.enrolment_resume(enrolment=enrolment, acting_user=rep)
    assert tick().sent == 1


def test_the_send_window_holds_emails_until_it_opens(three_step_sequence, nurture_leads, rep, marketing_admin, tick):
    services.sequence_update(
        sequence=three_step_sequence,
        data={
            "send_window_start": "09:00",
            "send_window_end": "17:00",
            "send_days": [0, 1, 2, 3, 4],
            "time_zone": "Europe/Paris",
        },
        acting_user=marketing_admin,
    )
    (lead,) = nurture_leads(1)
    _enrol(three_step_sequence, [lead], rep)
    saturday_night = dt.datetime(2026, 12, 5, 22, 0, tzinfo=dt.UTC)
    NurtureEnrolment.objects.update(next_run_at=saturday_night)

    assert tick(now=saturday_night).sent == 0
    enrolment = NurtureEnrolment.objects.get(lead=lead)
    assert enrolment.next_run_at == dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)  # Monday 09:00 in Paris
    assert tick(now=enrolment.next_run_at).sent == 1


def test_the_throttle_caps_emails_per_minute_across_ticks(three_step_sequence, nurture_leads, rep, settings, tick):
    settings.NURTURE_EMAILS_PER_MINUTE = 3
    leads = nurture_leads(5)
    _enrol(three_step_sequence, leads, rep)
    now = timezone.now()
    assert tick(now=now).sent == 3
    assert tick(now=now + dt.timedelta(seconds=10)).sent == 0
    assert tick(now=now + dt.timedelta(seconds=61)).sent == 2
    assert NurtureSend.objects.count() == 5


def test_a_branch_on_opening_the_first_email(lead_fields, make_template, marketing_admin, nurture_leads, rep, tick):
    sequence = services.sequence_create(data={"name": "Openers"}, acting_user=marketing_admin)
    first = services.step_create(
        sequence=sequence, data={"kind": "email", "template": make_template("Hello").pk}, acting_user=marketing_admin
    )
    services.step_create(sequence=sequence, data={"kind": "wait", "wait_days": 2}, acting_user=marketing_admin)
    branch = services.step_create(
        sequence=sequence,
        data={"kind": "branch", "condition": "opened", "ref_step": first.pk},
        acting_user=marketing_admin,
    )
    services.step_create(
        sequence=sequence,
        data={"kind": "email", "template": make_template("For openers").pk},
        acting_user=marketing_admin,
    )
    sequence = services.sequence_set_status(sequence=sequence, status="active", acting_user=marketing_admin)
    opener, ignorer = nurture_leads(2)
    _enrol(sequence, [opener, ignorer], rep)
    tick()
    email = OutboundEmail.objects.get(record_id=opener.pk)
    now = timezone.now()
    EngagementEvent.objects.create(
        lead=opener, event_type="email_open", occurred_at=now, recorded_at=now, outbound_email=email, source="test"
    )

    tick(now=now + 3 * DAY)

    assert len(_subjects(opener)) == 2
    assert len(_subjects(ignorer)) == 1
    assert NurtureEnrolment.objects.get(lead=ignorer).exit_reason == "branch"
    assert branch.else_step_id is None


def test_a_branch_on_lead_fields_jumps_forward_and_actions_run(
    lead_fields, make_template, marketing_admin, nurture_leads, rep, tick
):
    queue = QueueFactory(name="Hot leads")
    sequence = services.sequence_create(data={"name": "Router"}, acting_user=marketing_admin)
    services.step_create(
        sequence=sequence, data={"kind": "email", "template": make_template("Hi").pk}, acting_user=marketing_admin
    )
    branch = services.step_create(
        sequence=sequence,
        data={
            "kind": "branch",
            "condition": "criteria",
            "criteria": [{"field": "industry", "operator": "equals", "value": "Banking"}],
        },
        acting_user=marketing_admin,
    )
    services.step_create(
        sequence=sequence,
        data={"kind": "action", "action": "move_to_queue", "action_queue": queue.pk},
        acting_user=marketing_admin,
    )
    services.step_create(sequence=sequence, data={"kind": "action", "action": "exit"}, acting_user=marketing_admin)
    working = services.step_create(
        sequence=sequence,
        data={"kind": "action", "action": "change_status", "action_status": "Working"},
        acting_user=marketing_admin,
    )
    services.step_update(
        step=branch,
        data={
            "condition": "criteria",
            "criteria": [{"field": "industry", "operator": "equals", "value": "Banking"}],
            "else_step": working.pk,
        },
        acting_user=marketing_admin,
    )
    sequence = services.sequence_set_status(sequence=sequence, status="active", acting_user=marketing_admin)
    banker, baker = nurture_leads(2)
    banker.industry, baker.industry = "Banking", "Food"
    banker.save()
    baker.save()
    _enrol(sequence, [banker, baker], rep)

    tick()

    banker.refresh_from_db()
    baker.refresh_from_db()
    assert banker.owner_queue == queue
    assert banker.status == "New"
    assert baker.status == "Working"
    assert baker.owner_user == rep
    assert NurtureEnrolment.objects.get(lead=banker).exit_reason == "exit_step"
    assert NurtureEnrolment.objects.get(lead=baker).status == "completed"


def test_a_branch_may_not_jump_backwards(three_step_sequence, marketing_admin):
    first = three_step_sequence.steps.get(position=1)
    with pytest.raises(ValidationError) as exc:
        services.step_create(
            sequence=three_step_sequence,
            data={"kind": "branch", "condition": "score", "score_min": 50, "else_step": first.pk},
            acting_user=marketing_admin,
        )
    assert "else_step" in exc.value.message_dict


def test_step_validation_names_the_fields(three_step_sequence, marketing_admin):
    for data, field in (
        ({"kind": "email"}, "template"),
        ({"kind": "wait"}, "wait_days"),
        ({"kind": "wait", "wait_days": 1, "wait_weekday": 2}, "wait_days"),
        (
            {
                "kind": "branch",
                "condition": "criteria",
                "criteria": [{"field": "Nope", "operator": "equals", "value": 1}],
            },
            "criteria",
        ),
        ({"kind": "action", "action": "change_status", "action_status": "Qualified"}, "action_status"),
        ({"kind": "teleport"}, "kind"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.step_create(sequence=three_step_sequence, data=data, acting_user=marketing_admin)
        assert field in exc.value.message_dict, data


def test_only_admins_build_sequences(lead_fields, rep):
    with pytest.raises(PermissionError):
        services.sequence_create(data={"name": "Mine"}, acting_user=rep)


def test_moving_and_deleting_steps_renumbers_them(three_step_sequence, marketing_admin):
    offer = three_step_sequence.steps.get(position=5)
    services.step_move(step=offer, direction=-1, acting_user=marketing_admin)
    assert list(three_step_sequence.steps.order_by("position").values_list("kind", flat=True)) == [
        "email",
        "wait",
        "email",
        "email",
        "wait",
    ]
    services.step_delete(step=three_step_sequence.steps.get(position=2), acting_user=marketing_admin)
    assert list(three_step_sequence.steps.order_by("position").values_list("position", flat=True)) == [1, 2, 3, 4]


def test_an_enrolment_rule_enrols_a_lead_whose_status_becomes_nurturing_once(
    three_step_sequence, nurture_leads, rep, marketing_admin
):
    rule = services.enrolment_rule_create(name="Nurture them", acting_user=marketing_admin)
    services.enrolment_entry_create(
        rule=rule,
        data={
            "criteria": [{"field": "status", "operator": "equals", "value": "Nurturing"}],
            "sequence": three_step_sequence.pk,
        },
        acting_user=marketing_admin,
    )
    services.enrolment_rule_activate(rule=rule, acting_user=marketing_admin)
    (lead,) = nurture_leads(1)

    lead = lead_update(lead=lead, data={"status": "Nurturing"}, acting_user=rep)
    enrolment = NurtureEnrolment.objects.get(lead=lead)
    assert (enrolment.source, enrolment.status) == ("rule", "active")
    services.enrolment_remove(enrolment=enrolment, acting_user=rep)
    lead_update(lead=lead, data={"title": "CTO"}, acting_user=rep)
    assert NurtureEnrolment.objects.filter(lead=lead).count() == 1  # the rule does not enrol it again


def test_step_statistics(three_step_sequence, nurture_leads, rep, tick):
    from nurture.selectors import step_statistics

    a, b = nurture_leads(2)
    _enrol(three_step_sequence, [a, b], rep)
    tick()
    email = OutboundEmail.objects.get(record_id=a.pk)
    now = timezone.now()
    EngagementEvent.objects.create(
        lead=a, event_type="email_click", occurred_at=now, recorded_at=now, outbound_email=email, source="t"
    )
    services.enrolment_remove(enrolment=NurtureEnrolment.objects.get(lead=b), acting_user=rep)
    stats = {s.step.position: s for s in step_statistics(sequence=three_step_sequence)}
    assert (stats[1].sent, stats[1].opened, stats[1].clicked) == (2, 1, 1)
    assert (stats[3].waiting, stats[3].exited) == (1, 1)
    assert stats[3].sent == 0


def test_the_sequence_lag_is_a_backlog_gauge(three_step_sequence, nurture_leads, rep, settings, client):
    from prometheus_client.parser import text_string_to_metric_families

    settings.METRICS_TOKEN = "nurture-scrape-token-0123456789"
    _enrol(three_step_sequence, nurture_leads(2), rep)
    NurtureEnrolment.objects.update(next_run_at=timezone.now() - dt.timedelta(minutes=5))

    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer nurture-scrape-token-0123456789")

    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.content.decode())
        for s in family.samples
    }
    assert samples[("leadcrm_backlog_pending", (("backlog", "sequences"),))] == 2
    assert 295 <= samples[("leadcrm_backlog_lag_seconds", (("backlog", "sequences"),))] < 400


def test_an_enrolment_that_fails_is_retried_later_and_the_batch_goes_on(
    three_step_sequence, nurture_leads, rep, tick, monkeypatch
):
    from nurture.services import scheduler

    broken, fine = nurture_leads(2)
    _enrol(three_step_sequence, [broken, fine], rep)
    original = scheduler._Emails.make

    def failing(emails, enrolment, step):
        if enrolment.lead_id == broken.pk:
            raise RuntimeError("merge failed")
        return original(emails, enrolment, step)

    monkeypatch.setattr(scheduler._Emails, "make", failing)
    assert tick().sent == 1
    enrolment = NurtureEnrolment.objects.get(lead=broken)
    assert enrolment.position == 1
    assert enrolment.next_run_at > timezone.now() + dt.timedelta(minutes=9)
    monkeypatch.setattr(scheduler._Emails, "make", original)
    assert tick(now=timezone.now() + dt.timedelta(minutes=11)).sent == 1


def _batch_statements(leads, sequence, rep) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _enrol(sequence, leads, rep)
    with CaptureQueriesContext(connection) as captured:
        assert services.process_due_batch().sent == len(leads)
    return len(captured.captured_queries)


def test_a_batch_reads_and_writes_in_a_fixed_number_of_statements_however_many_it_sends(
    three_step_sequence, nurture_leads, rep, django_assert_max_num_queries
):
    """The locked enrolments, their leads, steps, sends, MQL and field metadata are a read each;
    the outbox rows, the sends and the enrolments' new state a statement each; the throttle takes
    and gives back its budget: nothing per lead."""
    services.process_due_batch()  # makes the throttle's row
    few = _batch_statements(nurture_leads(2), three_step_sequence, rep)
    _enrol(three_step_sequence, nurture_leads(40), rep)
    # 11 statements in the batch, 4 for the throttle, 3 savepoints (the throttle's and the batch's)
    with django_assert_max_num_queries(18) as captured:
        assert services.process_due_batch().sent == 40
    assert len(captured) == few


def test_the_emails_of_a_batch_are_its_outbox_rows_marked_as_handed_over(three_step_sequence, nurture_leads, rep, tick):
    leads = nurture_leads(3, first_name="Cy")
    _enrol(three_step_sequence, leads, rep)
    ahead = timezone.now() + dt.timedelta(hours=1)  # the scheduler's clock may run ahead of the real one
    before = timezone.now()

    tick(now=ahead)

    rows = list(OutboundEmail.objects.filter(kind="nurture").order_by("record_id"))
    welcome = three_step_sequence.steps.get(position=1)
    assert [(r.record_id, r.to_address) for r in rows] == [(lead.pk, lead.email) for lead in leads]
    for row, lead in zip(rows, leads, strict=True):
        send = NurtureSend.objects.get(outbound_email=row)
        assert (send.lead_id, send.step_id, send.sent_at) == (lead.pk, welcome.pk, ahead)
        assert row.idempotency_key == f"nurture:lead-{lead.pk}:step-{welcome.pk}:enrolment-{send.enrolment_id}"
        assert (row.status, row.is_marketing, row.object_name, row.template_id) == (
            "sent",
            True,
            "lead",
            welcome.template_id,
        )
        assert (row.subject, row.from_name, row.from_address) == (
            "Welcome for Cy",
            "Acme Marketing",
            "news@acme.example",
        )
        assert "Hello Cy." in row.body_text
        assert "<p>Hello Cy.</p>" in row.body_html
        assert before <= row.created_at == row.next_attempt_at <= timezone.now()
        assert row.published_at == row.created_at


def test_emails_the_broker_refuses_are_left_to_the_outbox_sweeper(
    three_step_sequence, nurture_leads, rep, tick, monkeypatch
):
    from emails.services import outbox_sweep
    from nurture.tasks import deliver_nurture_emails

    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    _enrol(three_step_sequence, nurture_leads(2), rep)
    monkeypatch.setattr(deliver_nurture_emails, "apply_async", refuse)
    assert tick().sent == 2

    rows = OutboundEmail.objects.filter(kind="nurture")
    assert [(r.status, r.published_at) for r in rows] == [("queued", None), ("queued", None)]
    monkeypatch.undo()
    assert outbox_sweep().published == 2
