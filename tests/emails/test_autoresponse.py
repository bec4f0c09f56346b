import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.history import history_for
from core.models import PicklistValue
from core.services import picklist_value_usages
from emails.models import AutoResponseRule, OutboundEmail
from emails.selectors import emails_for_record
from emails.services import (
    autoresponse_entry_create,
    autoresponse_entry_delete,
    autoresponse_entry_move,
    autoresponse_rule_activate,
    autoresponse_rule_create,
    autoresponse_rule_delete,
    autoresponse_send,
    autoresponse_settings_update,
    email_template_create,
)
from tests.factories import LeadFactory


@pytest.fixture
def trade_show_template(marketing_admin):
    return email_template_create(
        data={"name": "Trade show", "subject": "Great to meet you, {{Lead.FirstName|there}}", "body_text": "See you."},
        acting_user=marketing_admin,
    )


@pytest.fixture
def active_rule(marketing_admin, trade_show_template, welcome_template):
    rule = autoresponse_rule_create(name="Standard", acting_user=marketing_admin)
    autoresponse_entry_create(
        rule=rule,
        data={
            "criteria": [{"field": "lead_source", "operator": "equals", "value": "Trade Show"}],
            "template": trade_show_template,
            "from_name": "Events Team",
            "from_address": "events@example.com",
            "reply_to": "events-replies@example.com",
        },
        acting_user=marketing_admin,
    )
    autoresponse_settings_update(
        default_template=welcome_template, default_from_name="Sales", acting_user=marketing_admin
    )
    return autoresponse_rule_activate(rule=rule, acting_user=marketing_admin)


@pytest.mark.django_db
def test_first_matching_entry_sends_its_template_from_its_sender(active_rule, django_capture_on_commit_callbacks):
    lead = LeadFactory(first_name="Ann", lead_source="Trade Show")

    with django_capture_on_commit_callbacks(execute=True):
        email = autoresponse_send(lead=lead, source="web")

    assert email.kind == OutboundEmail.Kind.AUTO_RESPONSE
    assert email.subject == "Great to meet you, Ann"
    assert mail.outbox[0].from_email == "Events Team <events@example.com>"
    assert mail.outbox[0].reply_to == ["events-replies@example.com"]


@pytest.mark.django_db
def test_no_matching_entry_sends_the_default_template(active_rule, django_capture_on_commit_callbacks):
    lead = LeadFactory(first_name="", email="info@acme.example", company="Acme", lead_source="Website")

    with django_capture_on_commit_callbacks(execute=True):
        email = autoresponse_send(lead=lead, source="web")

    assert email.subject == "Welcome, there"
    assert mail.outbox[0].from_email.startswith("Sales <")


@pytest.mark.django_db
def test_default_template_is_used_without_any_active_rule(marketing_admin, welcome_template):
    autoresponse_settings_update(default_template=welcome_template, acting_user=marketing_admin)
    lead = LeadFactory()

    assert autoresponse_send(lead=lead, source="api").template_id == welcome_template.pk


@pytest.mark.django_db
def test_nothing_without_rule_or_default():
    assert autoresponse_send(lead=LeadFactory(), source="web") is None
    assert OutboundEmail.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("email", "opt_out"), [("ann@example.com", True), ("", False), ("not-an-email", False)])
def test_opted_out_or_addressless_leads_get_nothing(active_rule, email, opt_out):
    lead = LeadFactory(email=email, email_opt_out=opt_out)

    assert autoresponse_send(lead=lead, source="web") is None
    assert OutboundEmail.objects.count() == 0


@pytest.mark.django_db
def test_once_per_lead_and_source_logged_on_the_lead(active_rule, rep):
    lead = LeadFactory(owner_user=rep)

    first = autoresponse_send(lead=lead, source="web")
    again = autoresponse_send(lead=lead, source="web")
    import_email = autoresponse_send(lead=lead, source="import")

    assert first.pk == again.pk
    assert import_email.pk != first.pk
    assert list(emails_for_record(object_name="lead", record_id=lead.pk)) == [import_email, first]
    notes = [h for h in history_for(object_name="lead", record_id=lead.pk) if h.field_name == "auto_response"]
    assert len(notes) == 2
    assert "Auto-response (web)" in {n.note.split(" by ")[0] for n in notes}


@pytest.mark.django_db
def test_only_one_rule_can_be_active(marketing_admin, active_rule):
    other = autoresponse_rule_create(name="Other", acting_user=marketing_admin)

    autoresponse_rule_activate(rule=other, acting_user=marketing_admin)

    assert list(AutoResponseRule.objects.filter(is_active=True)) == [other]
    with pytest.raises(IntegrityError), transaction.atomic():
        AutoResponseRule.objects.filter(pk=active_rule.pk).update(is_active=True)


@pytest.mark.django_db
def test_active_rule_cannot_be_deleted(marketing_admin, active_rule):
    with pytest.raises(ValidationError):
        autoresponse_rule_delete(rule=active_rule, acting_user=marketing_admin)


@pytest.mark.django_db
def test_invalid_criteria_are_refused_with_clear_messages(marketing_admin, trade_show_template):
    rule = autoresponse_rule_create(name="R", acting_user=marketing_admin)

    with pytest.raises(ValidationError) as excinfo:
        autoresponse_entry_create(
            rule=rule,
            data={
                "criteria": [{"field": "lead_source", "operator": "equals", "value": "Carrier Pigeon"}],
                "filter_logic": "1 OR",
                "template": trade_show_template,
                "from_address": "nope",
            },
            acting_user=marketing_admin,
        )

    errors = excinfo.value.message_dict
    assert set(errors) >= {"criteria", "filter_logic", "from_address"}
    assert "Criterion 1" in errors["criteria"][0]


@pytest.mark.django_db
def test_entries_reorder_and_renumber(marketing_admin, trade_show_template, welcome_template):
    rule = autoresponse_rule_create(name="R", acting_user=marketing_admin)
    first = autoresponse_entry_create(rule=rule, data={"template": trade_show_template}, acting_user=marketing_admin)
    second = autoresponse_entry_create(rule=rule, data={"template": welcome_template}, acting_user=marketing_admin)

    second_pk = second.pk

    autoresponse_entry_move(entry=second, direction=-1, acting_user=marketing_admin)
    order = list(rule.entries.order_by("sort_order").values_list("pk", "sort_order"))
    autoresponse_entry_delete(entry=second, acting_user=marketing_admin)

    assert order == [(second_pk, 1), (first.pk, 2)]
    assert list(rule.entries.values_list("pk", "sort_order")) == [(first.pk, 1)]


@pytest.mark.django_db
def test_picklist_value_used_by_a_rule_reports_the_usage(active_rule):
    value = PicklistValue.objects.get(object_name="lead", field_name="lead_source", api_name="Trade Show")
    unused = PicklistValue.objects.get(object_name="lead", field_name="lead_source", api_name="Webinar")

    assert any("Auto-response rule “Standard”" in u for u in picklist_value_usages(value))
    assert not any("Auto-response" in u for u in picklist_value_usages(unused))


@pytest.mark.django_db
def test_template_in_use_cannot_be_deleted_or_deactivated(marketing_admin, active_rule, trade_show_template):
    from emails.services import email_template_delete, email_template_update

    with pytest.raises(ValidationError):
        email_template_delete(template=trade_show_template, acting_user=marketing_admin)
    with pytest.raises(ValidationError):
        email_template_update(template=trade_show_template, data={"is_active": False}, acting_user=marketing_admin)


@pytest.mark.django_db
def test_template_that_merges_to_nothing_still_sends(marketing_admin):
    template = email_template_create(
        data={"name": "Bare", "subject": "{{Lead.FirstName}}", "body_text": "{{Lead.Title}}"},
        acting_user=marketing_admin,
    )
    autoresponse_settings_update(default_template=template, acting_user=marketing_admin)
    lead = LeadFactory(first_name="", title="", email="x@example.com")

    email = autoresponse_send(lead=lead, source="web")

    assert (email.subject, email.body_text) == ("Bare", "Bare")


@pytest.mark.django_db
def test_an_unsendable_auto_response_never_undoes_the_lead(marketing_admin, welcome_template, rep):
    from emails.models import AutoResponseSettings

    autoresponse_settings_update(default_template=welcome_template, acting_user=marketing_admin)
    # A sender address that bypassed validation (say, edited in the database).
    AutoResponseSettings.objects.update(default_from_address="not an address")

    with transaction.atomic():
        lead = LeadFactory(email="ok@example.com", owner_user=rep)
        result = autoresponse_send(lead=lead, source="web")

    assert result is None
    assert OutboundEmail.objects.count() == 0
    assert type(lead).objects.filter(pk=lead.pk).exists()
