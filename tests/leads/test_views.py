import pytest
from django.urls import reverse

from core.models import FieldHistory, OrgSettings
from core.services import custom_field_create
from leads.listviews.selectors import COUNT_CAP
from leads.models import Lead, LeadNote, RecentlyViewed
from leads.services import lead_create, lead_update
from tests.factories import LeadFactory, LeadNoteFactory, QueueFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    return client


def _lead(user, **data):
    values = {"last_name": "Lovelace", "first_name": "Ada", "company": "Engines Ltd"} | data
    return lead_create(data=values, acting_user=user)


# List views -------------------------------------------------------------------------------------


def test_list_shows_my_leads_and_not_other_reps_private_leads(rep_client, rep, other_rep):
    LeadFactory(last_name="Mine", owner_user=rep)
    LeadFactory(last_name="Hidden", owner_user=other_rep)

    response = rep_client.get(reverse("leads:list"), {"view": "all"})

    assert response.status_code == 200
    assert b"Mine" in response.content
    assert b"Hidden" not in response.content


def test_each_list_view_has_its_own_empty_state(rep_client):
    expected = {
        "my": "You don't own any leads yet.",
        "queues": "Your queues are empty.",
        "recent": "You haven't viewed any leads yet.",
        "today": "No leads were created today.",
        "all": "There are no leads yet.",
    }
    for view, text in expected.items():
        response = rep_client.get(reverse("leads:list"), {"view": view})
        assert text in response.content.decode().replace("&#x27;", "'"), view


def test_queues_view_lists_leads_of_my_queues(rep_client, rep):
    queue = QueueFactory(name="Inbound")
    queue.members.add(rep)
    LeadFactory(last_name="Queued", owner_user=None, owner_queue=queue)
    LeadFactory(last_name="Mine", owner_user=rep)

    content = rep_client.get(reverse("leads:list"), {"view": "queues"}).content

    assert b"Queued" in content
    assert b"Mine" not in content


def test_list_search_and_filters_apply(rep_client, rep):
    LeadFactory(last_name="Lovelace", company="Engines", owner_user=rep, status="Working")
    LeadFactory(last_name="Hopper", company="Navy", owner_user=rep, status="New")

    by_search = rep_client.get(reverse("leads:list"), {"view": "my", "q": "nav"}).content
    by_status = rep_client.get(reverse("leads:list"), {"view": "my", "status": "Working"}).content

    assert b"Hopper" in by_search
    assert b"Lovelace" not in by_search
    assert b"Lovelace" in by_status
    assert b"Hopper" not in by_status


def test_bad_filter_values_are_explained_not_a_crash(rep_client, rep):
    LeadFactory(last_name="Kept", owner_user=rep)

    response = rep_client.get(
        reverse("leads:list"), {"view": "my", "status": "Bogus", "created_from": "yesterday", "page": "x"}
    )

    assert response.status_code == 200
    assert "Some filters were ignored" in response.content.decode()
    assert b"Kept" in response.content


def test_list_pages_without_counting(rep_client, rep, django_assert_max_num_queries):
    for i in range(30):
        LeadFactory(last_name=f"Lead{i:02d}", owner_user=rep)

    first = rep_client.get(reverse("leads:list"), {"view": "my", "ordering": "name"})
    second = rep_client.get(reverse("leads:list"), {"view": "my", "ordering": "name", "page": 2})

    assert first.context["has_next"] is True
    assert len(first.context["rows"]) == 25
    assert second.context["has_next"] is False
    assert [lead.last_name for lead, _ in second.context["rows"]] == [f"Lead{i}" for i in range(25, 30)]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        rep_client.get(reverse("leads:list"), {"view": "my"})
    # The only count is capped: it reads at most COUNT_CAP + 1 rows, however many leads match.
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1
    assert f"LIMIT {COUNT_CAP + 1}" in counts[0]


def test_list_has_no_n_plus_one(rep_client, rep, marketing_admin, django_assert_max_num_queries):
    custom_field_create(
        object_name="lead", label="Tier", field_type="picklist", picklist_values=["Gold"], acting_user=marketing_admin
    )
    queue = QueueFactory(name="Q")
    queue.members.add(rep)
    for i in range(5):
        LeadFactory(owner_user=rep, custom_fields={"Tier__c": "Gold"}, last_name=f"U{i}")
        LeadFactory(owner_user=None, owner_queue=queue, last_name=f"Q{i}")
    session = rep_client.session
    session["leads.list.columns"] = ["name", "company", "owner", "status", "Tier__c"]
    session.save()
    rep_client.get(reverse("leads:list"), {"view": "all"})
    with django_assert_max_num_queries(30) as few:
        rep_client.get(reverse("leads:list"), {"view": "all", "page_size": 25})
    for i in range(20):
        LeadFactory(owner_user=rep, custom_fields={"Tier__c": "Gold"}, last_name=f"More{i}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = rep_client.get(reverse("leads:list"), {"view": "all", "page_size": 25})

    assert len(response.context["rows"]) == 25
    assert "Gold" in response.content.decode()


def test_page_size_is_limited_to_the_offered_sizes(rep_client, rep):
    response = rep_client.get(reverse("leads:list"), {"page_size": "100000"})

    assert response.context["page_size"] == 25


def test_chosen_columns_are_remembered(rep_client, rep):
    LeadFactory(owner_user=rep, city="Lisbon")

    rep_client.post(reverse("leads:list_columns"), {"columns": ["name", "city", "bogus"]})
    response = rep_client.get(reverse("leads:list"), {"view": "my"})

    assert [c.key for c in response.context["columns"]] == ["name", "city"]
    assert b"Lisbon" in response.content


def test_sorting_by_column_header(rep_client, rep):
    LeadFactory(owner_user=rep, last_name="Zed", company="Alpha")
    LeadFactory(owner_user=rep, last_name="Amy", company="Zulu")

    response = rep_client.get(reverse("leads:list"), {"view": "my", "ordering": "-company"})

    assert [lead.last_name for lead, _ in response.context["rows"]] == ["Amy", "Zed"]


def test_mass_change_status(rep_client, rep, other_rep):
    mine = [LeadFactory(owner_user=rep, status="New") for _ in range(2)]
    theirs = LeadFactory(owner_user=other_rep, status="New")

    response = rep_client.post(
        reverse("leads:mass_action"),
        {"action": "change_status", "status": "Working", "ids": [mine[0].pk, mine[1].pk, theirs.pk]},
        follow=True,
    )

    assert {lead.status for lead in Lead.objects.filter(pk__in=[m.pk for m in mine])} == {"Working"}
    assert Lead.objects.get(pk=theirs.pk).status == "New"
    assert "Changed the status of 2 leads." in response.content.decode()


def test_mass_change_owner_to_a_queue(rep_client, rep):
    lead = LeadFactory(owner_user=rep)
    queue = QueueFactory(name="Follow-up")

    rep_client.post(
        reverse("leads:mass_action"), {"action": "change_owner", "owner": f"queue:{queue.pk}", "ids": [lead.pk]}
    )

    lead.refresh_from_db()
    assert lead.owner_queue == queue
    assert FieldHistory.objects.filter(record_id=lead.pk, field_name="owner", note="Mass change owner").exists()


def test_mass_action_without_selection_or_with_bad_input_explains(rep_client, rep):
    lead = LeadFactory(owner_user=rep)

    none_selected = rep_client.post(reverse("leads:mass_action"), {"action": "change_status"}, follow=True)
    bad_status = rep_client.post(
        reverse("leads:mass_action"), {"action": "change_status", "status": "Nope", "ids": [lead.pk]}, follow=True
    )
    bad_action = rep_client.post(reverse("leads:mass_action"), {"action": "explode", "ids": [lead.pk]}, follow=True)

    assert "Select at least one lead." in none_selected.content.decode()
    assert "Choose an active lead status." in bad_status.content.decode()
    assert "Unknown action." in bad_action.content.decode()


def test_mass_action_refuses_external_next_url(rep_client, rep):
    lead = LeadFactory(owner_user=rep)

    response = rep_client.post(
        reverse("leads:mass_action"),
        {"action": "change_status", "status": "Working", "ids": [lead.pk], "next": "https://evil.example/"},
    )

    assert response.url == reverse("leads:list")


# Record page ------------------------------------------------------------------------------------


def test_detail_shows_sections_path_highlights_and_records_view(rep_client, rep):
    lead = _lead(rep, title="Countess", city="London", phone="+44 1")
    LeadNoteFactory(lead=lead, body="Called about engines", created_by=rep)

    response = rep_client.get(reverse("leads:detail", args=[lead.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Lead Information",
        "Address Information",
        "Additional Information",
        "System Information",
        "Mark Status as Complete",
        "Called about engines",
        "Field History",
        "Countess",
        "London",
    ):
        assert text in html
    assert [s.state for s in response.context["path"]][:2] == ["current", ""]
    assert RecentlyViewed.objects.filter(user=rep, lead=lead).exists()


def test_detail_shows_custom_fields_with_labels(rep_client, rep, marketing_admin):
    custom_field_create(
        object_name="lead",
        label="Budget",
        field_type="currency",
        help_text="Yearly budget",
        acting_user=marketing_admin,
    )
    lead = lead_create(data={"last_name": "X", "company": "Y"}, custom_fields={"Budget__c": "1234.5"}, acting_user=rep)

    html = rep_client.get(reverse("leads:detail", args=[lead.pk])).content.decode()

    assert "Custom Fields" in html
    assert "1,234.50" in html
    assert "Yearly budget" in html


def test_clicking_a_path_step_sets_the_status(rep_client, rep):
    lead = _lead(rep)

    response = rep_client.post(
        reverse("leads:set_status", args=[lead.pk]), {"status": "Nurturing", "version": lead.version}, follow=True
    )

    lead.refresh_from_db()
    assert lead.status == "Nurturing"
    assert "Status changed to Nurturing." in response.content.decode()


def test_mark_status_complete_moves_to_next_open_step_and_stale_version_is_refused(rep_client, rep):
    lead = _lead(rep)
    assert response_next(rep_client, lead) == "Working"
    rep_client.post(reverse("leads:set_status", args=[lead.pk]), {"status": "Working", "version": 1})

    stale = rep_client.post(
        reverse("leads:set_status", args=[lead.pk]), {"status": "Nurturing", "version": 1}, follow=True
    )

    lead.refresh_from_db()
    assert lead.status == "Working"
    assert "Someone changed this lead meanwhile" in stale.content.decode()


def response_next(client, lead):
    return client.get(reverse("leads:detail", args=[lead.pk])).context["next_status"].api_name


def test_converted_lead_opens_and_edits_only_with_the_converted_leads_permission(
    client, rep, marketing_admin, system_admin
):
    from django.utils import timezone

    lead = LeadFactory(owner_user=rep, is_converted=True, converted_at=timezone.now(), title="Buyer")

    client.force_login(system_admin)
    admin_page = client.get(reverse("leads:detail", args=[lead.pk]))
    admin_edit = client.get(reverse("leads:edit", args=[lead.pk]))
    admin_inline = client.post(
        reverse("leads:inline_edit", args=[lead.pk, "title"]), {"title": "Head Buyer", "version": lead.version}, **HTMX
    )
    client.force_login(marketing_admin)
    marketing_page = client.get(reverse("leads:detail", args=[lead.pk]))
    client.force_login(rep)
    rep_page = client.get(reverse("leads:detail", args=[lead.pk]))
    rep_edit = client.get(reverse("leads:edit", args=[lead.pk]))

    body = admin_page.content.decode()
    assert admin_page.status_code == 200
    assert "This lead was converted on" in body
    assert "Mark Status as Complete" not in body
    assert 'data-testid="convert-lead"' not in body
    assert admin_edit.status_code == 200
    assert admin_inline.status_code == 200
    lead.refresh_from_db()
    assert lead.title == "Head Buyer"
    # Without the permission the lead page is not shown: an old link leads to the conversion summary.
    summary = reverse("conversion:converted", args=[lead.pk])
    assert (marketing_page.status_code, marketing_page["Location"]) == (302, summary)
    assert (rep_page.status_code, rep_page["Location"]) == (302, summary)
    assert rep_edit.status_code == 404


def test_add_note_with_htmx_returns_the_activity_list(rep_client, rep):
    lead = _lead(rep)

    response = rep_client.post(reverse("leads:note_create", args=[lead.pk]), {"body": "Left a voicemail"}, **HTMX)

    assert response.status_code == 200
    assert 'id="lead-activity"' in response.content.decode()
    assert "Left a voicemail" in response.content.decode()
    assert LeadNote.objects.filter(lead=lead).count() == 1


def test_empty_note_shows_the_error_inline(rep_client, rep):
    lead = _lead(rep)

    response = rep_client.post(reverse("leads:note_create", args=[lead.pk]), {"body": "  "}, **HTMX)

    assert "This field is required." in response.content.decode() or "Write something" in response.content.decode()
    assert LeadNote.objects.count() == 0


# Create and edit --------------------------------------------------------------------------------


def test_create_form_marks_required_fields_and_shows_help_text(rep_client):
    html = rep_client.get(reverse("leads:create")).content.decode()

    assert "The lead&#x27;s company; becomes the account name on conversion. Required." in html
    assert html.count("asteriskField") >= 3
    assert 'name="owner"' in html
    assert "autofocus" in html


def test_create_without_company_stays_in_edit_mode_with_the_error(rep_client):
    response = rep_client.post(reverse("leads:create"), {"last_name": "Ng", "status": "New", "owner": "user:0"})

    assert response.status_code == 200
    assert response.context["form"].errors["company"]
    assert Lead.objects.count() == 0


def test_create_with_service_error_maps_back_to_the_field(rep_client, rep):
    response = rep_client.post(
        reverse("leads:create"),
        {"last_name": "Ng", "company": "Acme", "status": "New", "email": "not-an-email", "owner": f"user:{rep.pk}"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["email"]


def test_create_saves_and_lands_in_saved_mode(rep_client, rep, marketing_admin):
    custom_field_create(object_name="lead", label="Budget", field_type="number", acting_user=marketing_admin)
    queue = QueueFactory(name="Inbound")
    queue.members.add(rep)

    response = rep_client.post(
        reverse("leads:create"),
        {"last_name": "Ng", "company": "Acme", "status": "Working", "owner": f"queue:{queue.pk}", "Budget__c": "12"},
        follow=True,
    )

    lead = Lead.objects.get()
    assert response.redirect_chain[-1][0] == reverse("leads:detail", args=[lead.pk])
    assert "was created" in response.content.decode()
    assert lead.owner_queue == queue
    assert lead.custom_fields["Budget__c"] == 12


def test_save_and_new_returns_to_an_empty_form(rep_client, rep):
    response = rep_client.post(
        reverse("leads:create"),
        {"last_name": "Ng", "company": "Acme", "status": "New", "owner": f"user:{rep.pk}", "save_new": "1"},
    )

    assert response.url == reverse("leads:create")


def test_edit_form_has_no_owner_and_carries_the_version(rep_client, rep):
    lead = _lead(rep)

    form = rep_client.get(reverse("leads:edit", args=[lead.pk])).context["form"]

    assert "owner" not in form.fields
    assert form.initial["version"] == 1


def test_edit_saves_through_the_service(rep_client, rep):
    lead = _lead(rep)
    data = {"last_name": "Lovelace", "company": "New Engines", "status": "New", "version": 1}

    response = rep_client.post(reverse("leads:edit", args=[lead.pk]), data)

    lead.refresh_from_db()
    assert response.url == reverse("leads:detail", args=[lead.pk])
    assert lead.company == "New Engines"
    assert lead.version == 2


def test_edit_conflict_stays_in_edit_mode_and_lists_changes(rep_client, rep, other_rep, system_admin):
    lead = _lead(rep)
    lead_update(lead=lead, data={"company": "Their Co"}, acting_user=system_admin)

    response = rep_client.post(
        reverse("leads:edit", args=[lead.pk]),
        {"last_name": "Lovelace", "company": "My Co", "status": "New", "version": 1},
    )

    html = response.content.decode()
    lead.refresh_from_db()
    assert response.status_code == 200
    assert lead.company == "Their Co"
    assert "Someone changed this lead" in html
    assert "Engines Ltd" in html
    assert "Their Co" in html
    assert "Sam Sys" in html
    assert response.context["form"]["version"].value() == 2


def test_inactive_picklist_value_of_the_record_is_still_offered(rep_client, rep):
    from core.models import PicklistValue

    lead = _lead(rep, rating="Warm")
    PicklistValue.objects.filter(object_name="lead", field_name="rating", api_name="Warm").update(is_active=False)

    choices = dict(rep_client.get(reverse("leads:edit", args=[lead.pk])).context["form"].fields["rating"].choices)
    new_choices = dict(rep_client.get(reverse("leads:create")).context["form"].fields["rating"].choices)

    assert choices["Warm"] == "Warm (inactive)"
    assert "Warm" not in new_choices


# Inline edit ------------------------------------------------------------------------------------


def test_inline_edit_get_returns_a_one_field_form(rep_client, rep):
    lead = _lead(rep)

    response = rep_client.get(reverse("leads:inline_edit", args=[lead.pk, "title"]), **HTMX)

    form = response.context["form"]
    assert set(form.fields) == {"title", "version"}
    assert "data-inline-cancel" in response.content.decode()


def test_inline_edit_without_htmx_goes_to_the_full_edit_page(rep_client, rep):
    lead = _lead(rep)

    response = rep_client.get(reverse("leads:inline_edit", args=[lead.pk, "title"]))

    assert response.url == reverse("leads:edit", args=[lead.pk]) + "#id_title"


def test_inline_edit_post_without_htmx_saves_and_returns_to_the_record(rep_client, rep):
    lead = _lead(rep)
    url = reverse("leads:inline_edit", args=[lead.pk, "title"])

    saved = rep_client.post(url, {"title": "Countess", "version": 1}, follow=True)
    refused = rep_client.post(url, {"title": "x" * 300, "version": 2}, follow=True)

    lead.refresh_from_db()
    assert lead.title == "Countess"
    assert saved.redirect_chain == [(reverse("leads:detail", args=[lead.pk]), 302)]
    assert f"Lead “{lead.name}” was saved." in saved.content.decode()
    assert refused.redirect_chain == [(reverse("leads:edit", args=[lead.pk]) + "#id_title", 302)]
    assert "Nothing was saved. Title: Ensure this value has at most" in refused.content.decode()


def test_inline_edit_post_saves_and_refreshes_history(rep_client, rep):
    lead = _lead(rep)

    response = rep_client.post(
        reverse("leads:inline_edit", args=[lead.pk, "title"]), {"title": "Countess", "version": 1}, **HTMX
    )

    html = response.content.decode()
    lead.refresh_from_db()
    assert lead.title == "Countess"
    assert 'id="field-title"' in html
    assert 'id="lead-history" hx-swap-oob="true"' in html
    assert 'id="lead-path" hx-swap-oob="true"' in html
    assert 'id="lead-highlights" hx-swap-oob="true"' in html
    assert "Countess" in html
    assert response["HX-Trigger"] == "leadSaved"


def test_inline_edit_of_custom_field(rep_client, rep, marketing_admin):
    custom_field_create(object_name="lead", label="Score", field_type="number", acting_user=marketing_admin)
    lead = _lead(rep)

    rep_client.post(reverse("leads:inline_edit", args=[lead.pk, "Score__c"]), {"Score__c": "7", "version": 1}, **HTMX)

    lead.refresh_from_db()
    assert lead.custom_fields["Score__c"] == 7


def test_inline_edit_error_stays_inline(rep_client, rep):
    lead = _lead(rep)

    response = rep_client.post(
        reverse("leads:inline_edit", args=[lead.pk, "company"]), {"company": "", "version": 1}, **HTMX
    )

    assert response.status_code == 200
    assert "inline-edit-form" in response.content.decode()
    assert response.context["form"].errors["company"]


def test_inline_edit_service_error_stays_inline(rep_client, rep):
    lead = _lead(rep)

    response = rep_client.post(
        reverse("leads:inline_edit", args=[lead.pk, "email"]), {"email": "nope", "version": 1}, **HTMX
    )

    assert response.context["form"].errors["email"]
    assert Lead.objects.get(pk=lead.pk).email == ""


def test_inline_edit_cancel_restores_the_saved_row(rep_client, rep):
    lead = _lead(rep, title="Countess")

    response = rep_client.get(reverse("leads:inline_edit", args=[lead.pk, "title"]), {"cancel": "1"}, **HTMX)

    assert 'id="field-title"' in response.content.decode()
    assert "inline-edit-form" not in response.content.decode()


def test_inline_edit_of_unknown_field_is_refused(rep_client, rep):
    lead = _lead(rep)

    response = rep_client.get(reverse("leads:inline_edit", args=[lead.pk, "version"]), **HTMX)

    assert response.status_code == 403


# Change owner and visibility -----------------------------------------------------------------


def test_change_owner_page_changes_the_owner(rep_client, rep, other_rep):
    lead = _lead(rep)

    response = rep_client.post(reverse("leads:change_owner", args=[lead.pk]), {"owner": f"user:{other_rep.pk}"})

    lead.refresh_from_db()
    assert response.url == reverse("leads:detail", args=[lead.pk])
    assert lead.owner_user == other_rep


def test_change_owner_rejects_unknown_owner(rep_client, rep):
    lead = _lead(rep)

    response = rep_client.post(reverse("leads:change_owner", args=[lead.pk]), {"owner": "user:999999"})

    assert response.status_code == 200
    assert response.context["form"].errors["owner"]


@pytest.mark.parametrize(
    ("name", "method", "extra"),
    [
        ("leads:detail", "get", {}),
        ("leads:edit", "get", {}),
        ("leads:edit", "post", {"last_name": "X", "company": "Y", "status": "New", "version": 1}),
        ("leads:change_owner", "get", {}),
        ("leads:change_owner", "post", {"owner": "user:1"}),
        ("leads:note_create", "post", {"body": "sneaky"}),
        ("leads:set_status", "post", {"status": "Working", "version": 1}),
    ],
)
def test_rep_cannot_reach_another_reps_private_lead(rep_client, other_rep, name, method, extra):
    lead = _lead(other_rep)

    response = getattr(rep_client, method)(reverse(name, args=[lead.pk]), extra)

    assert response.status_code == 404
    lead.refresh_from_db()
    assert lead.version == 1
    assert not LeadNote.objects.exists()


def test_rep_cannot_inline_edit_another_reps_private_lead(rep_client, other_rep):
    lead = _lead(other_rep)

    get = rep_client.get(reverse("leads:inline_edit", args=[lead.pk, "title"]), **HTMX)
    post = rep_client.post(reverse("leads:inline_edit", args=[lead.pk, "title"]), {"title": "x", "version": 1}, **HTMX)

    assert get.status_code == 404
    assert post.status_code == 404
    assert Lead.objects.get(pk=lead.pk).title == ""


def test_rep_cannot_mass_change_another_reps_private_lead(rep_client, other_rep):
    lead = _lead(other_rep)

    rep_client.post(reverse("leads:mass_action"), {"action": "change_status", "status": "Working", "ids": [lead.pk]})

    assert Lead.objects.get(pk=lead.pk).status == "New"


def test_public_read_only_lets_reps_read_but_not_edit(rep_client, other_rep):
    OrgSettings.objects.update_or_create(singleton=1, defaults={"lead_access": "public_read"})
    lead = _lead(other_rep)

    page = rep_client.get(reverse("leads:detail", args=[lead.pk]))
    edit = rep_client.get(reverse("leads:edit", args=[lead.pk]))

    assert page.status_code == 200
    assert "Mark Status as Complete" not in page.content.decode()
    assert edit.status_code == 403


# Escaping ---------------------------------------------------------------------------------------

XSS = '<script>alert("x")</script><b>bold</b>'


def test_user_input_is_escaped_everywhere(rep_client, rep, marketing_admin):
    custom_field_create(
        object_name="lead", label="Motto", field_type="text", help_text=XSS, acting_user=marketing_admin
    )
    lead = lead_create(
        data={"last_name": XSS, "company": XSS, "title": XSS, "city": XSS},
        custom_fields={"Motto__c": XSS},
        acting_user=rep,
    )
    # The services refuse such a website now; one stored before that must still not become a link.
    Lead.objects.filter(pk=lead.pk).update(website="javascript:alert(1)")
    lead_update(lead=lead, data={"description": XSS}, acting_user=rep)
    LeadNoteFactory(lead=lead, body=XSS, title=XSS, created_by=rep)
    session = rep_client.session
    session["leads.list.columns"] = ["name", "company", "city", "Motto__c"]
    session.save()

    pages = {
        "list": rep_client.get(reverse("leads:list"), {"view": "my"}),
        "detail": rep_client.get(reverse("leads:detail", args=[lead.pk])),
        "inline": rep_client.get(reverse("leads:inline_edit", args=[lead.pk, "company"]), **HTMX),
        "inline_custom": rep_client.get(reverse("leads:inline_edit", args=[lead.pk, "Motto__c"]), **HTMX),
        "edit": rep_client.get(reverse("leads:edit", args=[lead.pk])),
        "inline_saved": rep_client.post(
            reverse("leads:inline_edit", args=[lead.pk, "title"]), {"title": XSS + "!", "version": 2}, **HTMX
        ),
    }

    for name, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, name
        assert "<script>alert" not in html, name
        assert "<b>bold</b>" not in html, name
        assert "&lt;script&gt;" in html, name
    assert 'href="javascript:' not in pages["detail"].content.decode()


def test_create_for_a_queue_the_rep_cannot_see_returns_to_the_list(rep_client, rep):
    queue = QueueFactory(name="Partners")

    response = rep_client.post(
        reverse("leads:create"),
        {"last_name": "Ng", "company": "Acme", "status": "New", "owner": f"queue:{queue.pk}"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("leads:list")
    assert "It is owned by Queue: Partners." in response.content.decode()
    assert Lead.objects.get().owner_queue == queue


def test_filter_panel_offers_custom_field_filters_and_keeps_chosen_values(rep_client, rep, marketing_admin):
    custom_field_create(
        object_name="lead", label="Tier", field_type="picklist", picklist_values=["Gold"], acting_user=marketing_admin
    )
    custom_field_create(object_name="lead", label="Budget", field_type="currency", acting_user=marketing_admin)

    html = rep_client.get(
        reverse("leads:list"), {"view": "my", "status": "Working", "Tier__c": "Gold", "Budget__c__min": "10"}
    ).content.decode()

    assert 'name="Tier__c"' in html
    assert '<option value="Gold" selected>Gold</option>' in html
    assert 'name="Budget__c__min" id="id_Budget__c__min" value="10"' in html
    assert 'name="status" value="Working" id="id_status_2" checked' in html
    assert f'<option value="user:{rep.pk}">Riley Rep</option>' in html


def test_record_page_of_a_lead_created_by_the_system_shows_system(client, rep):
    lead = LeadFactory(owner_user=rep, created_by=None, last_modified_by=None)
    LeadNoteFactory(lead=lead, created_by=None, body="Imported note")
    client.force_login(rep)

    response = client.get(reverse("leads:detail", args=[lead.pk]))

    assert response.status_code == 200
    assert response.content.decode().count("System") >= 3


def test_inline_edit_refreshes_the_record_header(rep_client, rep):
    lead = _lead(rep)

    response = rep_client.post(
        reverse("leads:inline_edit", args=[lead.pk, "company"]), {"company": "Difference Engines", "version": 1}, **HTMX
    )

    html = response.content.decode()
    header = html[html.index('id="lead-title"') :]
    assert 'id="lead-title" hx-swap-oob="true"' in html
    assert "Difference Engines" in header[: header.index("</div>\n</div>")]


def test_enter_in_the_lead_form_means_save(rep_client, rep):
    lead = _lead(rep)

    for url in (reverse("leads:create"), reverse("leads:edit", args=[lead.pk])):
        html = rep_client.get(url).content.decode()
        # Enter submits with the form's first submit button.
        assert html.index('name="save"') < html.index('name="save_new"')
