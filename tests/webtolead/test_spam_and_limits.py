import datetime as dt
import json
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from emails.models import OutboundEmail
from leads.models import Lead
from webtolead.models import Intake
from webtolead.services import pending_process, webtolead_settings_update
from webtolead.spam import fill_token
from webtolead.tasks import process_submissions

pytestmark = pytest.mark.django_db

URL = "/web-to-lead/"


def test_filled_honeypot_gets_the_success_answer_but_no_lead(client, web_form, fields_for):
    response = client.post(URL, fields_for(web_form, w2l_website2="http://spam.example"))

    assert response.status_code == 303
    assert response["Location"].startswith(reverse("webtolead:thanks"))
    assert Lead.objects.count() == 0
    intake = Intake.objects.get()
    assert intake.outcome == Intake.Outcome.SPAM
    assert "honeypot" in intake.reason


def test_honeypot_is_ignored_when_turned_off(client, web_form, fields_for, marketing_admin):
    webtolead_settings_update(data={"honeypot_enabled": False}, acting_user=marketing_admin)

    client.post(URL, fields_for(web_form, w2l_website2="filled"))

    assert Lead.objects.count() == 1


def test_json_spam_gets_the_same_200(client, web_form, fields_for):
    response = client.post(URL, json.dumps(fields_for(web_form, w2l_website2="x")), content_type="application/json")

    assert response.status_code == 200
    assert response.json()["reference"] == Intake.objects.get().public_ref
    assert Lead.objects.count() == 0


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("forged-value", "forged"),
        ("other-form", "another form"),
        ("fresh", "after the form was shown"),
    ],
)
def test_bad_fill_time_tokens_are_spam(client, web_form, fields_for, token, reason):
    values = {
        "forged-value": "eyJmIjoieCJ9:forged:signature",
        "other-form": fill_token("another-key", at=time.time() - 60),
        "fresh": fill_token(web_form.public_key, at=time.time() - 1),
    }

    client.post(URL, fields_for(web_form, w2l_ts=values[token]))

    intake = Intake.objects.get()
    assert intake.outcome == Intake.Outcome.SPAM
    assert reason in intake.reason
    assert Lead.objects.count() == 0


def test_minimum_fill_time_off_accepts_a_fresh_token(client, web_form, fields_for, marketing_admin):
    webtolead_settings_update(data={"min_fill_seconds": 0}, acting_user=marketing_admin)

    client.post(URL, fields_for(web_form, w2l_ts=fill_token(web_form.public_key)))

    assert Lead.objects.count() == 1


def test_rate_limit_per_address(client, web_form, fields_for, marketing_admin):
    webtolead_settings_update(data={"rate_limit_per_minute": 2}, acting_user=marketing_admin)

    for n in range(3):
        client.post(URL, fields_for(web_form, last_name=f"Same{n}"), REMOTE_ADDR="198.51.100.7")
    client.post(URL, fields_for(web_form, last_name="Other"), REMOTE_ADDR="198.51.100.8")

    assert sorted(Lead.objects.values_list("last_name", flat=True)) == ["Other", "Same0", "Same1"]
    spam = Intake.objects.get(outcome=Intake.Outcome.SPAM)
    assert spam.payload["last_name"] == "Same2"
    assert "per minute" in spam.reason


def test_admin_releases_a_submission_from_the_spam_log(client, web_form, fields_for, marketing_admin):
    client.post(URL, fields_for(web_form, w2l_website2="oops"))
    intake = Intake.objects.get()
    client.force_login(marketing_admin)

    response = client.post(reverse("webtolead:intake_replay", args=[intake.pk]), {"action": "release"})

    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.outcome == Intake.Outcome.CREATED
    assert intake.processed_by == marketing_admin
    assert intake.lead.last_name == "Lovelace"


def test_a_sales_rep_may_not_release_or_see_the_log(client, web_form, fields_for, rep):
    client.post(URL, fields_for(web_form, w2l_website2="oops"))
    intake = Intake.objects.get()
    client.force_login(rep)

    assert client.post(reverse("webtolead:intake_replay", args=[intake.pk]), {"action": "release"}).status_code == 403
    assert client.get(reverse("webtolead:intake_list")).status_code == 403
    assert Lead.objects.count() == 0


def test_pressing_submit_three_times_creates_one_lead(client, web_form, fields_for, key_field):
    data = fields_for(web_form, **{key_field: "render-123"})

    answers = [client.post(URL, json.dumps(data), content_type="application/json") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert len({a.json()["reference"] for a in answers}) == 1
    assert Lead.objects.count() == 1
    outcomes = list(Intake.objects.order_by("id").values_list("outcome", flat=True))
    assert outcomes == ["created", "duplicate", "duplicate"]
    assert set(Intake.objects.values_list("lead", flat=True)) == {Lead.objects.get().pk}


def test_another_render_of_the_same_form_is_a_new_lead(client, web_form, fields_for, key_field):
    client.post(URL, fields_for(web_form, **{key_field: "render-1"}))
    client.post(URL, fields_for(web_form, **{key_field: "render-2"}))

    assert Lead.objects.count() == 2


def test_a_rejected_submission_does_not_hold_its_key(client, web_form, fields_for, key_field):
    client.post(URL, fields_for(web_form, last_name="", **{key_field: "render-9"}))

    client.post(URL, fields_for(web_form, **{key_field: "render-9"}))

    assert Lead.objects.count() == 1


def _submit(client, form, fields_for, name):
    return client.post(URL, json.dumps(fields_for(form, last_name=name)), content_type="application/json")


def test_over_the_daily_limit_submissions_wait_and_the_creator_is_emailed_once(
    client, web_form, fields_for, marketing_admin, creator
):
    webtolead_settings_update(data={"daily_limit": 2}, acting_user=marketing_admin)

    answers = [_submit(client, web_form, fields_for, f"L{n}") for n in range(5)]

    assert {a.status_code for a in answers} == {200}
    assert sorted(Lead.objects.values_list("last_name", flat=True)) == ["L0", "L1"]
    assert list(
        Intake.objects.filter(outcome="pending").order_by("id").values_list("payload__last_name", flat=True)
    ) == [
        "L2",
        "L3",
        "L4",
    ]
    notices = OutboundEmail.objects.filter(idempotency_key__startswith="webtolead-daily-limit:")
    assert notices.count() == 1
    assert notices.get().to_address == creator.email


def test_pending_submissions_become_leads_oldest_first_when_the_window_allows(
    client, web_form, fields_for, marketing_admin
):
    webtolead_settings_update(data={"daily_limit": 2}, acting_user=marketing_admin)
    for n in range(5):
        _submit(client, web_form, fields_for, f"L{n}")
    assert pending_process() == 0  # the window is full

    # one created lead leaves the 24-hour window
    first = Intake.objects.get(payload__last_name="L0")
    Intake.objects.filter(pk=first.pk).update(processed_at=timezone.now() - dt.timedelta(hours=25))
    assert process_submissions.delay().get() == 1
    assert Intake.objects.get(payload__last_name="L2").outcome == Intake.Outcome.CREATED
    assert Intake.objects.filter(outcome="pending").count() == 2

    # the whole window frees up: the rest is processed, oldest first, and a rerun does nothing
    Intake.objects.filter(outcome="created").update(processed_at=timezone.now() - dt.timedelta(hours=25))
    assert pending_process() == 2
    assert pending_process() == 0
    created = Intake.objects.filter(payload__last_name__in=["L3", "L4"]).order_by("lead_id")
    assert [i.payload["last_name"] for i in created] == ["L3", "L4"]
    assert Lead.objects.count() == 5


def test_new_submissions_queue_behind_older_pending_ones(client, web_form, fields_for, marketing_admin):
    webtolead_settings_update(data={"daily_limit": 1}, acting_user=marketing_admin)
    _submit(client, web_form, fields_for, "A")
    _submit(client, web_form, fields_for, "B")
    Intake.objects.filter(outcome="created").update(processed_at=timezone.now() - dt.timedelta(hours=25))

    _submit(client, web_form, fields_for, "C")

    assert Intake.objects.get(payload__last_name="C").outcome == Intake.Outcome.PENDING
    pending_process()
    assert Intake.objects.get(payload__last_name="B").outcome == Intake.Outcome.CREATED
    assert Intake.objects.get(payload__last_name="C").outcome == Intake.Outcome.PENDING


def test_without_a_default_creator_submissions_wait(client, web_form, fields_for, marketing_admin, creator):
    from webtolead.models import WebToLeadSettings

    # (the settings page refuses this; a creator deactivated meanwhile has the same effect)
    WebToLeadSettings.objects.update(default_creator=None)

    response = _submit(client, web_form, fields_for, "Waits")

    assert response.status_code == 200
    assert Intake.objects.get().outcome == Intake.Outcome.PENDING
    WebToLeadSettings.objects.update(default_creator=creator)
    assert pending_process() == 1
    assert Lead.objects.get().last_name == "Waits"


def test_admin_replays_a_rejected_submission_once_the_cause_is_fixed(client, web_form, fields_for, marketing_admin):
    from core.services import picklist_value_create
    from webtolead.services import webtolead_form_update

    # an unknown value of an optional picklist refuses nothing: the form requires the industry
    fields = [*web_form.fields, {"name": "industry", "label": "Industry", "required": True}]
    webtolead_form_update(form=web_form, data={"fields": fields}, acting_user=marketing_admin)
    client.post(URL, fields_for(web_form, industry="Space"))
    intake = Intake.objects.get()
    assert intake.outcome == Intake.Outcome.REJECTED
    picklist_value_create(object_name="lead", field_name="industry", label="Space", acting_user=marketing_admin)
    client.force_login(marketing_admin)

    client.post(reverse("webtolead:intake_replay", args=[intake.pk]))

    intake.refresh_from_db()
    assert intake.outcome == Intake.Outcome.CREATED
    assert intake.lead.industry == "Space"
    # a created submission cannot be replayed into a second lead
    response = client.post(reverse("webtolead:intake_replay", args=[intake.pk]), follow=True)
    assert "cannot be replayed" in response.content.decode()
    assert Lead.objects.count() == 1


def test_replay_that_still_fails_says_why(client, web_form, fields_for, marketing_admin):
    client.post(URL, fields_for(web_form, email="bad"))
    intake = Intake.objects.get()
    client.force_login(marketing_admin)

    response = client.post(reverse("webtolead:intake_replay", args=[intake.pk]), follow=True)

    assert "still cannot become a lead" in response.content.decode()
    assert Lead.objects.count() == 0


def test_the_limit_notice_goes_out_once_per_day(w2l_settings, creator):
    from webtolead.services import _notify_limit_reached

    today = timezone.now()
    for _ in range(3):
        _notify_limit_reached(w2l_settings, today)
    _notify_limit_reached(w2l_settings, today + dt.timedelta(days=1))

    keys = sorted(
        OutboundEmail.objects.filter(idempotency_key__startswith="webtolead-daily-limit:").values_list(
            "idempotency_key", flat=True
        )
    )
    assert keys == [
        f"webtolead-daily-limit:{timezone.localdate(today).isoformat()}",
        f"webtolead-daily-limit:{timezone.localdate(today + dt.timedelta(days=1)).isoformat()}",
    ]
