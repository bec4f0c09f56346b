"""The criteria engine against real field metadata (standard and custom lead fields)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.criteria import (
    OPERATORS,
    Criterion,
    compile_criteria,
    evaluate,
    field_specs,
    validate_criteria,
)
from core.models import FieldDefinition
from core.services import custom_field_create
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def custom_fields(marketing_admin):
    """One custom field of each type an admin can create."""
    made = {}
    for label, ftype, extra in [
        ("Budget", "currency", {}),
        ("Seats", "number", {}),
        ("Discount", "percent", {}),
        ("Trial Ends", "date", {}),
        ("Last Demo", "datetime", {}),
        ("Partner", "checkbox", {}),
        ("Region", "picklist", {"picklist_values": ["EMEA", "APAC", "AMER"]}),
        ("Notes Code", "text", {}),
    ]:
        made[ftype if ftype != "text" else "text"] = custom_field_create(
            object_name="lead", label=label, field_type=ftype, acting_user=marketing_admin, **extra
        ).api_name
    return made


def _match(record, field, operator, value=None, logic=""):
    return evaluate(
        object_name="lead",
        record=record,
        criteria=[{"field": field, "operator": operator, "value": value}],
        logic=logic,
    ).matched


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("equals", "acme corp", True),  # text comparisons ignore case
        ("equals", "Acme", False),
        ("not_equal", "Globex", True),
        ("not_equal", "ACME CORP", False),
        ("contains", "cme", True),
        ("contains", "xyz", False),
        ("not_contain", "xyz", True),
        ("not_contain", "corp", False),
        ("starts_with", "acm", True),
        ("starts_with", "corp", False),
        ("equals", ["Globex", "Acme Corp"], True),  # several values: any of them
        ("is_blank", None, False),
        ("is_not_blank", None, True),
    ],
)
def test_text_operators_on_a_standard_field(operator, value, expected):
    lead = LeadFactory.build(company="Acme Corp")
    assert _match(lead, "company", operator, value) is expected


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("equals", "250", True),
        ("not_equal", "250", False),
        ("lt", "300", True),
        ("lt", "250", False),
        ("lte", "250", True),
        ("gt", "100", True),
        ("gt", "250", False),
        ("gte", "250", True),
        ("gte", "251", False),
        ("is_blank", None, False),
        ("is_not_blank", None, True),
    ],
)
def test_number_operators_on_a_standard_field(operator, value, expected):
    lead = LeadFactory.build(number_of_employees=250)
    assert _match(lead, "number_of_employees", operator, value) is expected


def test_blank_numbers_match_only_blank_and_not_equal():
    lead = LeadFactory.build(annual_revenue=None)
    assert _match(lead, "annual_revenue", "is_blank")
    assert _match(lead, "annual_revenue", "not_equal", "5")
    assert not _match(lead, "annual_revenue", "lt", "5")
    assert not _match(lead, "annual_revenue", "gt", "5")
    assert not _match(lead, "annual_revenue", "equals", "5")


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("equals", "Web", False),
        ("equals", "Website", True),
        ("not_equal", "Website", False),
        ("includes", ["Trade Show", "Website"], True),
        ("includes", ["Trade Show", "Webinar"], False),
        ("excludes", ["Trade Show", "Webinar"], True),
        ("excludes", ["Website"], False),
        ("is_blank", None, False),
        ("is_not_blank", None, True),
    ],
)
def test_picklist_operators_on_a_standard_field(operator, value, expected):
    lead = LeadFactory.build(lead_source="Website")
    if value == "Web":  # not a value of the picklist: refused when saved, never matches when stored
        with pytest.raises(ValidationError, match="not a value of this picklist"):
            validate_criteria(
                object_name="lead", criteria=[{"field": "lead_source", "operator": operator, "value": value}]
            )
    assert _match(lead, "lead_source", operator, value) is expected


def test_checkbox_operators():
    lead = LeadFactory.build(do_not_call=True)
    assert _match(lead, "do_not_call", "equals", "true")
    assert not _match(lead, "do_not_call", "equals", False)
    assert _match(lead, "email_opt_out", "equals", "false")
    assert _match(lead, "email_opt_out", "not_equal", "true")


def test_owner_lookup_compares_user_and_queue_keys(rep):
    lead = LeadFactory.build(owner_user=rep)
    assert _match(lead, "owner", "equals", f"user:{rep.pk}")
    assert _match(lead, "owner", "not_equal", "queue:1")
    assert not _match(lead, "owner", "is_blank")


def test_every_operator_on_custom_fields_of_every_type(custom_fields):
    lead = LeadFactory.build(
        custom_fields={
            custom_fields["currency"]: 5000.5,
            custom_fields["number"]: 12,
            custom_fields["percent"]: 15,
            custom_fields["date"]: "2026-03-01",
            custom_fields["datetime"]: "2026-03-01T10:30:00+00:00",
            custom_fields["checkbox"]: True,
            custom_fields["picklist"]: "EMEA",
            custom_fields["text"]: "Gold-7",
        }
    )
    cases = [
        ("currency", "gt", "5000"),
        ("currency", "lte", "5000.50"),
        ("number", "equals", "12"),
        ("number", "gte", "12"),
        ("percent", "lt", "20"),
        ("date", "gt", "2026-02-28"),
        ("date", "equals", "2026-03-01"),
        ("date", "lte", "2026-03-01"),
        ("datetime", "gt", "2026-03-01T09:00:00+00:00"),
        ("datetime", "equals", "2026-03-01"),  # a date alone compares the day
        ("checkbox", "equals", "true"),
        ("picklist", "equals", "EMEA"),
        ("picklist", "includes", ["APAC", "EMEA"]),
        ("picklist", "excludes", ["APAC"]),
        ("text", "starts_with", "gold"),
        ("text", "contains", "-7"),
        ("text", "not_contain", "silver"),
        ("text", "is_not_blank", None),
    ]
    for kind, operator, value in cases:
        assert _match(lead, custom_fields[kind], operator, value), (kind, operator, value)
    blank = LeadFactory.build(custom_fields={})
    for kind in ("currency", "number", "date", "picklist", "text"):
        assert _match(blank, custom_fields[kind], "is_blank"), kind
        assert not _match(
            blank,
            custom_fields[kind],
            "gt" if kind not in ("picklist", "text") else "equals",
            "1" if kind in ("currency", "number") else ("2020-01-01" if kind == "date" else "EMEA"),
        ), kind


def test_dict_records_are_read_by_key_including_custom_fields(custom_fields):
    record = {"company": "Initech", "custom_fields": {custom_fields["picklist"]: "APAC"}}
    assert _match(record, "company", "equals", "initech")
    assert _match(record, custom_fields["picklist"], "equals", "APAC")
    assert _match({custom_fields["number"]: "7"}, custom_fields["number"], "lt", "10")


def test_filter_logic_combines_criteria():
    lead = LeadFactory.build(company="Acme", lead_source="Website", number_of_employees=5)
    criteria = [
        {"field": "company", "operator": "equals", "value": "Globex"},
        {"field": "lead_source", "operator": "equals", "value": "Website"},
        {"field": "number_of_employees", "operator": "lt", "value": "10"},
    ]
    assert not evaluate(object_name="lead", record=lead, criteria=criteria).matched  # AND by default
    result = evaluate(object_name="lead", record=lead, criteria=criteria, logic="1 OR (2 AND 3)")
    assert result.matched
    assert [r.matched for r in result.results] == [False, True, True]
    assert "Globex" in result.results[0].explanation
    assert "not met" in result.results[0].explanation
    assert result.logic == "1 OR (2 AND 3)"


def test_no_criteria_matches_every_record():
    assert evaluate(object_name="lead", record={}, criteria=[]).matched


def test_validation_refuses_unknown_fields_unfit_operators_and_bad_values():
    with pytest.raises(ValidationError) as exc:
        validate_criteria(
            object_name="lead",
            criteria=[
                {"field": "favourite_colour", "operator": "equals", "value": "red"},
                {"field": "number_of_employees", "operator": "contains", "value": "1"},
                {"field": "number_of_employees", "operator": "gt", "value": "many"},
                {"field": "do_not_call", "operator": "lt", "value": "true"},
                {"field": "company", "operator": "includes", "value": ["A"]},
                {"field": "company", "operator": "equals", "value": ""},
                {"field": "company", "operator": "bogus", "value": "x"},
                "not a dict",
            ],
            logic="1 AND 2 AND",
        )
    messages = exc.value.message_dict
    assert len(messages["criteria"]) == 8
    assert "Criterion 1: The field “favourite_colour” does not exist" in messages["criteria"][0]
    assert "does not fit a number field" in messages["criteria"][1]
    assert "“many” is not a number" in messages["criteria"][2]
    assert "does not fit a checkbox field" in messages["criteria"][3]
    assert "does not fit a text field" in messages["criteria"][4]
    assert "enter a value" in messages["criteria"][5]
    assert "choose an operator" in messages["criteria"][6]
    assert "ends too early" in messages["filter_logic"][0]


def test_validation_normalises_values():
    cleaned = validate_criteria(
        object_name="lead",
        criteria=[
            {"field": "annual_revenue", "operator": "gte", "value": " 1,000 "},
            {"field": "lead_source", "operator": "includes", "value": "Website, Webinar"},
            {"field": "do_not_call", "operator": "equals", "value": True},
            {"field": "email", "operator": "is_blank", "value": "ignored"},
        ],
        logic="(1 OR 2) AND 3 AND 4",
    )
    assert cleaned == [
        Criterion("annual_revenue", "gte", "1000"),
        Criterion("lead_source", "includes", ["Website", "Webinar"]),
        Criterion("do_not_call", "equals", "true"),
        Criterion("email", "is_blank", None),
    ]


def test_a_criterion_on_a_field_deleted_later_does_not_match_and_says_why(custom_fields):
    # given a valid criterion on a custom field
    api_name = custom_fields["number"]
    criteria = [
        c.as_dict()
        for c in validate_criteria(object_name="lead", criteria=[{"field": api_name, "operator": "gt", "value": "1"}])
    ]
    lead = LeadFactory.build(custom_fields={api_name: 5})
    assert evaluate(object_name="lead", record=lead, criteria=criteria).matched
    # when the field is deleted
    FieldDefinition.objects.filter(object_name="lead", api_name=api_name).delete()
    # then evaluation does not raise: the criterion does not match, with an explanation
    result = evaluate(object_name="lead", record=lead, criteria=criteria)
    assert not result.matched
    assert "no longer exists" in result.results[0].explanation


def test_stored_garbage_never_raises_at_run_time():
    lead = LeadFactory.build(number_of_employees=3)
    garbage = [
        {"field": "number_of_employees", "operator": "gt", "value": "not a number"},
        {"field": "company", "operator": "lt", "value": "x"},
        {"field": None, "operator": None},
        42,
        {"field": "company", "operator": "equals", "value": {"nested": True}},
    ]
    result = evaluate(object_name="lead", record=lead, criteria=garbage, logic="1 OR 2 OR")
    assert not result.matched
    assert len(result.results) == 5
    assert all(not r.matched and r.explanation for r in result.results)
    assert "invalid" in result.logic


def test_record_values_that_cannot_be_compared_do_not_match(custom_fields):
    lead = LeadFactory.build(custom_fields={custom_fields["number"]: "twelve"})
    result = evaluate(
        object_name="lead", record=lead, criteria=[{"field": custom_fields["number"], "operator": "gt", "value": "1"}]
    )
    assert not result.matched
    assert "cannot be compared" in result.results[0].explanation


def test_compiled_criteria_fast_path_agrees_with_explained_evaluation():
    specs = field_specs("lead")
    compiled = compile_criteria(
        object_name="lead",
        criteria=[
            {"field": "lead_source", "operator": "equals", "value": "Website"},
            {"field": "annual_revenue", "operator": "gt", "value": "1000"},
        ],
        logic="1 OR 2",
        specs=specs,
    )
    for source, revenue in [("Website", None), ("Webinar", Decimal("5000")), ("Webinar", Decimal(10))]:
        lead = LeadFactory.build(lead_source=source, annual_revenue=revenue, created_at=dt.datetime.now(dt.UTC))
        assert compiled.matches(lead) == compiled.evaluate(lead).matched


def test_operators_list_is_the_agreed_one():
    assert OPERATORS == (
        "equals", "not_equal", "contains", "not_contain", "starts_with", "lt", "gt", "lte", "gte",
        "includes", "excludes", "is_blank", "is_not_blank",
        "last_n_days", "next_n_days", "this_month", "last_month", "this_quarter", "this_year",
    )  # fmt: skip
