from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from emails.rendering import render_template, sanitize_html, unknown_merge_fields
from emails.services import email_template_create, email_template_update
from tests.factories import LeadFactory, QueueFactory, UserFactory


def _tpl(subject="S", body_text="T", body_html=""):
    return SimpleNamespace(subject=subject, body_text=body_text, body_html=body_html)


@pytest.mark.django_db
def test_standard_fields_fallbacks_and_owner_are_merged():
    owner = UserFactory(first_name="Olga", last_name="Owner", email="olga@example.com")
    lead = LeadFactory(first_name="", last_name="Lee", company="Acme", owner_user=owner)

    rendered = render_template(
        _tpl(
            subject="Hello {{Lead.FirstName|there}}",
            body_text="{{Lead.LastName}} at {{Lead.Company}}; owner {{Lead.Owner.Name}} {{Lead.Owner.Email}}",
        ),
        record=lead,
    )

    assert rendered.subject == "Hello there"
    assert rendered.body_text == "Lee at Acme; owner Olga Owner olga@example.com"


@pytest.mark.django_db
def test_snake_case_api_names_also_merge_and_queue_owner_has_a_name():
    queue = QueueFactory(name="Inbound", email="inbound@example.com")
    lead = LeadFactory(first_name="Ann", owner_user=None, owner_queue=queue, created_by=None, last_modified_by=None)

    rendered = render_template(_tpl(body_text="{{Lead.first_name}} / {{Lead.Owner.Name}}"), record=lead)

    assert rendered.body_text == "Ann / Inbound"


@pytest.mark.django_db
def test_custom_field_merges_by_api_name(budget_field):
    lead = LeadFactory(custom_fields={"Budget__c": 12500})

    rendered = render_template(_tpl(body_text="Budget {{Lead.Budget__c|unknown}}"), record=lead)

    assert rendered.body_text == "Budget 12,500.00"


@pytest.mark.django_db
def test_unknown_merge_field_is_refused_naming_it(marketing_admin):
    with pytest.raises(ValidationError) as excinfo:
        email_template_create(
            data={"name": "Bad", "subject": "Hi {{Lead.Nickname}}", "body_text": "Body {{Lead.Budget__c}}"},
            acting_user=marketing_admin,
        )

    errors = excinfo.value.message_dict
    assert "{{Lead.Nickname}}" in errors["subject"][0]
    assert "{{Lead.Budget__c}}" in errors["body_text"][0]


@pytest.mark.django_db
def test_known_custom_field_is_accepted_once_it_exists(marketing_admin, budget_field):
    template = email_template_create(
        data={"name": "Budget", "subject": "Budget", "body_text": "{{Lead.Budget__c}}"}, acting_user=marketing_admin
    )

    assert template.pk


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["{{Lead.__class__}}", "{{ 7*7 }}", "{{Lead.Owner.Password}}", "{{User.Email}}"])
def test_expressions_are_refused_on_save(marketing_admin, token):
    with pytest.raises(ValidationError) as excinfo:
        email_template_create(
            data={"name": "X", "subject": "S", "body_text": f"a {token}"}, acting_user=marketing_admin
        )

    assert token in excinfo.value.message_dict["body_text"][0]


@pytest.mark.django_db
def test_nothing_an_author_writes_is_executed():
    lead = LeadFactory(first_name="Ann")
    body = "{{Lead.__class__}} {% if 1 %}yes{% endif %} {{ 7*7 }} {{Lead.FirstName.__dict__}} {{Lead.FirstName}}"

    rendered = render_template(_tpl(body_text=body, body_html=f"<p>{body}</p>"), record=lead)

    assert rendered.body_text == (
        "{{Lead.__class__}} {% if 1 %}yes{% endif %} {{ 7*7 }} {{Lead.FirstName.__dict__}} Ann"
    )
    assert "49" not in rendered.body_text
    assert "Lead" in rendered.body_html
    assert "{% if 1 %}" in rendered.body_html
    assert "49" not in rendered.body_html


@pytest.mark.django_db
def test_merged_values_are_escaped_in_html_but_not_in_text():
    lead = LeadFactory(first_name="<script>alert(1)</script>", company='Tom & "Jerry" <b>Ltd</b>')

    rendered = render_template(
        _tpl(
            subject="Hi {{Lead.FirstName}}",
            body_text="{{Lead.Company}}",
            body_html="<p>{{Lead.FirstName}} {{Lead.Company}}</p>",
        ),
        record=lead,
    )

    assert rendered.body_text == 'Tom & "Jerry" <b>Ltd</b>'
    assert "<script>" not in rendered.body_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.body_html
    assert "&lt;b&gt;Ltd&lt;/b&gt;" in rendered.body_html
    assert "<b>" not in rendered.body_html


@pytest.mark.django_db
def test_fallback_is_escaped_in_html():
    lead = LeadFactory(first_name="")

    rendered = render_template(_tpl(body_html="<p>{{Lead.FirstName|<i>friend</i>}}</p>"), record=lead)

    assert rendered.body_html == "<p>&lt;i&gt;friend&lt;/i&gt;</p>"


def test_sanitize_html_strips_scripts_and_handlers():
    cleaned = sanitize_html('<p onclick="steal()">Hi<script>alert(1)</script> <a href="javascript:x()">x</a></p>')

    assert "script" not in cleaned
    assert "onclick" not in cleaned
    assert "javascript" not in cleaned
    assert "<p>Hi" in cleaned


@pytest.mark.django_db
def test_html_body_is_sanitised_when_saved(marketing_admin):
    template = email_template_create(
        data={
            "name": "Html",
            "subject": "S",
            "body_text": "T",
            "body_html": '<p onmouseover="x()">Hello {{Lead.FirstName}}</p><script>evil()</script>',
        },
        acting_user=marketing_admin,
    )

    assert template.body_html == "<p>Hello {{Lead.FirstName}}</p>"


@pytest.mark.django_db
def test_javascript_url_merged_into_an_attribute_is_removed():
    lead = LeadFactory(website="javascript:alert(1)")

    rendered = render_template(_tpl(body_html='<a href="{{Lead.Website}}">site</a>'), record=lead)

    assert "javascript" not in rendered.body_html


@pytest.mark.django_db
def test_update_refuses_unknown_merge_fields_too(marketing_admin, welcome_template):
    with pytest.raises(ValidationError) as excinfo:
        email_template_update(
            template=welcome_template, data={"body_html": "<p>{{Lead.Shoe_Size__c}}</p>"}, acting_user=marketing_admin
        )

    assert "{{Lead.Shoe_Size__c}}" in excinfo.value.message_dict["body_html"][0]


@pytest.mark.django_db
def test_unknown_merge_fields_lists_each_once():
    assert unknown_merge_fields("{{Lead.X}} {{Lead.X}} {{Lead.Email}}") == ["{{Lead.X}}"]


@pytest.mark.django_db
def test_reps_cannot_create_templates(rep):
    with pytest.raises(PermissionError):
        email_template_create(data={"name": "N", "subject": "S", "body_text": "T"}, acting_user=rep)


def test_inline_styles_keep_safe_properties_only():
    cleaned = sanitize_html(
        '<p style="color: red; position: fixed; background-image: url(javascript:x)">Hi</p><div style="font-size:14px">x</div>'
    )

    assert "color:red" in cleaned.replace(" ", "")
    assert "position" not in cleaned
    assert "javascript" not in cleaned
    assert 'style="font-size:14px"' in cleaned
