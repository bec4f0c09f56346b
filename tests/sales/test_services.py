import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from core.fields import clean_custom_fields
from core.models import FieldDefinition, FieldHistory, PicklistValue
from core.registry import object_spec
from core.services import custom_field_create
from leads.fields import DEFAULT_PICKLISTS as LEAD_PICKLISTS
from sales.fields import DEFAULT_PICKLISTS, INDUSTRIES, LEAD_SOURCES
from sales.models import Account, Opportunity
from sales.selectors import record_type_default_for
from sales.services import (
    RecordEditConflict,
    account_create,
    account_update,
    contact_create,
    contact_update,
    opportunity_contact_role_add,
    opportunity_create,
    opportunity_line_item_add,
    opportunity_line_item_remove,
    opportunity_line_item_update,
    opportunity_update,
    product_create,
    record_type_create,
    record_type_default_set,
    record_type_update,
)

pytestmark = pytest.mark.django_db

CLOSE = dt.date(2030, 6, 30)


def _stage_ids(*labels):
    return list(
        PicklistValue.objects.filter(object_name="opportunity", field_name="stage", api_name__in=labels).values_list(
            "pk", flat=True
        )
    )


def test_objects_are_registered_with_seeded_fields_and_picklists():
    assert object_spec("opportunity").picklist_fields == {"stage": "stage", "lead_source": "lead_source"}
    assert FieldDefinition.objects.get(object_name="account", api_name="name").is_required
    assert FieldDefinition.objects.get(object_name="contact", api_name="email").help_text
    won = PicklistValue.objects.get(object_name="opportunity", field_name="stage", api_name="Closed Won")
    assert (won.is_closed, won.is_won, won.probability) == (True, True, 100)
    assert PicklistValue.objects.get(object_name="opportunity", field_name="stage", is_default=True).label == (
        "Prospecting"
    )
    assert set(DEFAULT_PICKLISTS["account"]["type"][0][:1]) == {"Prospect"}


def test_shared_picklists_equal_the_lead_values():
    assert [v[0] for v in LEAD_PICKLISTS["industry"]] == INDUSTRIES
    assert [v[0] for v in LEAD_PICKLISTS["lead_source"]] == LEAD_SOURCES


def test_account_create_sets_owner_domain_and_history(rep):
    account = account_create(data={"name": "Acme", "website": "https://www.Acme.com/about"}, acting_user=rep)

    assert account.owner == rep
    assert account.website_domain == "acme.com"
    assert FieldHistory.objects.filter(object_name="account", record_id=account.pk, field_name="created").exists()


def test_account_create_reports_every_error_at_once(rep):
    with pytest.raises(ValidationError) as exc:
        account_create(
            data={"name": "", "industry": "Spaceflight", "annual_revenue": "lots", "website": "not a site"},
            acting_user=rep,
        )

    assert set(exc.value.message_dict) >= {"name", "industry", "annual_revenue", "website"}
    assert Account.objects.count() == 0


def test_unknown_field_is_refused(rep):
    with pytest.raises(ValidationError) as exc:
        account_create(data={"name": "Acme", "secret": "x"}, acting_user=rep)
    assert exc.value.message_dict == {"secret": ["This field cannot be set."]}


def test_account_update_writes_history_and_refuses_stale_versions(rep):
    account = account_create(data={"name": "Acme"}, acting_user=rep)

    account = account_update(account=account, data={"name": "Acme Ltd", "rating": "Hot"}, acting_user=rep)
    rows = FieldHistory.objects.filter(object_name="account", record_id=account.pk, record_version=2)
    assert {(r.field_name, r.old_value, r.new_value) for r in rows} == {
        ("name", "Acme", "Acme Ltd"),
        ("rating", "", "Hot"),
    }
    with pytest.raises(RecordEditConflict) as exc:
        account_update(account=account, data={"phone": "123"}, acting_user=rep, expected_version=1)
    assert {c.field_name for c in exc.value.changes} == {"name", "rating"}


def test_other_rep_may_not_edit_but_admin_may(rep, other_rep, marketing_admin):
    account = account_create(data={"name": "Acme"}, acting_user=rep)

    with pytest.raises(PermissionError):
        account_update(account=account, data={"phone": "1"}, acting_user=other_rep)
    assert account_update(account=account, data={"phone": "1"}, acting_user=marketing_admin).phone == "1"


def test_fill_blanks_only_never_overwrites(rep, marketing_admin):
    custom_field_create(object_name="account", label="Region", field_type="text", acting_user=marketing_admin)
    account = account_create(
        data={"name": "Acme", "phone": "555", "industry": "Banking"}, custom_fields={"Region__c": "EU"}, acting_user=rep
    )

    account = account_update(
        account=account,
        data={"name": "Other", "phone": "999", "industry": "Energy", "website": "acme.com", "rating": "Hot"},
        custom_fields={"Region__c": "US"},
        fill_blanks_only=True,
        acting_user=rep,
    )

    assert (account.name, account.phone, account.industry) == ("Acme", "555", "Banking")
    assert (account.website, account.rating) == ("acme.com", "Hot")
    assert account.custom_fields["Region__c"] == "EU"


def test_fill_blanks_only_fills_empty_custom_fields_and_contact_account(rep, marketing_admin):
    custom_field_create(object_name="contact", label="Hobby", field_type="text", acting_user=marketing_admin)
    account = account_create(data={"name": "Acme"}, acting_user=rep)
    contact = contact_create(data={"last_name": "Ng", "email": "ng@acme.com"}, acting_user=rep)

    contact = contact_update(
        contact=contact,
        data={"email": "other@x.com", "title": "CTO", "do_not_call": True},
        custom_fields={"Hobby__c": "Golf"},
        account=account,
        fill_blanks_only=True,
        acting_user=rep,
    )

    assert (contact.email, contact.title, contact.do_not_call, contact.account) == ("ng@acme.com", "CTO", True, account)
    assert contact.custom_fields == {"Hobby__c": "Golf"}


def test_custom_fields_work_on_all_three_objects(rep, marketing_admin):
    for obj in ("account", "contact", "opportunity"):
        custom_field_create(
            object_name=obj, label="Budget", field_type="currency", is_required=True, acting_user=marketing_admin
        )
    account = account_create(data={"name": "Acme"}, custom_fields={"Budget__c": "10"}, acting_user=rep)

    with pytest.raises(ValidationError) as exc:
        contact_create(data={"last_name": "Ng"}, custom_fields={"Budget__c": "lots"}, acting_user=rep)
    assert exc.value.message_dict == {"Budget__c": ["Enter a number."]}
    with pytest.raises(ValidationError) as exc:
        opportunity_create(data={"name": "Deal", "close_date": CLOSE}, account=account, acting_user=rep)
    assert exc.value.message_dict == {"Budget__c": ["This field is required."]}
    assert clean_custom_fields("account", {}, existing=account.custom_fields) == {"Budget__c": 10}


def test_opportunity_defaults_stage_and_probability(rep):
    account = account_create(data={"name": "Acme"}, acting_user=rep)

    opp = opportunity_create(data={"name": "Deal", "close_date": "2030-01-31"}, account=account, acting_user=rep)

    assert (opp.stage, opp.probability, opp.close_date) == ("Prospecting", 10, dt.date(2030, 1, 31))
    opp = opportunity_update(opportunity=opp, data={"stage": "Negotiation/Review"}, acting_user=rep)
    assert opp.probability == 90
    opp = opportunity_update(opportunity=opp, data={"probability": "55"}, acting_user=rep)
    assert opp.probability == 55


def test_opportunity_requires_close_date_and_name(rep):
    account = account_create(data={"name": "Acme"}, acting_user=rep)

    with pytest.raises(ValidationError) as exc:
        opportunity_create(data={"name": "", "probability": "150"}, account=account, acting_user=rep)

    assert exc.value.message_dict["close_date"] == ["Enter a close date."]
    assert set(exc.value.message_dict) >= {"name", "probability"}
    assert Opportunity.objects.count() == 0


def test_line_items_total_and_drive_the_amount(rep, marketing_admin):
    account = account_create(data={"name": "Acme"}, acting_user=rep)
    opp = opportunity_create(
        data={"name": "Deal", "close_date": CLOSE, "amount": "5"}, account=account, acting_user=rep
    )
    seats = product_create(data={"name": "Seat", "list_price": "100"}, acting_user=marketing_admin)
    support = product_create(data={"name": "Support", "list_price": "20"}, acting_user=marketing_admin)

    first = opportunity_line_item_add(opportunity=opp, product=seats, quantity="3", acting_user=rep)
    second = opportunity_line_item_add(
        opportunity=opp, product=support, quantity="2", unit_price="15.5", acting_user=rep
    )

    assert first.total_price == Decimal("300.00")
    assert second.total_price == Decimal("31.00")
    opp.refresh_from_db()
    assert opp.amount == Decimal("331.00")
    opportunity_line_item_update(line_item=second, quantity="4", unit_price="10", acting_user=rep)
    opportunity_line_item_remove(line_item=first, acting_user=rep)
    opp.refresh_from_db()
    assert opp.amount == Decimal("40.00")
    with pytest.raises(ValidationError) as exc:
        opportunity_update(opportunity=opp, data={"amount": "999"}, acting_user=rep)
    assert "amount" in exc.value.message_dict
    assert FieldHistory.objects.filter(object_name="opportunity", record_id=opp.pk, field_name="amount").count() >= 3


def test_a_new_opportunity_takes_its_products_and_primary_contact_in_one_step(rep, marketing_admin):
    account = account_create(data={"name": "Acme"}, acting_user=rep)
    contact = contact_create(data={"first_name": "Ann", "last_name": "Archer"}, account=account, acting_user=rep)
    seats = product_create(data={"name": "Seat", "list_price": "100"}, acting_user=marketing_admin)
    support = product_create(data={"name": "Support", "list_price": "20"}, acting_user=marketing_admin)

    opp = opportunity_create(
        data={"name": "Deal", "close_date": CLOSE, "amount": "5"},
        account=account,
        acting_user=rep,
        # 0.333 × 0.05 = 0.01665: cents rounded half up, as the database rounds the line's total.
        products=[(seats, "3", None), (support, "0.333", "0.05"), (support, "2", "15.5")],
        primary_contact=contact,
    )

    opp.refresh_from_db()
    totals = sorted(opp.line_items.values_list("total_price", flat=True))
    assert totals == [Decimal("0.02"), Decimal("31.00"), Decimal("300.00")]
    assert opp.amount == sum(totals) == Decimal("331.02")
    role = opp.contact_roles.get()
    assert (role.contact, role.is_primary) == (contact, True)
    entries = FieldHistory.objects.filter(object_name="opportunity", record_id=opp.pk)
    assert sorted(entries.values_list("field_name", flat=True)) == [
        "contact_roles",
        "created",
        "products",
        "products",
        "products",
    ]
    assert entries.filter(new_value="Seat × 3 added").exists()
    assert entries.filter(new_value="Ann Archer (no role) added").exists()


def test_a_new_opportunity_with_a_bad_product_line_is_not_created(rep, marketing_admin):
    account = account_create(data={"name": "Acme"}, acting_user=rep)
    old = product_create(data={"name": "Old", "list_price": "1", "is_active": False}, acting_user=marketing_admin)
    seats = product_create(data={"name": "Seat", "list_price": "100"}, acting_user=marketing_admin)

    with pytest.raises(ValidationError) as exc:
        opportunity_create(
            data={"name": "Deal", "close_date": CLOSE},
            account=account,
            acting_user=rep,
            products=[(old, "1", None), (seats, "0", None), ("Seat", "1", None)],
        )

    messages = exc.value.message_dict["products"]
    assert len(messages) == 3
    assert "inactive" in messages[0]
    assert "Seat" in messages[1]
    assert "Product 3" in messages[2]
    assert not Opportunity.objects.exists()


def test_line_item_input_errors(rep, marketing_admin):
    account = account_create(data={"name": "Acme"}, acting_user=rep)
    opp = opportunity_create(data={"name": "Deal", "close_date": CLOSE}, account=account, acting_user=rep)
    old = product_create(data={"name": "Old", "list_price": "1", "is_active": False}, acting_user=marketing_admin)

    with pytest.raises(ValidationError) as exc:
        opportunity_line_item_add(opportunity=opp, product=old, quantity="0", unit_price="-1", acting_user=rep)

    assert set(exc.value.message_dict) == {"product", "quantity", "unit_price"}


def test_contact_role_primary_moves(rep):
    account = account_create(data={"name": "Acme"}, acting_user=rep)
    opp = opportunity_create(data={"name": "Deal", "close_date": CLOSE}, account=account, acting_user=rep)
    a = contact_create(data={"last_name": "A"}, account=account, acting_user=rep)
    b = contact_create(data={"last_name": "B"}, account=account, acting_user=rep)

    opportunity_contact_role_add(opportunity=opp, contact=a, role="Decision Maker", is_primary=True, acting_user=rep)
    opportunity_contact_role_add(opportunity=opp, contact=b, role="Evaluator", is_primary=True, acting_user=rep)

    assert [(r.contact.last_name, r.is_primary) for r in opp.contact_roles.order_by("id")] == [
        ("A", False),
        ("B", True),
    ]
    with pytest.raises(ValidationError):
        opportunity_contact_role_add(opportunity=opp, contact=a, role="Wizard", acting_user=rep)


def test_record_type_offers_a_subset_of_stages(rep, marketing_admin):
    account = account_create(data={"name": "Acme"}, acting_user=rep)
    smb = record_type_create(
        object_name="opportunity",
        name="SMB",
        picklist_values=_stage_ids("Qualification", "Closed Won", "Closed Lost"),
        acting_user=marketing_admin,
    )

    opp = opportunity_create(
        data={"name": "Deal", "close_date": CLOSE}, account=account, record_type=smb, acting_user=rep
    )
    assert opp.stage == "Qualification"  # Prospecting is not offered: the first offered stage
    assert opp.lead_source == ""
    with pytest.raises(ValidationError) as exc:
        opportunity_update(opportunity=opp, data={"stage": "Negotiation/Review"}, acting_user=rep)
    assert "stage" in exc.value.message_dict
    # No lead source value was chosen for the record type: all of them are offered.
    assert opportunity_update(opportunity=opp, data={"lead_source": "Webinar"}, acting_user=rep).lead_source == (
        "Webinar"
    )


def test_record_type_change_revalidates_values(rep, marketing_admin):
    account = account_create(data={"name": "Acme"}, acting_user=rep)
    opp = opportunity_create(
        data={"name": "Deal", "close_date": CLOSE, "stage": "Perception Analysis"}, account=account, acting_user=rep
    )
    smb = record_type_create(
        object_name="opportunity", name="SMB", picklist_values=_stage_ids("Qualification"), acting_user=marketing_admin
    )

    with pytest.raises(ValidationError) as exc:
        opportunity_update(opportunity=opp, data={}, record_type=smb, acting_user=rep)
    assert "stage" in exc.value.message_dict


def test_record_type_defaults_per_role_and_per_user(rep, other_rep, marketing_admin):
    enterprise = record_type_create(object_name="opportunity", name="Enterprise", acting_user=marketing_admin)
    smb = record_type_create(object_name="opportunity", name="SMB", acting_user=marketing_admin)
    record_type_default_set(
        object_name="opportunity",
        record_type=smb,
        group=Group.objects.get(name="Sales rep"),
        acting_user=marketing_admin,
    )
    record_type_default_set(object_name="opportunity", record_type=enterprise, user=rep, acting_user=marketing_admin)

    assert record_type_default_for(user=rep, object_name="opportunity") == enterprise
    assert record_type_default_for(user=other_rep, object_name="opportunity") == smb
    assert record_type_default_for(user=marketing_admin, object_name="opportunity") is None
    account = account_create(data={"name": "Acme"}, acting_user=other_rep)
    opp = opportunity_create(data={"name": "Deal", "close_date": CLOSE}, account=account, acting_user=other_rep)
    assert opp.record_type == smb
    record_type_update(record_type=smb, is_active=False, acting_user=marketing_admin)
    assert record_type_default_for(user=other_rep, object_name="opportunity") is None


def test_record_type_setup_is_admin_only_and_validated(rep, marketing_admin):
    with pytest.raises(PermissionError):
        record_type_create(object_name="opportunity", name="X", acting_user=rep)
    record_type_create(object_name="opportunity", name="SMB", acting_user=marketing_admin)
    lead_status = PicklistValue.objects.filter(object_name="lead").first()
    with pytest.raises(ValidationError) as exc:
        record_type_create(
            object_name="opportunity", name="smb", picklist_values=[lead_status.pk], acting_user=marketing_admin
        )
    assert "name" in exc.value.message_dict


def test_product_code_is_unique(marketing_admin):
    product_create(data={"name": "Seat", "product_code": "S-1", "list_price": "1"}, acting_user=marketing_admin)

    with pytest.raises(ValidationError) as exc:
        product_create(data={"name": "Seat 2", "product_code": "s-1", "list_price": "-1"}, acting_user=marketing_admin)

    assert set(exc.value.message_dict) == {"product_code", "list_price"}


def test_record_type_restricts_custom_picklists_too(rep, marketing_admin):
    custom_field_create(
        object_name="opportunity",
        label="Region",
        field_type="picklist",
        picklist_values=["EMEA", "APAC", "AMER"],
        acting_user=marketing_admin,
    )
    emea = PicklistValue.objects.get(object_name="opportunity", field_name="Region__c", api_name="EMEA")
    europe = record_type_create(
        object_name="opportunity", name="Europe", picklist_values=[emea], acting_user=marketing_admin
    )
    account = account_create(data={"name": "Acme"}, acting_user=rep)

    with pytest.raises(ValidationError) as exc:
        opportunity_create(
            data={"name": "Deal", "close_date": CLOSE},
            custom_fields={"Region__c": "APAC"},
            account=account,
            record_type=europe,
            acting_user=rep,
        )
    assert "Region__c" in exc.value.message_dict
    opp = opportunity_create(
        data={"name": "Deal", "close_date": CLOSE},
        custom_fields={"Region__c": "EMEA"},
        account=account,
        record_type=europe,
        acting_user=rep,
    )
    assert opp.custom_fields["Region__c"] == "EMEA"
