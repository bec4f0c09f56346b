"""SITE_URL: the address links in emails start with, and the check that production sets it."""

import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

from core.checks import site_url_check
from emails.rendering import record_url
from tests.factories import LeadFactory


def test_email_links_start_with_the_site_url(db, settings):
    settings.SITE_URL = "https://crm.example.com/"
    lead = LeadFactory()

    link = record_url(lead, "lead")

    assert link == "https://crm.example.com" + reverse("leads:detail", args=[lead.pk])


def test_production_without_a_site_url_is_warned_about(settings, monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    settings.DEBUG = False

    warnings = site_url_check(None)

    assert [w.id for w in warnings] == ["core.W001"]
    assert "SITE_URL" in warnings[0].msg


def test_a_set_site_url_or_development_is_not_warned_about(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.setenv("SITE_URL", "https://crm.example.com")
    assert site_url_check(None) == []

    monkeypatch.delenv("SITE_URL")
    settings.DEBUG = True
    assert site_url_check(None) == []


def test_the_default_site_url_is_the_address_scripts_run_serves(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    env.update({"HOST": "0.0.0.0", "PORT": "8123", "LEADCRM_VAR_DIR": str(tmp_path)})
    code = "from django.conf import settings; import django; django.setup(); print(settings.SITE_URL)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env | {"DJANGO_SETTINGS_MODULE": "leadcrm.settings"},
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )

    assert out.stdout.strip() == "http://0.0.0.0:8123"
