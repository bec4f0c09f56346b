"""The conversion service on PostgreSQL: mapping, matching, settings, atomicity."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError

from conversion.mapping import MappingContext
from conversion.models import LeadConversion
from conversion.services import (
    ConvertOptions,
    ProductLine,
    end_of_quarter,
    lead_convert,
    lead_convert_bulk,
    lead_convert_preview,
)
from core.models import FieldHistory, PicklistValue
from core.services import custom_field_create, picklist_set_default
from leads.models import Lead
from sales import services as sales_services
from sales.models import (
    Account,
    Contact,
    Opportunity,
    OpportunityContactRole,
    OpportunityLineItem,
    RecordType,
    RecordTypeDefault,
)
from tests.factories import LeadFactory, QueueFactory, UserFactory


def _counts():
    return Account.objects.count(), Contact.objects.count(), Opportunity.objects.count(), LeadConversion.objects.count()


# The standard mapping ------------------------------------------------------------------------------


def test_convert_maps_standard_fields_to_new_account_contact_and_opportunity(lead, rep, convert):
    # given a fully filled lead
    # when it is converted with the defaults
    conversion = convert(lead, rep)

    # then the account gets the company fields and the billing address
    account = conversion.account
    assert (account.name, account.website, account.phone) == ("Acme Corp", "www.acme-corp.example", "+1 555 0100")
    assert (account.industry, account.rating) == ("Banking", "Hot")
    assert account.annual_revenue == Decimal("1500000.00")
    assert account.number_of_employees == 250
    assert (account.billing_street, account.billing_city, account.billing_state) == ("1 Main St", "Springfield", "IL")
    assert (account.billing_postal_code, account.billing_country) == ("62701", "USA")
    assert account.owner == rep
    # and the contact the person, the mailing address, source, description and preferences
    contact = conversion.contact
    assert contact.account == account
    assert (contact.salutation, contact.first_name, contact.last_name, contact.title) == ("Ms.", "Ann", "Archer", "CTO")
    assert (contact.email, contact.phone, contact.mobile) == ("ann@acme-corp.example", "+1 555 0100", "+1 555 0101")
    assert (contact.mailing_street, contact.mailing_city, contact.mailing_country) == (
        "1 Main St",
        "Springfield",
        "USA",
    )
    assert contact.lead_source == "Website"
    assert contact.description == "Wants a demo."
    assert (contact.do_not_call, contact.email_opt_out) == (True, False)
    # and the opportunity its defaults, the lead source, and the contact as primary contact
    opportunity = conversion.opportunity
    assert opportunity.name == "Acme Corp-"
    assert opportunity.stage == "Prospecting"
    assert opportunity.close_date == end_of_quarter()
    assert opportunity.lead_source == "Website"
    assert opportunity.account == account
    assert OpportunityContactRole.objects.get(opportunity=opportunity).contact == contact


def test_convert_marks_the_lead_converted_with_history(lead, rep, convert):
    version = lead.version

    conversion = convert(lead, rep, converted_status="Qualified")

    lead.refresh_from_db()
    assert lead.is_converted
    assert lead.converted_at == conversion.converted_at
    assert lead.status == "Qualified"
    assert lead.version == version + 1
    assert lead.last_modified_by == rep
    history = {h.field_name: h for h in FieldHistory.objects.filter(object_name="lead", record_id=lead.pk)}
    assert (history["status"].old_value, history["status"].new_value) == ("Working", "Qualified")
    assert history["is_converted"].new_value == "true"
    assert "Acme Corp" in history["is_converted"].note
    assert (conversion.converted_by, conversion.converted_status) == (rep, "Qualified")
    assert conversion.account_created
    assert conversion.contact_created


def test_converted_lead_leaves_the_list_views(lead, rep, convert):
    from leads.selectors import lead_list

    convert(lead, rep)

    assert lead.pk not in set(lead_list(user=rep).values_list("pk", flat=True))


def test_already_converted_lead_is_refused(lead, rep, system_admin, convert):
    convert(lead, rep)

    with pytest.raises(ValidationError, match="already been converted"):
        convert(Lead.objects.get(pk=lead.pk), system_admin)
    assert LeadConversion.objects.count() == 1


def test_rep_may_not_convert_a_lead_they_may_not_edit(lead, other_rep, convert):
    with pytest.raises(PermissionError):
        convert(lead, other_rep)
    assert _counts() == (0, 0, 0, 0)


def test_queue_lead_defaults_to_the_converting_user_as_owner(rep, convert):
    queue = QueueFactory()
    queue.members.add(rep)
    lead = LeadFactory(owner_user=None, owner_queue=queue, company="Queue Co")

    conversion = convert(lead, rep)

    assert conversion.owner == rep
    assert conversion.account.owner == rep
    assert conversion.contact.owner == rep


def test_converted_status_must_be_flagged_converted(lead, rep, convert):
    with pytest.raises(ValidationError) as caught:
        convert(lead, rep, converted_status="Working")

    assert "converted_status" in caught.value.message_dict
    assert _counts() == (0, 0, 0, 0)


def test_owner_chosen_by_a_rep_gets_the_records_with_products(lead, rep, other_rep, product, convert):
    conversion = convert(
        lead, rep, owner_id=other_rep.pk, products=[ProductLine(product.pk, Decimal("2"), Decimal("90"))]
    )

    opportunity = Opportunity.objects.get(pk=conversion.opportunity_id)
    assert (conversion.account.owner, conversion.contact.owner, opportunity.owner) == (other_rep, other_rep, other_rep)
    assert opportunity.amount == Decimal("180.00")
    assert opportunity.line_items.get().unit_price == Decimal("90.00")


def test_products_default_to_the_list_price(lead, rep, product, convert):
    conversion = convert(lead, rep, products=[ProductLine(product.pk, Decimal("3"))])

    item = conversion.opportunity.line_items.get()
    assert (item.quantity, item.unit_price) == (Decimal("3.00"), Decimal("100.00"))


def test_invalid_products_are_refused_with_every_problem(lead, rep, product, convert):
    product.is_active = False
    product.save()

    with pytest.raises(ValidationError) as caught:
        convert(lead, rep, products=[ProductLine(product.pk, Decimal("1")), ProductLine(999999, Decimal("-1"))])

    assert len(caught.value.message_dict["products"]) == 2
    assert _counts() == (0, 0, 0, 0)


# Picklist defaults and record types --------------------------------------------------------------


def test_empty_picklists_get_the_target_default(rep, system_admin, convert):
    picklist_set_default(
        value=PicklistValue.objects.get(object_name="account", field_name="rating", api_name="Warm"),
        acting_user=system_admin,
    )
    picklist_set_default(
        value=PicklistValue.objects.get(object_name="contact", field_name="lead_source", api_name="Other"),
        acting_user=system_admin,
    )
    lead = LeadFactory(owner_user=rep, rating="", lead_source="", industry="")

    conversion = convert(lead, rep)

    assert conversion.account.rating == "Warm"
    assert conversion.account.industry == ""
    assert conversion.contact.lead_source == "Other"


def test_new_records_get_the_new_owners_default_record_type(lead, rep, other_rep, convert):
    enterprise = RecordType.objects.create(object_name="account", name="Enterprise")
    partner = RecordType.objects.create(object_name="account", name="Partner")
    deal = RecordType.objects.create(object_name="opportunity", name="New Business")
    RecordTypeDefault.objects.create(object_name="account", record_type=enterprise, user=rep)
    RecordTypeDefault.objects.create(object_name="account", record_type=partner, user=other_rep)
    RecordTypeDefault.objects.create(object_name="opportunity", record_type=deal, user=other_rep)

    conversion = convert(lead, rep, owner_id=other_rep.pk)

    assert conversion.account.record_type == partner
    assert Opportunity.objects.get(pk=conversion.opportunity_id).record_type == deal


def test_value_the_record_type_does_not_offer_is_left_out(lead, rep, convert):
    record_type = RecordType.objects.create(object_name="account", name="Tech only")
    record_type.picklist_values.add(
        PicklistValue.objects.get(object_name="account", field_name="industry", api_name="Technology"),
        PicklistValue.objects.get(object_name="account", field_name="rating", api_name="Hot"),
    )
    RecordTypeDefault.objects.create(object_name="account", record_type=record_type, user=rep)

    conversion = convert(lead, rep)

    # Banking is not offered by the record type and industry has no default: left empty
    assert conversion.account.industry == ""
    assert conversion.account.rating == "Hot"
    assert conversion.account.record_type == record_type


# Existing accounts and contacts ---------------------------------------------------------------------


def _account(owner, **data):
    return sales_services.account_create(data={"name": "Acme Corp", **data}, acting_user=owner, owner=owner)


def test_existing_account_is_suggested_by_name_and_domain(lead, rep):
    from conversion.selectors import account_suggestions

    by_name = _account(rep)
    by_domain = sales_services.account_create(
        data={"name": "ACME Holdings", "website": "https://acme-corp.example/about"}, acting_user=rep, owner=rep
    )
    _account(rep, name="Unrelated Ltd", website="other.example")

    suggestions = account_suggestions(user=rep, lead=lead)

    assert [a.pk for a in suggestions] == [by_name.pk, by_domain.pk]


def test_existing_account_gets_only_its_empty_fields_filled(lead, rep, convert):
    account = _account(rep, phone="+44 20 0000", industry="Retail")
    version = account.version

    conversion = convert(lead, rep, account_id=account.pk)

    account.refresh_from_db()
    assert Account.objects.count() == 1
    assert not conversion.account_created
    assert (account.phone, account.industry) == ("+44 20 0000", "Retail")  # kept
    assert (account.website, account.billing_city, account.rating) == ("www.acme-corp.example", "Springfield", "Hot")
    assert account.version == version + 1
    assert conversion.contact.account == account


def test_existing_contact_of_the_account_gets_only_its_empty_fields_filled(lead, rep, convert):
    account = _account(rep)
    contact = sales_services.contact_create(
        data={"first_name": "Ann", "last_name": "Archer", "email": "ann@acme-corp.example", "title": "CEO"},
        account=account,
        acting_user=rep,
        owner=rep,
    )
    from conversion.selectors import contact_suggestions

    assert contact_suggestions(user=rep, lead=lead, account=account) == [contact]

    conversion = convert(lead, rep, account_id=account.pk, contact_id=contact.pk, create_opportunity=False)

    contact.refresh_from_db()
    assert Contact.objects.count() == 1
    assert not conversion.contact_created
    assert contact.title == "CEO"
    assert (contact.mobile, contact.mailing_city, contact.do_not_call) == ("+1 555 0101", "Springfield", True)
    assert conversion.opportunity is None


def test_contact_of_another_account_is_refused(lead, rep, convert):
    account = _account(rep)
    elsewhere = _account(rep, name="Elsewhere")
    contact = sales_services.contact_create(data={"last_name": "X"}, account=elsewhere, acting_user=rep, owner=rep)

    with pytest.raises(ValidationError) as caught:
        convert(lead, rep, account_id=account.pk, contact_id=contact.pk)

    assert "contact" in caught.value.message_dict
    assert Contact.objects.count() == 1


def test_account_the_user_may_not_edit_is_joined_but_not_changed(lead, rep, other_rep, convert):
    account = _account(other_rep)

    conversion = convert(lead, rep, account_id=account.pk)

    account.refresh_from_db()
    assert conversion.account == account
    assert account.website == ""
    assert conversion.contact.account == account


# Lead Settings -------------------------------------------------------------------------------------


def test_opportunity_optional_by_default(lead, rep, convert):
    conversion = convert(lead, rep, create_opportunity=False)

    assert conversion.opportunity is None
    assert Opportunity.objects.count() == 0


def test_opportunity_required_by_lead_settings(lead, rep, convert, opportunity_required):
    with pytest.raises(ValidationError) as caught:
        convert(lead, rep, create_opportunity=False)

    assert "create_opportunity" in caught.value.message_dict
    assert _counts() == (0, 0, 0, 0)
    assert convert(Lead.objects.get(pk=lead.pk), rep).opportunity is not None


# Custom fields -----------------------------------------------------------------------------------


def test_custom_lead_fields_follow_the_mapping(rep, marketing_admin, convert):
    from conversion.services import field_mapping_create

    custom_field_create(object_name="lead", label="Region", field_type="text", acting_user=marketing_admin)
    custom_field_create(
        object_name="contact", label="Contact Region", field_type="textarea", acting_user=marketing_admin
    )
    custom_field_create(
        object_name="lead",
        label="Tier",
        field_type="picklist",
        picklist_values=["Gold", "Silver"],
        acting_user=marketing_admin,
    )
    custom_field_create(object_name="account", label="Tier Name", field_type="text", acting_user=marketing_admin)
    custom_field_create(object_name="lead", label="Seats", field_type="number", acting_user=marketing_admin)
    custom_field_create(
        object_name="opportunity", label="Seat Budget", field_type="currency", acting_user=marketing_admin
    )
    field_mapping_create(
        lead_field="Region__c", target_object="contact", target_field="Contact_Region__c", acting_user=marketing_admin
    )
    field_mapping_create(
        lead_field="Tier__c", target_object="account", target_field="Tier_Name__c", acting_user=marketing_admin
    )
    field_mapping_create(
        lead_field="Seats__c", target_object="opportunity", target_field="Seat_Budget__c", acting_user=marketing_admin
    )
    lead = LeadFactory(owner_user=rep, custom_fields={"Region__c": "EMEA", "Tier__c": "Gold", "Seats__c": 40})

    conversion = convert(lead, rep)

    assert conversion.contact.custom_fields["Contact_Region__c"] == "EMEA"
    assert conversion.account.custom_fields["Tier_Name__c"] == "Gold"
    assert conversion.opportunity.custom_fields["Seat_Budget__c"] == 40


def test_custom_picklist_value_missing_from_target_gets_its_default(rep, marketing_admin, convert):
    from conversion.services import field_mapping_create

    custom_field_create(
        object_name="lead",
        label="Plan",
        field_type="picklist",
        picklist_values=["Basic", "Pro"],
        acting_user=marketing_admin,
    )
    custom_field_create(
        object_name="account",
        label="Plan",
        field_type="picklist",
        picklist_values=["Starter", "Pro"],
        acting_user=marketing_admin,
    )
    picklist_set_default(
        value=PicklistValue.objects.get(object_name="account", field_name="Plan__c", api_name="Starter"),
        acting_user=marketing_admin,
    )
    field_mapping_create(
        lead_field="Plan__c", target_object="account", target_field="Plan__c", acting_user=marketing_admin
    )
    pro = LeadFactory(owner_user=rep, company="Pro Co", custom_fields={"Plan__c": "Pro"})
    basic = LeadFactory(owner_user=rep, company="Basic Co", custom_fields={"Plan__c": "Basic"})
    empty = LeadFactory(owner_user=rep, company="Empty Co", custom_fields={})

    assert convert(pro, rep).account.custom_fields["Plan__c"] == "Pro"
    assert convert(basic, rep).account.custom_fields["Plan__c"] == "Starter"
    assert convert(empty, rep).account.custom_fields["Plan__c"] == "Starter"


def test_required_custom_contact_field_left_empty_writes_nothing(lead, rep, marketing_admin, convert):
    custom_field_create(
        object_name="contact", label="Buying Role", field_type="text", is_required=True, acting_user=marketing_admin
    )
    version = lead.version

    with pytest.raises(ValidationError) as caught:
        convert(lead, rep)

    assert "Buying Role" in " ".join(caught.value.message_dict["contact"])
    assert _counts() == (0, 0, 0, 0)
    lead.refresh_from_db()
    assert (lead.is_converted, lead.version, lead.status) == (False, version, "Working")


# Atomicity ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "name", "error"),
    [
        (sales_services, "contact_create", IntegrityError("duplicate key value")),
        (sales_services, "opportunity_create", DatabaseError("server closed the connection")),
        (OpportunityLineItem.objects, "bulk_create", IntegrityError("check constraint")),
        (OpportunityContactRole.objects, "create", DatabaseError("deadlock detected")),
    ],
)
def test_database_failure_midway_leaves_nothing_and_the_lead_unchanged(
    lead, rep, product, convert, monkeypatch, target, name, error
):
    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(target, name, fail)
    history_before = FieldHistory.objects.count()

    with pytest.raises(ValidationError, match="nothing was changed"):
        convert(lead, rep, products=[ProductLine(product.pk, Decimal("1"))], send_email=True)

    assert _counts() == (0, 0, 0, 0)
    assert FieldHistory.objects.count() == history_before
    lead.refresh_from_db()
    assert not lead.is_converted
    assert lead.status == "Working"


def test_validation_error_from_a_sales_service_names_the_object_and_field(lead, rep, convert):
    Lead.objects.filter(pk=lead.pk).update(email="not-an-email")  # written around the lead services

    with pytest.raises(ValidationError) as caught:
        convert(Lead.objects.get(pk=lead.pk), rep)

    assert any("Email" in m for m in caught.value.message_dict["contact"])
    assert _counts() == (0, 0, 0, 0)


# Preview ------------------------------------------------------------------------------------------


def test_preview_shows_what_the_conversion_writes(lead, rep, convert):
    account = _account(rep, phone="+44 20 0000")
    options = ConvertOptions(account_id=account.pk, opportunity_name="Acme deal", close_date=dt.date(2030, 1, 31))

    preview = lead_convert_preview(lead=lead, acting_user=rep, options=options)

    account_plan = {f.name: f for f in preview.plans["account"].fields}
    assert account_plan["phone"].writes is False  # kept
    assert account_plan["website"].writes is True  # filled
    assert preview.plans["opportunity"].data()["name"] == "Acme deal"
    assert _counts() == (1, 0, 0, 0)
    conversion = lead_convert(lead=lead, acting_user=rep, options=options)
    written = preview.plans["contact"].data()
    contact = conversion.contact
    assert all(getattr(contact, name) == value for name, value in written.items() if value not in (None, ""))
    assert conversion.opportunity.close_date == dt.date(2030, 1, 31)


def test_preview_refuses_a_converted_lead(lead, rep, system_admin, convert):
    convert(lead, rep)

    with pytest.raises(ValidationError, match="already been converted"):
        lead_convert_preview(lead=Lead.objects.get(pk=lead.pk), acting_user=system_admin, options=ConvertOptions())
    with pytest.raises(PermissionError):
        lead_convert_preview(lead=Lead.objects.get(pk=lead.pk), acting_user=rep, options=ConvertOptions())


# Email --------------------------------------------------------------------------------------------


def test_send_email_queues_one_email_to_the_owner(lead, rep, convert):
    from emails.models import OutboundEmail

    conversion = convert(lead, rep, send_email=True)

    email = OutboundEmail.objects.get(idempotency_key=f"lead-converted:{conversion.pk}")
    assert email.to_address == rep.email
    assert "Acme Corp" in email.subject
    assert OutboundEmail.objects.filter(idempotency_key__startswith="lead-converted:").count() == 1
    assert "Account: Acme Corp" in email.body_text


def test_no_email_unless_asked(lead, rep, convert):
    from emails.models import OutboundEmail

    convert(lead, rep)

    assert not OutboundEmail.objects.filter(idempotency_key__startswith="lead-converted:").exists()


# Bulk ---------------------------------------------------------------------------------------------


def test_bulk_converts_each_lead_on_its_own(rep, other_rep):
    good = LeadFactory(owner_user=rep, company="Good Co")
    foreign = LeadFactory(owner_user=other_rep, company="Foreign Co")
    bad_status = LeadFactory(owner_user=rep, company="Bad Co")
    also_good = LeadFactory(owner_user=rep, company="Also Good")

    results = lead_convert_bulk(
        items=[
            (good.pk, ConvertOptions()),
            (foreign.pk, ConvertOptions()),
            (bad_status.pk, ConvertOptions(converted_status="New")),
            (also_good.pk, ConvertOptions(create_opportunity=False)),
        ],
        acting_user=rep,
    )

    assert [r.conversion is not None for r in results] == [True, False, False, True]
    assert "converted_status" in results[2].errors
    assert set(Account.objects.values_list("name", flat=True)) == {"Good Co", "Also Good"}
    assert not Lead.objects.get(pk=bad_status.pk).is_converted


def test_bulk_reads_the_configuration_once_not_once_per_lead(rep, product):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    config_tables = ("core_fielddefinition", "core_picklistvalue", "sales_recordtypedefault", "core_orgsettings")

    def config_reads(count):
        leads = [LeadFactory(owner_user=rep, company=f"Bulk {count}-{n}") for n in range(count)]
        items = [(lead.pk, ConvertOptions(products=[ProductLine(product.pk, Decimal("2"))])) for lead in leads]
        with CaptureQueriesContext(connection) as captured:
            results = lead_convert_bulk(items=items, acting_user=rep)
        assert all(r.conversion is not None for r in results)
        return sum(1 for q in captured.captured_queries if any(t in q["sql"].split("WHERE")[0] for t in config_tables))

    one, five = config_reads(1), config_reads(5)

    assert one > 0
    assert five <= one  # read once per request: five leads cost no more reads than one


def test_bulk_refuses_more_than_100(rep):
    with pytest.raises(ValidationError):
        lead_convert_bulk(items=[(i, ConvertOptions()) for i in range(101)], acting_user=rep)


def test_inactive_owner_is_refused(lead, rep, convert):
    gone = UserFactory(role="Sales rep", username="gone")
    gone.is_active = False
    gone.save()

    with pytest.raises(ValidationError) as caught:
        convert(lead, rep, owner_id=gone.pk)

    assert "owner" in caught.value.message_dict


def test_one_conversion_reads_and_writes_a_fixed_number_of_statements(rep, product, django_assert_max_num_queries):
    """Once the configuration was read (mapping, record types, scoring and enrolment rules: once per
    bulk conversion), a conversion locks its lead once (marking it converted does not read it
    again) and writes the records, their history, keys and what follows the lead."""
    from core.memo import config_scope

    leads = [LeadFactory(owner_user=rep, company=f"Pinned {n}", status="Working") for n in range(2)]
    options = ConvertOptions(products=[ProductLine(product_id=product.pk, quantity=Decimal("2"))])
    ctx = MappingContext.load()
    with config_scope():
        lead_convert(lead=leads[0], acting_user=rep, options=options, context=ctx)
        # 27 statements and 10 savepoints (the conversion's, the account's, contact's, opportunity's
        # and the lead's).
        with django_assert_max_num_queries(37) as captured:
            conversion = lead_convert(lead=leads[1], acting_user=rep, options=options, context=ctx)

    assert conversion.opportunity is not None
    lead_reads = [
        q for q in captured.captured_queries if q["sql"].startswith('SELECT "leads_lead"."id", "leads_lead"."sal')
    ]
    assert len(lead_reads) == 2  # the lock, and the SLA hook's read
