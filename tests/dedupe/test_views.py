"""Duplicate management pages: setup of matching and duplicate rules, duplicate jobs, the lead
page's possible duplicates, the side-by-side merge and its undo."""

import pytest
from django.urls import reverse

from core.models import OrgSettings
from dedupe import services
from dedupe.models import DuplicateRule, LeadMerge, MatchingRule
from leads.models import Lead

pytestmark = pytest.mark.django_db


def test_an_admin_sets_up_a_matching_rule_and_a_duplicate_rule_in_pages(client, system_admin):
    client.force_login(system_admin)
    assert client.get(reverse("dedupe:rule_list")).status_code == 200
    response = client.post(
        reverse("dedupe:matching_rule_create"),
        {"name": "Email", "email": "normalized", "name_threshold": "0.6", "include_contacts": "on"},
    )
    assert response.status_code == 302
    matching = MatchingRule.objects.get()
    bad = client.post(reverse("dedupe:matching_rule_create"), {"name": "None", "email": "", "name_threshold": "0.6"})
    assert bad.status_code == 200
    assert "Compare at least one" in bad.content.decode()
    response = client.post(reverse("dedupe:rule_create"), {"name": "Leads"})
    rule = DuplicateRule.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("dedupe:entry_create", args=[rule.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("dedupe:entry_create", args=[rule.pk]),
        {
            "rows": "5",
            "matching_rule": matching.pk,
            "action_page": "block",
            "action_api": "alert",
            "action_webtolead": "attach",
            "action_import": "allow",
            "action_bulk": "allow",
        },
    )
    assert response.status_code == 302
    assert rule.entries.get().action_webtolead == "attach"
    detail = client.get(reverse("dedupe:rule_detail", args=[rule.pk])).content.decode()
    assert "Attach to the existing lead" in detail


def test_reps_do_not_reach_setup_pages(client, rep):
    client.force_login(rep)
    assert client.get(reverse("dedupe:rule_list")).status_code == 403
    assert client.get(reverse("dedupe:job_list")).status_code == 403


def test_the_lead_page_lists_possible_duplicates(client, rep, email_rule, make_lead):
    lead = make_lead(email="ada@example.net", owner_user=rep)
    twin = make_lead(email="ada+1@example.net", owner_user=rep)
    client.force_login(rep)
    html = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert 'data-testid="lead-duplicates"' in html
    assert reverse("leads:detail", args=[twin.pk]) in html


def test_the_merge_page_shows_the_leads_side_by_side_and_merges_with_the_chosen_values(client, rep, make_lead):
    master = make_lead(owner_user=rep, title="", city="Paris")
    other = make_lead(owner_user=rep, title="CTO", city="Lyon")
    client.force_login(rep)
    url = reverse("dedupe:merge")
    page = client.get(url, {"ids": str(master.pk), "pick": [other.pk]})
    assert page.status_code == 200
    assert f'data-testid="field-title-{other.pk}"' in page.content.decode()
    response = client.post(
        url, {"ids": f"{master.pk},{other.pk}", "master": master.pk, "field_title": other.pk, "field_city": master.pk}
    )
    assert response.status_code == 302
    master.refresh_from_db()
    assert (master.title, master.city) == ("CTO", "Paris")
    assert not Lead.objects.filter(pk=other.pk).exists()
    merge = LeadMerge.objects.get()
    response = client.post(reverse("dedupe:merge_undo", args=[merge.pk]))
    assert response.status_code == 302
    assert Lead.objects.filter(pk=other.pk).exists()


def test_the_merge_page_refuses_leads_the_rep_may_not_edit(client, rep, other_rep, make_lead):
    OrgSettings.objects.update(lead_access=OrgSettings.LeadAccess.PUBLIC_READ_ONLY)
    mine, theirs = make_lead(owner_user=rep), make_lead(owner_user=other_rep)
    client.force_login(rep)
    # Read-only sharing: the rep sees the other lead but may not edit it, so may not merge it.
    assert client.get(reverse("dedupe:merge"), {"ids": f"{mine.pk},{theirs.pk}"}).status_code in {403, 404}
    response = client.post(reverse("dedupe:merge"), {"ids": f"{mine.pk},{theirs.pk}", "master": mine.pk})
    assert response.status_code in {403, 404}
    assert Lead.objects.filter(pk=theirs.pk).exists()


def test_a_job_page_lists_its_groups(client, system_admin, email_rule, make_lead):
    a = make_lead(email="a@example.net")
    b = make_lead(email="A+x@example.net")
    make_lead(email="c@example.net")
    job = services.duplicate_job_start(matching_rule=email_rule, acting_user=system_admin)
    services.duplicate_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.scanned, job.groups_found) == ("done", 3, 1)
    assert list(job.groups.values_list("lead_ids", flat=True)) == [[a.pk, b.pk]]
    client.force_login(system_admin)
    html = client.get(reverse("dedupe:job_detail", args=[job.pk])).content.decode()
    assert html.count('data-testid="duplicate-group"') == 1
    assert f"ids={a.pk},{b.pk}" in html
    # Run again: nothing is recorded twice.
    services.duplicate_job_run(job_id=job.pk)
    assert job.groups.count() == 1
