"""A template compiled once and merged per record gives what ``render_template`` gives, whatever the
text around the merge fields and whatever the values merged (hypothesis), and a merge field inside a
tag still has its merged HTML sanitised."""

from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emails.rendering import CompiledTemplate, field_map, render_template, sanitize_html
from tests.seeding import put_back_lead_fields

pytestmark = pytest.mark.django_db

TOKENS = ["{{Lead.FirstName}}", "{{Lead.LastName|friend}}", "{{Lead.Company}}", "{{Lead.Nope}}", "{{ 7*7 }}"]
TEXT = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(alphabet="ab <>&\"'{}|.\n", max_size=8)), max_size=8).map(
    "".join
)
VALUE = st.text(alphabet="xyz <>&\"'{}", max_size=10)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subject=TEXT, body=TEXT, html=TEXT, first=VALUE, last=VALUE, company=VALUE)
def test_a_compiled_template_merges_as_render_template_does(lead_fields, subject, body, html, first, last, company):
    template = SimpleNamespace(subject=subject, body_text=body, body_html=sanitize_html(f"<p>{html}</p>"))
    record = SimpleNamespace(pk=7, first_name=first, last_name=last, company=company, custom_fields={}, owner=None)

    compiled = CompiledTemplate(template, fields=lead_fields).render(record)
    expected = render_template(template, record=record, fields=lead_fields)

    assert compiled.subject == expected.subject
    assert compiled.body_text == expected.body_text
    # Same document: the plain merge and the sanitised one differ at most in how nh3 writes it.
    assert sanitize_html(compiled.body_html) == expected.body_html


def test_a_merge_field_inside_a_tag_is_sanitised_after_the_merge(lead_fields):
    template = SimpleNamespace(
        subject="S", body_text="T", body_html='<p><a href="{{Lead.Website}}">site</a> {{Lead.FirstName}}</p>'
    )
    record = SimpleNamespace(pk=1, website="javascript:alert(1)", first_name="<b>Ann</b>", custom_fields={}, owner=None)
    html = CompiledTemplate(template, fields=lead_fields).render(record).body_html
    assert "javascript:" not in html
    assert "&lt;b&gt;Ann&lt;/b&gt;" in html


@pytest.fixture
def lead_fields(request):
    """The lead's merge fields, seeded by migration (put back after a transactional test)."""
    put_back_lead_fields(request)
    return field_map("lead")
