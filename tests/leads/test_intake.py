"""The lead intake service: every entry point (the lead page, the API, an import, Web-to-Lead) makes
a lead through ``leads.intake``, so the same input gets the same owner and the same auto-response
whichever way it comes in."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.history import history_for
from emails.models import OutboundEmail
from emails.services import autoresponse_settings_update, email_template_create
from leads.imports.services import lead_import_process, lead_import_start, lead_import_upload
from leads.intake import IntakeOptions, IntakeRow, IntakeRules, intake_row, lead_intake
from leads.intake import single as intake_single
from leads.models import Lead
from leads.routing import services as routing
from tests.factories import QueueFactory
from webtolead.fields import TIMESTAMP_FIELD
from webtolead.services import webtolead_form_create, webtolead_settings_update
from webtolead.spam import fill_token

pytestmark = pytest.mark.django_db

PERSON = {"first_name": "Ada", "last_name": "Lovelace", "company": "Analytical Engines", "email": "ada@example.net"}


@pytest.fixture
def inbound(marketing_admin):
    """An active assignment rule: companies starting with "Analytical" go to the Inbound queue."""
    queue = QueueFactory(name="Inbound")
    rule = routing.rule_create(name="Inbound routing", acting_user=marketing_admin)
    routing.entry_save(
        rule=rule,
        data=routing.EntryInput(
            criteria=[{"field": "company", "operator": "starts_with", "value": "Analytical"}],
            assign_to="queue",
            assign_queue=queue,
        ),
        acting_user=marketing_admin,
    )
    routing.rule_activate(rule=rule, acting_user=marketing_admin)
    return queue


@pytest.fixture
def thanks(marketing_admin):
    """The default auto-response template."""
    template = email_template_create(
        data={"name": "Thanks", "subject": "Thanks for your interest", "body_text": "Hello {{Lead.FirstName}}"},
        acting_user=marketing_admin,
    )
    autoresponse_settings_update(default_template=template, acting_user=marketing_admin)
    return template


def _auto_responses():
    return OutboundEmail.objects.filter(kind=OutboundEmail.Kind.AUTO_RESPONSE)


# One outcome whatever the entry point ------------------------------------------------------------


def _through_page(client, rep, marketing_admin):
    client.force_login(rep)
    response = client.post(
        reverse("leads:create"),
        {
            **PERSON,
            "status": "New",
            "owner": f"user:{rep.pk}",
            "use_assignment_rule": "on",
            "send_autoresponse": "on",
        },
    )
    assert response.status_code == 302


def _through_api(client, rep, marketing_admin):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(rep)
    response = api.post("/api/leads/?assign=true&autoresponse=true", PERSON, format="json")
    assert response.status_code == 201, response.content


def _through_import(client, rep, marketing_admin):
    header = ",".join(["First Name", "Last Name", "Company", "Email"])
    row = ",".join(PERSON[k] for k in ("first_name", "last_name", "company", "email"))
    lead_import = lead_import_upload(file_name="people.csv", data=f"{header}\r\n{row}\r\n".encode(), acting_user=rep)
    lead_import = lead_import_start(
        lead_import=lead_import,
        mapping=lead_import.mapping,
        run_assignment=True,
        send_autoresponse=True,
        acting_user=rep,
    )
    lead_import_process(lead_import_id=lead_import.pk)


def _through_web_to_lead(client, rep, marketing_admin):
    webtolead_settings_update(
        data={
            "enabled": True,
            "default_creator": rep,
            "daily_limit": 500,
            "allowed_return_domains": "",
            "honeypot_enabled": True,
            "min_fill_seconds": 3,
            "rate_limit_per_minute": 0,
        },
        acting_user=marketing_admin,
    )
    form = webtolead_form_create(
        data={"name": "Contact us", "run_assignment": True, "send_autoresponse": True}, acting_user=marketing_admin
    )
    fields = {"oid": form.public_key, **PERSON, TIMESTAMP_FIELD: fill_token(form.public_key, at=time.time() - 30)}
    response = client.post("/web-to-lead/", fields)
    assert response.status_code in {200, 201, 303}, response.content


ENTRY_POINTS = {
    "page": _through_page,
    "api": _through_api,
    "import": _through_import,
    "webtolead": _through_web_to_lead,
}


@pytest.mark.parametrize("entry_point", list(ENTRY_POINTS))
def test_every_entry_point_routes_the_lead_and_sends_one_auto_response(
    entry_point, client, rep, marketing_admin, inbound, thanks, django_capture_on_commit_callbacks
):
    # given an active rule sending Analytical leads to the Inbound queue, and a default auto-response
    # when the same person comes in through the entry point, asking for assignment and auto-response
    with django_capture_on_commit_callbacks(execute=True):
        ENTRY_POINTS[entry_point](client, rep, marketing_admin)

    # then the lead is the rule's, created by the rep, and it got exactly one auto-response
    lead = Lead.objects.get(last_name="Lovelace")
    assert (lead.owner_queue, lead.owner_user) == (inbound, None)
    assert lead.created_by == rep
    owner_change = history_for(object_name="lead", record_id=lead.pk).get(field_name="owner")
    assert owner_change.note.startswith("Assignment rule “Inbound routing”, entry 1")
    email = _auto_responses().get()
    assert (email.to_address, email.template, email.record_id) == ("ada@example.net", thanks, lead.pk)


# The service itself ------------------------------------------------------------------------------


def test_intake_without_options_only_creates_the_lead(rep, inbound, thanks):
    result = lead_intake(data=dict(PERSON), acting_user=rep, source="api")

    assert result.lead.owner_user == rep
    assert result.assignment is None
    assert result.autoresponse is None
    assert not _auto_responses().exists()


def test_intake_assigns_with_the_entry_points_words_in_the_history(rep, inbound):
    result = lead_intake(data=dict(PERSON), acting_user=rep, source="webtolead", assign=True, note="Web-to-Lead: Demo")

    assert result.lead.owner_queue == inbound
    assert result.assignment.entry_number == 1
    notes = {h.field_name: h.note for h in history_for(object_name="lead", record_id=result.lead.pk)}
    assert notes["owner"] == "Assignment rule “Inbound routing”, entry 1 (Web-to-Lead)"
    assert notes["created"] == "Web-to-Lead: Demo"


def test_intake_auto_responds_once_per_lead_and_source(rep, thanks):
    result = lead_intake(data=dict(PERSON), acting_user=rep, source="import", auto_respond=True)

    assert result.autoresponse == _auto_responses().get()
    assert result.autoresponse.idempotency_key == f"autoresponse:lead:{result.lead.pk}:import"


def test_emails_are_sent_only_after_commit(rep, thanks, django_capture_on_commit_callbacks):
    # when the intake runs inside a transaction that has not committed yet
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = lead_intake(data=dict(PERSON), acting_user=rep, source="api", auto_respond=True)

        # then the auto-response is an outbox row waiting for the commit
        assert result.autoresponse.status == OutboundEmail.Status.QUEUED
    assert callbacks, "sending is scheduled on commit"


def test_invalid_input_writes_nothing(rep, inbound, thanks):
    with pytest.raises(ValidationError) as exc_info:
        lead_intake(data={**PERSON, "last_name": ""}, acting_user=rep, source="page", assign=True, auto_respond=True)

    assert "last_name" in exc_info.value.message_dict
    assert not Lead.objects.exists()
    assert not _auto_responses().exists()


def test_a_failure_after_the_lead_was_created_undoes_the_lead(rep, inbound, monkeypatch):
    # given an auto-response step that fails unexpectedly
    def broken(**kwargs):
        raise RuntimeError("template store unavailable")

    monkeypatch.setattr(intake_single, "autoresponse_send", broken)

    # when the intake runs, then nothing of it stays: lead, assignment and history are one transaction
    with pytest.raises(RuntimeError):
        lead_intake(data=dict(PERSON), acting_user=rep, source="api", assign=True, auto_respond=True)
    assert not Lead.objects.exists()


def test_a_converted_status_is_refused_at_intake(rep):
    with pytest.raises(ValidationError) as exc_info:
        lead_intake(data={**PERSON, "status": "Qualified"}, acting_user=rep, source="api")

    assert "status" in exc_info.value.message_dict
    assert not Lead.objects.exists()


def test_unknown_source_is_a_programming_error():
    with pytest.raises(ValueError):
        IntakeOptions(source="fax")


def test_rows_sharing_the_rules_get_what_one_at_a_time_gets(rep, inbound, thanks):
    # given three people, two of them routed by the rule
    people = [
        {**PERSON, "email": "ada@example.net"},
        {**PERSON, "last_name": "Byron", "company": "Difference Ltd", "email": "byron@example.net"},
        {**PERSON, "last_name": "Babbage", "email": "charles@example.net"},
    ]
    options = IntakeOptions(source="import", assign=True, auto_respond=True)

    # when they come in as a batch, the rule read once
    rules = IntakeRules.load(options)
    batch = [intake_row(row=IntakeRow(data=p), options=options, acting_user=rep, rules=rules) for p in people]
    # and the same people come in one at a time
    single = [
        lead_intake(data=dict(p), acting_user=rep, source="import", assign=True, auto_respond=True) for p in people
    ]

    # then both give the same owners and each lead one auto-response
    def owners(results):
        return [(r.lead.owner_queue_id, r.lead.owner_user_id) for r in results]

    assert owners(batch) == owners(single) == [(inbound.pk, None), (None, rep.pk), (inbound.pk, None)]
    assert _auto_responses().count() == 6
