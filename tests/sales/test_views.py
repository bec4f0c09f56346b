import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import FieldHistory
from core.services import custom_field_create
from sales.models import Account, Contact, Opportunity, RecordType
from sales.services import opportunity_line_item_add, record_type_create
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    return client


def test_list_pages_render_with_rows_and_empty_states(rep_client, rep):
    assert b"No accounts yet" in rep_client.get(reverse("sales:account_list")).content
    account = AccountFactory(name="Globex", owner=rep)
    ContactFactory(account=account, last_name="Simpson")
    OpportunityFactory(account=account, name="Globex renewal")

    assert b"Globex" in rep_client.get(reverse("sales:account_list")).content
    assert b"Simpson" in rep_client.get(reverse("sales:contact_list")).content
    assert b"Globex renewal" in rep_client.get(reverse("sales:opportunity_list")).content
    assert b"Globex" not in rep_client.get(reverse("sales:account_list"), {"q": "Initech"}).content


@pytest.mark.parametrize("list_name", ["account_list", "contact_list", "opportunity_list"])
def test_list_views_do_not_query_per_row(rep_client, rep, list_name, django_assert_max_num_queries):
    for _ in range(15):
        account = AccountFactory(owner=rep)
        ContactFactory(account=account)
        OpportunityFactory(account=account)

    with django_assert_max_num_queries(12):
        response = rep_client.get(reverse(f"sales:{list_name}"), {"ordering": "-owner"})

    assert response.status_code == 200
    assert response.content.count(b"<tr>") >= 16


def test_record_pages_do_not_query_per_related_row(rep_client, rep, django_assert_max_num_queries):
    account = AccountFactory(owner=rep)
    for _ in range(10):
        contact = ContactFactory(account=account)
        opp = OpportunityFactory(account=account)
        opportunity_line_item_add(opportunity=opp, product=ProductFactory(), quantity=1, acting_user=rep)
        opp.contact_roles.create(contact=contact)

    with django_assert_max_num_queries(30):
        assert rep_client.get(reverse("sales:account_detail", args=[account.pk])).status_code == 200
    with django_assert_max_num_queries(30):
        assert rep_client.get(reverse("sales:contact_detail", args=[contact.pk])).status_code == 200
    with django_assert_max_num_queries(40):
        assert rep_client.get(reverse("sales:opportunity_detail", args=[opp.pk])).status_code == 200


def test_list_pages_without_count_show_next_link(rep_client, rep):
    for i in range(51):
        AccountFactory(name=f"Account {i:02d}", owner=rep)

    first = rep_client.get(reverse("sales:account_list"))
    second = rep_client.get(reverse("sales:account_list"), {"page": 2})

    assert b"Next" in first.content
    assert b"Account 50" in second.content
    assert b"Next" not in second.content


def test_account_create_page_creates_and_redirects_with_message(rep_client, rep):
    response = rep_client.post(
        reverse("sales:account_create"), {"name": "Initech", "owner": rep.pk, "rating": "Hot"}, follow=True
    )

    account = Account.objects.get(name="Initech")
    assert response.redirect_chain[-1][0] == reverse("sales:account_detail", args=[account.pk])
    assert "Account “Initech” was created." in response.content.decode()
    assert account.rating == "Hot"


def test_create_page_shows_errors_and_help_text(rep_client, rep):
    missing = rep_client.post(reverse("sales:account_create"), {"name": "", "owner": rep.pk})
    response = rep_client.post(
        reverse("sales:account_create"), {"name": "Acme", "owner": rep.pk, "website": "bad site"}
    )

    assert missing.status_code == 400
    assert "This field is required." in missing.content.decode()
    body = response.content.decode()
    assert "Enter a valid website" in body
    assert "used to find duplicates" in body  # help text beside the field
    assert Account.objects.count() == 0


def test_rep_cannot_edit_another_reps_account(rep_client, other_rep):
    account = AccountFactory(owner=other_rep)

    assert rep_client.get(reverse("sales:account_detail", args=[account.pk])).status_code == 200
    assert rep_client.get(reverse("sales:account_edit", args=[account.pk])).status_code == 403
    response = rep_client.post(reverse("sales:account_edit", args=[account.pk]), {"name": "Hijack", "owner": 1})
    assert response.status_code == 403
    assert Account.objects.get(pk=account.pk).name != "Hijack"


def test_admin_can_edit_any_account(client, marketing_admin, other_rep):
    account = AccountFactory(owner=other_rep, name="Old")
    client.force_login(marketing_admin)

    response = client.post(
        reverse("sales:account_edit", args=[account.pk]),
        {"name": "New", "owner": other_rep.pk, "version": account.version},
    )

    assert response.status_code == 302
    assert Account.objects.get(pk=account.pk).name == "New"


def test_stale_edit_is_refused_with_a_message(rep_client, rep):
    account = AccountFactory(owner=rep, name="Acme", version=3)

    response = rep_client.post(
        reverse("sales:account_edit", args=[account.pk]), {"name": "Mine", "owner": rep.pk, "version": 2}
    )

    assert response.status_code == 400
    assert "Someone else saved this account" in response.content.decode()


def test_account_page_shows_related_lists_and_history(rep_client, rep):
    account = AccountFactory(owner=rep, name="Acme")
    ContactFactory(account=account, first_name="Jo", last_name="Bloggs")
    OpportunityFactory(account=account, name="Acme expansion")
    FieldHistory.objects.create(
        object_name="account",
        record_id=account.pk,
        field_name="phone",
        field_label="Phone",
        new_value="555",
        changed_at=account.created_at,
    )

    body = rep_client.get(reverse("sales:account_detail", args=[account.pk])).content.decode()

    assert "Jo Bloggs" in body
    assert "Acme expansion" in body
    assert "Account History (1)" in body


def test_contact_create_under_account_and_custom_field(rep_client, rep, marketing_admin):
    custom_field_create(object_name="contact", label="Nickname", field_type="text", acting_user=marketing_admin)
    account = AccountFactory(owner=rep)

    page = rep_client.get(reverse("sales:contact_create"), {"account": account.pk}).content.decode()
    assert "Nickname" in page
    response = rep_client.post(
        reverse("sales:contact_create"),
        {"last_name": "Ng", "account": account.pk, "owner": rep.pk, "Nickname__c": "Nico"},
    )

    contact = Contact.objects.get(last_name="Ng")
    assert response.status_code == 302
    assert (contact.account, contact.custom_fields["Nickname__c"]) == (account, "Nico")


def test_opportunity_page_shows_path_products_and_roles(rep_client, rep):
    account = AccountFactory(owner=rep)
    opp = OpportunityFactory(account=account, owner=rep, stage="Value Proposition")
    opportunity_line_item_add(
        opportunity=opp, product=ProductFactory(name="Widget", list_price=10), quantity=3, acting_user=rep
    )

    body = rep_client.get(reverse("sales:opportunity_detail", args=[opp.pk])).content.decode()

    assert 'class="crm-path"' in body
    assert "path-step current" in body
    assert body.count("path-step complete") == 3  # Prospecting, Qualification, Needs Analysis
    assert "Widget" in body
    assert "30.00" in body


def test_closed_lost_path_step_is_marked_lost(rep_client, rep):
    opp = OpportunityFactory(account=AccountFactory(owner=rep), owner=rep, stage="Closed Lost", probability=0)

    body = rep_client.get(reverse("sales:opportunity_detail", args=[opp.pk])).content.decode()

    assert "path-step lost" in body


def test_stage_change_from_the_path_defaults_probability(rep_client, rep):
    opp = OpportunityFactory(account=AccountFactory(owner=rep), owner=rep)

    rep_client.post(reverse("sales:opportunity_stage", args=[opp.pk]), {"stage": "Proposal/Price Quote"})

    opp.refresh_from_db()
    assert (opp.stage, opp.probability) == ("Proposal/Price Quote", 75)


def test_opportunity_create_with_record_type_offers_only_its_stages(rep_client, rep, marketing_admin):
    from core.models import PicklistValue

    smb = record_type_create(
        object_name="opportunity",
        name="SMB",
        picklist_values=list(
            PicklistValue.objects.filter(
                object_name="opportunity", field_name="stage", api_name__in=["Qualification", "Closed Won"]
            )
        ),
        acting_user=marketing_admin,
    )
    account = AccountFactory(owner=rep)

    page = rep_client.get(reverse("sales:opportunity_create"), {"record_type": smb.pk, "account": account.pk})
    body = page.content.decode()
    assert 'value="Qualification"' in body
    assert 'value="Negotiation/Review"' not in body
    response = rep_client.post(
        reverse("sales:opportunity_create"),
        {
            "record_type": smb.pk,
            "name": "Small deal",
            "account": account.pk,
            "close_date": "2030-01-01",
            "stage": "Qualification",
            "owner": rep.pk,
        },
    )
    assert response.status_code == 302
    opp = Opportunity.objects.get(name="Small deal")
    assert (opp.record_type, opp.probability, opp.close_date) == (smb, 20, dt.date(2030, 1, 1))


def test_product_and_role_actions_on_opportunity(rep_client, rep):
    account = AccountFactory(owner=rep)
    contact = ContactFactory(account=account)
    opp = OpportunityFactory(account=account, owner=rep)
    product = ProductFactory(list_price=Decimal("12.50"))

    rep_client.post(reverse("sales:opportunity_product_add", args=[opp.pk]), {"product": product.pk, "quantity": "2"})
    rep_client.post(
        reverse("sales:opportunity_contact_role_add", args=[opp.pk]),
        {"contact": contact.pk, "role": "Decision Maker", "is_primary": "on"},
    )

    opp.refresh_from_db()
    assert opp.amount == Decimal("25.00")
    assert opp.contact_roles.get().is_primary
    body = rep_client.get(reverse("sales:contact_detail", args=[contact.pk])).content.decode()
    assert opp.name in body
    assert "Decision Maker" in body


def test_setup_pages_are_admin_only(rep_client, client, marketing_admin):
    assert rep_client.get(reverse("sales:recordtype_list")).status_code == 403
    assert rep_client.get(reverse("sales:product_create")).status_code == 403
    assert rep_client.get(reverse("sales:product_list")).status_code == 200
    client.force_login(marketing_admin)
    assert client.get(reverse("sales:recordtype_list")).status_code == 200


def test_admin_creates_record_type_and_sets_role_default(client, marketing_admin):
    from django.contrib.auth.models import Group

    from core.models import PicklistValue

    client.force_login(marketing_admin)
    stage = PicklistValue.objects.get(object_name="opportunity", field_name="stage", api_name="Qualification")

    response = client.post(
        reverse("sales:recordtype_create"),
        {"object_name": "opportunity", "name": "Enterprise", "is_active": "on", "values_stage": [stage.pk]},
    )
    record_type = RecordType.objects.get(name="Enterprise")
    assert response.status_code == 302
    assert list(record_type.picklist_values.all()) == [stage]
    response = client.post(
        reverse("sales:recordtype_default_set"),
        {"object_name": "opportunity", "role": Group.objects.get(name="Sales rep").pk, "record_type": record_type.pk},
        follow=True,
    )
    assert "Enterprise is now the default record type of Sales rep." in response.content.decode()
    assert client.get(reverse("sales:recordtype_detail", args=[record_type.pk])).status_code == 200


def test_admin_creates_product(client, marketing_admin):
    client.force_login(marketing_admin)

    response = client.post(
        reverse("sales:product_create"),
        {"name": "Gadget", "product_code": "G-1", "list_price": "9.99", "is_active": "on"},
    )

    assert response.status_code == 302
    assert client.get(response.url).status_code == 200


def test_inline_edit_saves_one_field_and_cancel_restores_it(rep_client, rep):
    account = AccountFactory(owner=rep, name="Acme", phone="1")
    url = reverse("sales:account_inline_edit", args=[account.pk, "phone"])

    form = rep_client.get(url, headers={"HX-Request": "true"})
    cancel = rep_client.get(url, {"cancel": "1"}, headers={"HX-Request": "true"})
    saved = rep_client.post(url, {"phone": "555-0100", "version": account.version}, headers={"HX-Request": "true"})
    invalid = rep_client.post(
        reverse("sales:account_inline_edit", args=[account.pk, "rating"]),
        {"rating": "Lukewarm", "version": account.version + 1},
        headers={"HX-Request": "true"},
    )

    assert 'name="phone"' in form.content.decode()
    assert 'data-testid="value-phone"' in cancel.content.decode()
    assert saved.status_code == 204
    assert saved["HX-Redirect"] == reverse("sales:account_detail", args=[account.pk])
    account.refresh_from_db()
    assert (account.phone, account.version) == ("555-0100", 2)
    assert "is not one of the available choices" in invalid.content.decode()


def test_inline_edit_post_without_htmx_saves_or_opens_the_edit_page_with_the_error(rep_client, rep):
    account = AccountFactory(owner=rep, name="Acme", phone="1")

    saved = rep_client.post(
        reverse("sales:account_inline_edit", args=[account.pk, "phone"]), {"phone": "555-0100", "version": 1}
    )
    refused = rep_client.post(
        reverse("sales:account_inline_edit", args=[account.pk, "rating"]),
        {"rating": "Lukewarm", "version": 2},
        follow=True,
    )

    account.refresh_from_db()
    assert (account.phone, account.rating) == ("555-0100", "")
    assert saved.url == reverse("sales:account_detail", args=[account.pk])
    assert refused.redirect_chain == [(reverse("sales:account_edit", args=[account.pk]) + "#id_rating", 302)]
    assert "Nothing was saved. Rating: Select a valid choice." in refused.content.decode()


def test_inline_edit_is_refused_for_other_reps_and_for_amount_with_products(rep_client, rep, other_rep):
    theirs = AccountFactory(owner=other_rep)
    opp = OpportunityFactory(account=AccountFactory(owner=rep), owner=rep)
    opportunity_line_item_add(opportunity=opp, product=ProductFactory(), quantity=1, acting_user=rep)

    forbidden = rep_client.get(
        reverse("sales:account_inline_edit", args=[theirs.pk, "phone"]), headers={"HX-Request": "true"}
    )
    amount = rep_client.get(
        reverse("sales:opportunity_inline_edit", args=[opp.pk, "amount"]), headers={"HX-Request": "true"}
    )

    assert forbidden.status_code == 403
    assert amount.status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc"},
        {"page": "-3"},
        {"ordering": "password"},
        {"owner": "not-a-user"},
        {"stage": "Nope"},
        {"close_date_after": "yesterday"},
        {"q": "x" * 500},
        {"mine": "maybe"},
    ],
)
def test_bad_list_parameters_never_fail(rep_client, rep, query):
    OpportunityFactory(account=AccountFactory(owner=rep))

    assert rep_client.get(reverse("sales:opportunity_list"), query).status_code == 200
    assert rep_client.get("/api/opportunities/", query).status_code in (200, 400)


def test_unknown_records_are_404(rep_client):
    assert rep_client.get(reverse("sales:account_detail", args=[999999])).status_code == 404
    assert rep_client.get(reverse("sales:opportunity_edit", args=[999999])).status_code == 404
    assert rep_client.get("/api/contacts/999999/").status_code == 404


def test_account_create_page_warns_about_possible_duplicates(rep_client, rep):
    AccountFactory(name="Acme Corporation", website_domain="acme.com")

    by_name = rep_client.get(reverse("sales:account_duplicates"), {"name": "acme"})
    by_site = rep_client.get(reverse("sales:account_duplicates"), {"name": "Other", "website": "https://www.acme.com/"})
    none = rep_client.get(reverse("sales:account_duplicates"), {"name": "Globex"})

    assert "Acme Corporation" in by_name.content.decode()
    assert "Acme Corporation" in by_site.content.decode()
    assert none.content.decode().strip() == ""
    assert "account-duplicates" in rep_client.get(reverse("sales:account_create")).content.decode()
