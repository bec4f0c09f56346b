"""Content-Security-Policy and Permissions-Policy: sent on every page, and no template needs more
than script files from our own origin."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
# Customers paste this one into their own sites; it is never served as a page of ours.
PASTED_ELSEWHERE = {"webtolead/generated_form.html"}


def _templates():
    base = ROOT / "templates"
    return [
        (path.relative_to(base).as_posix(), path.read_text())
        for path in sorted(base.rglob("*.html"))
        if path.relative_to(base).as_posix() not in PASTED_ELSEWHERE
    ]


def test_no_template_has_an_inline_script_or_event_handler():
    inline_scripts = [name for name, text in _templates() if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)]
    handlers = [name for name, text in _templates() if re.search(r"\son[a-z]+\s*=", text)]
    eval_filters = [name for name, text in _templates() if re.search(r'hx-trigger="[^"]*\[', text)]

    assert inline_scripts == []
    assert handlers == []
    assert eval_filters == []  # htmx evaluates trigger filters as code: not allowed by the policy


@pytest.mark.django_db
def test_pages_send_the_policies(client, rep):
    client.force_login(rep)

    for response in (client.get(reverse("login")), client.get(reverse("leads:list")), client.get("/api/leads/")):
        policy = response["Content-Security-Policy"]
        assert "script-src 'self';" in policy
        assert "'unsafe-eval'" not in policy
        assert "object-src 'none'" in policy
        assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_the_api_docs_load_their_script_from_a_file(client, rep):
    client.force_login(rep)

    page = client.get("/api/docs/").content.decode()

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
