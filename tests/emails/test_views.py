import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from emails.models import EmailTemplate, OutboundEmail
from emails.services import email_enqueue
from tests.factories import LeadFactory

XSS = '<script>alert("x")</script>'


def _row(key, **values):
    defaults = {
        "idempotency_key": key,
        "kind": OutboundEmail.Kind.SYSTEM,
        "to_address": "ann@example.com",
        "subject": "Hello",
        "body_text": "Hi",
        "next_attempt_at": timezone.now(),
        "created_at": timezone.now(),
    }
    defaults.update(values)
    return OutboundEmail.objects.create(**defaults)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "emails:template_list",
        "emails:template_create",
        "emails:outbox",
        "emails:autoresponse_list",
        "emails:folder_list",
    ],
)
def test_setup_pages_are_for_admins_only(client, rep, marketing_admin, name):
    client.force_login(rep)
    assert client.get(reverse(name)).status_code == 403
    client.force_login(marketing_admin)
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.django_db
def test_admin_creates_a_template_in_a_folder(client, marketing_admin):
    client.force_login(marketing_admin)
    client.post(reverse("emails:folder_list"), {"name": "Marketing"})
    folder_id = client.get(reverse("emails:template_list")).context["folders"][0].pk

    response = client.post(
        reverse("emails:template_create"),
        {
            "name": "Hello",
            "folder": folder_id,
            "subject": "Hi {{Lead.FirstName|there}}",
            "body_text": "Text",
            "body_html": "<p onclick='x()'>Hi</p>",
            "is_active": "on",
        },
    )

    template = EmailTemplate.objects.get(name="Hello")
    assert response.status_code == 302
    assert template.folder_id == folder_id
    assert template.body_html == "<p>Hi</p>"
    listing = client.get(reverse("emails:template_list"), {"folder": folder_id})
    assert "Hello" in listing.content.decode()


@pytest.mark.django_db
def test_unknown_merge_field_is_shown_on_the_form(client, marketing_admin):
    client.force_login(marketing_admin)

    response = client.post(
        reverse("emails:template_create"), {"name": "Bad", "subject": "Hi {{Lead.Shoe}}", "body_text": "T"}
    )

    assert response.status_code == 200
    assert "Unknown merge field: {{Lead.Shoe}}" in response.content.decode()
    assert not EmailTemplate.objects.filter(name="Bad").exists()


@pytest.mark.django_db
def test_preview_against_a_lead_escapes_merged_values(client, marketing_admin, welcome_template):
    lead = LeadFactory(first_name=XSS, company="Acme")
    client.force_login(marketing_admin)

    response = client.get(reverse("emails:template_detail", args=[welcome_template.pk]), {"lead": lead.pk})

    html = response.content.decode()
    assert response.context["rendered"].subject.startswith("Welcome, <script>")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)" in html
    assert 'sandbox=""' in html


@pytest.mark.django_db
def test_preview_of_an_unknown_lead_is_404(client, marketing_admin, welcome_template):
    client.force_login(marketing_admin)

    response = client.get(reverse("emails:template_detail", args=[welcome_template.pk]), {"lead": 999999})

    assert response.status_code == 404


@pytest.mark.django_db
def test_outbox_filters_and_escapes(client, marketing_admin):
    _row("a", status="failed", to_address="x@example.com", subject=XSS, last_error="boom")
    _row("b", status="sent", to_address="y@example.com", subject="Fine", sent_at=timezone.now())
    client.force_login(marketing_admin)

    response = client.get(reverse("emails:outbox"), {"status": "failed"})

    html = response.content.decode()
    assert [e.idempotency_key for e in response.context["page"].object_list] == ["a"]
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    by_recipient = client.get(reverse("emails:outbox"), {"recipient": "y@ex"})
    assert [e.idempotency_key for e in by_recipient.context["page"].object_list] == ["b"]
    by_kind = client.get(reverse("emails:outbox"), {"kind": "auto_response"})
    assert list(by_kind.context["page"].object_list) == []


@pytest.mark.django_db
def test_outbox_list_queries_do_not_grow_with_rows(client, marketing_admin, django_assert_max_num_queries):
    for n in range(30):
        _row(f"k{n}", created_by=marketing_admin)
    client.force_login(marketing_admin)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("emails:outbox"))

    assert len(response.context["page"].object_list) == 30


@pytest.mark.django_db
def test_outbox_retry_action_requeues_and_sends(client, marketing_admin, django_capture_on_commit_callbacks):
    row = _row("failed-1", status="failed", attempts=5, last_error="SMTP down")
    client.force_login(marketing_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("emails:outbox_retry", args=[row.pk]))

    row.refresh_from_db()
    assert response.status_code == 302
    assert row.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_rep_sends_a_written_email_from_the_lead_page(client, rep, django_capture_on_commit_callbacks):
    lead = LeadFactory(owner_user=rep, email="ann@example.com")
    client.force_login(rep)
    form = client.get(reverse("leads:send_email", args=[lead.pk])).context["form"]
    key = form.initial["idempotency_key"]
    data = {"subject": "Following up", "body_text": "Hi Ann", "idempotency_key": key}

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("leads:send_email", args=[lead.pk]), data)
        second = client.post(reverse("leads:send_email", args=[lead.pk]), data)

    assert first.status_code == second.status_code == 302
    row = OutboundEmail.objects.get()
    assert (row.kind, row.record_id, row.created_by_id) == ("manual", lead.pk, rep.pk)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].reply_to == [rep.email]
    detail = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "Following up" in detail
    assert 'data-testid="emails-related-list"' in detail


@pytest.mark.django_db
def test_rep_sends_a_template_from_the_lead_page(client, rep, welcome_template, django_capture_on_commit_callbacks):
    lead = LeadFactory(owner_user=rep, first_name="Ann", company="Acme")
    client.force_login(rep)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("leads:send_email", args=[lead.pk]), {"template": welcome_template.pk, "idempotency_key": "abc"}
        )

    assert mail.outbox[0].subject == "Welcome, Ann"
    assert OutboundEmail.objects.get().template_id == welcome_template.pk


@pytest.mark.django_db
def test_send_email_is_refused_for_email_opt_out(client, rep):
    lead = LeadFactory(owner_user=rep, email_opt_out=True)
    client.force_login(rep)

    response = client.post(
        reverse("leads:send_email", args=[lead.pk]), {"subject": "S", "body_text": "B", "idempotency_key": "k"}
    )

    assert response.status_code == 200
    assert "opted out of email" in response.content.decode()
    assert OutboundEmail.objects.count() == 0


@pytest.mark.django_db
def test_send_email_needs_a_template_or_a_message(client, rep):
    lead = LeadFactory(owner_user=rep)
    client.force_login(rep)

    response = client.post(reverse("leads:send_email", args=[lead.pk]), {"subject": "", "idempotency_key": "k"})

    assert "Choose a template, or write a subject and a message." in response.content.decode()


@pytest.mark.django_db
def test_send_email_to_a_lead_the_rep_cannot_see_is_404(client, rep, other_rep):
    lead = LeadFactory(owner_user=other_rep)
    client.force_login(rep)

    assert client.get(reverse("leads:send_email", args=[lead.pk])).status_code == 404
    assert client.get(reverse("leads:emails", args=[lead.pk])).status_code == 404


@pytest.mark.django_db
def test_emails_related_list_escapes_subjects(client, rep):
    lead = LeadFactory(owner_user=rep)
    email_enqueue(
        to="ann@example.com",
        subject=XSS,
        body_text="x",
        kind="auto_response",
        idempotency_key="xss",
        object_name="lead",
        record_id=lead.pk,
    )
    client.force_login(rep)

    detail = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    full = client.get(reverse("leads:emails", args=[lead.pk])).content.decode()

    for html in (detail, full):
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
        assert "Auto-response" in html


@pytest.mark.django_db
def test_rule_builder_creates_an_entry_with_criteria(client, marketing_admin, welcome_template):
    client.force_login(marketing_admin)
    client.post(reverse("emails:autoresponse_create"), {"name": "Main"})
    from emails.models import AutoResponseRule

    rule = AutoResponseRule.objects.get(name="Main")

    response = client.post(
        reverse("emails:autoresponse_entry_create", args=[rule.pk]),
        {
            "field_1": "lead_source",
            "operator_1": "includes",
            "value_1": "Webinar, Trade Show",
            "field_2": "email",
            "operator_2": "is_not_blank",
            "filter_logic": "1 AND 2",
            "template": welcome_template.pk,
            "from_name": "Team",
        },
    )
    client.post(reverse("emails:autoresponse_activate", args=[rule.pk]))

    assert response.status_code == 302
    entry = rule.entries.get()
    assert entry.criteria == [
        {"field": "lead_source", "operator": "includes", "value": ["Webinar", "Trade Show"]},
        {"field": "email", "operator": "is_not_blank", "value": None},
    ]
    rule.refresh_from_db()
    assert rule.is_active
    page = client.get(reverse("emails:autoresponse_detail", args=[rule.pk])).content.decode()
    assert "Lead Source includes" in page


@pytest.mark.django_db
def test_rule_builder_shows_criteria_errors(client, marketing_admin, welcome_template):
    from emails.services import autoresponse_rule_create

    rule = autoresponse_rule_create(name="Main", acting_user=marketing_admin)
    client.force_login(marketing_admin)

    response = client.post(
        reverse("emails:autoresponse_entry_create", args=[rule.pk]),
        {"field_1": "annual_revenue", "operator_1": "gt", "value_1": "lots", "template": welcome_template.pk},
    )

    assert response.status_code == 200
    assert "Criterion 1" in response.content.decode()
    assert not rule.entries.exists()


@pytest.mark.django_db
def test_lead_page_shows_an_auto_response_sent_without_a_user(client, rep, marketing_admin, welcome_template):
    from emails.services import autoresponse_send, autoresponse_settings_update

    autoresponse_settings_update(default_template=welcome_template, acting_user=marketing_admin)
    lead = LeadFactory(owner_user=rep, first_name="Ann")
    autoresponse_send(lead=lead, source="web")
    client.force_login(rep)

    response = client.get(reverse("leads:detail", args=[lead.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Welcome, Ann" in html
    assert "Auto-Response" in html


@pytest.mark.django_db
def test_emails_related_list_does_not_query_per_email(client, rep):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lead = LeadFactory(owner_user=rep)
    client.force_login(rep)

    def queries_for_page():
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("leads:detail", args=[lead.pk]))
        return len(ctx.captured_queries)

    _row("one", object_name="lead", record_id=lead.pk, created_by=rep)
    queries_for_page()  # the first visit also records the lead as recently viewed
    with_one = queries_for_page()
    for n in range(9):
        _row(f"more-{n}", object_name="lead", record_id=lead.pk, created_by=rep)

    assert queries_for_page() == with_one


@pytest.mark.django_db
def test_rule_page_lists_entries_that_cannot_send_and_activation_is_refused(client, marketing_admin, welcome_template):
    from emails.models import EmailTemplate
    from emails.services import autoresponse_entry_create, autoresponse_rule_create

    rule = autoresponse_rule_create(name="Main", acting_user=marketing_admin)
    autoresponse_entry_create(rule=rule, data={"template": welcome_template}, acting_user=marketing_admin)
    EmailTemplate.objects.filter(pk=welcome_template.pk).update(is_active=False)
    client.force_login(marketing_admin)

    page = client.get(reverse("emails:autoresponse_detail", args=[rule.pk])).content.decode()
    activated = client.post(reverse("emails:autoresponse_activate", args=[rule.pk]), follow=True)

    assert 'data-testid="rule-problems"' in page
    assert "Entry 1: the template “Welcome” is inactive." in page
    assert "Fix the rule" in activated.content.decode()
    rule.refresh_from_db()
    assert not rule.is_active


@pytest.mark.django_db
def test_entry_form_keeps_rows_added_in_the_page(client, marketing_admin, welcome_template):
    from emails.services import autoresponse_rule_create

    rule = autoresponse_rule_create(name="Main", acting_user=marketing_admin)
    client.force_login(marketing_admin)

    response = client.post(
        reverse("emails:autoresponse_entry_create", args=[rule.pk]),
        {"rows": 7, "field_7": "company", "operator_7": "is_not_blank", "template": welcome_template.pk},
    )

    assert response.status_code == 302
    assert rule.entries.get().criteria == [{"field": "company", "operator": "is_not_blank", "value": None}]
