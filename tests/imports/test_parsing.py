"""Reading CSV uploads: encodings, delimiters, limits and the header -> field matching."""

import pytest
from django.core.exceptions import ValidationError

from leads.imports import parsing
from leads.imports.parsing import auto_mapping, importable_fields, parse_csv

from .conftest import csv_bytes


def _message(exc_info) -> str:
    return " ".join(exc_info.value.message_dict["file"])


def test_a_utf8_file_with_bom_and_semicolons_is_read():
    # given a file saved by a spreadsheet in a semicolon locale
    data = csv_bytes(["Last Name;Company;City", "Müller;Straße GmbH;Köln"], bom=True)

    # when it is parsed
    parsed = parse_csv(data)

    # then the BOM is gone from the first header and cells are split on semicolons
    assert parsed.delimiter == ";"
    assert parsed.headers == ["Last Name", "Company", "City"]
    assert parsed.rows == [(2, ["Müller", "Straße GmbH", "Köln"])]


def test_quoted_cells_keep_their_commas_and_blank_lines_are_skipped():
    parsed = parse_csv(b'Last Name,Company\n"Doe, Jr.","Acme, Inc."\n\n,\nRoe,Initech\n')

    assert [cells for _, cells in parsed.rows] == [["Doe, Jr.", "Acme, Inc."], ["Roe", "Initech"]]
    assert [number for number, _ in parsed.rows] == [2, 5]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (b"Last Name,Company\n", "no data rows"),
        ("Last Name\nM\xfcller\n".encode("latin-1"), "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV"),
        (b'Last Name,Company\n"unterminated,Acme\n', "could not be read as CSV"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(data, expected):
    with pytest.raises(ValidationError) as exc_info:
        parse_csv(data)

    assert expected in _message(exc_info)


def test_a_file_over_five_megabytes_is_refused(monkeypatch):
    data = b"Last Name,Company\n" + b"Doe,Acme\n" * 10
    monkeypatch.setattr(parsing, "MAX_BYTES", len(data) - 1)

    with pytest.raises(ValidationError) as exc_info:
        parse_csv(data)

    assert "larger than" in _message(exc_info)


def test_the_real_size_limit_is_five_megabytes():
    with pytest.raises(ValidationError) as exc_info:
        parse_csv(b"Last Name\n" + b"x" * (5 * 1024 * 1024))

    assert "larger than 5 MB" in _message(exc_info)


def test_more_than_ten_thousand_rows_are_refused():
    lines = ["Last Name,Company"] + [f"Doe{i},Acme" for i in range(10_001)]

    with pytest.raises(ValidationError) as exc_info:
        parse_csv(csv_bytes(lines))

    assert "more than 10,000 rows" in _message(exc_info)


def test_exactly_ten_thousand_rows_are_accepted():
    lines = ["Last Name,Company"] + [f"Doe{i},Acme" for i in range(10_000)]

    assert len(parse_csv(csv_bytes(lines)).rows) == 10_000


@pytest.mark.django_db
def test_headers_match_api_names_labels_and_salesforce_names_ignoring_case_and_spaces():
    # given headers written in several styles, one unknown and one repeated
    headers = ["FIRST NAME", "last_name", "Company", "Lead Source", "Zip", "NumberOfEmployees", "Shoe size", "lastname"]

    # when they are matched
    mapping = auto_mapping(headers, importable_fields())

    # then each known field is matched once, the rest skipped
    assert mapping == [
        "first_name",
        "last_name",
        "company",
        "lead_source",
        "postal_code",
        "number_of_employees",
        "",
        "",
    ]


@pytest.mark.django_db
def test_custom_fields_are_matched_by_label_and_api_name(marketing_admin):
    from core.models import FieldDefinition

    FieldDefinition.objects.create(
        object_name="lead", api_name="budget__c", label="Budget Band", field_type="text", is_custom=True, max_length=50
    )

    assert auto_mapping(["budget band"], importable_fields()) == ["budget__c"]
    assert auto_mapping(["Budget__c"], importable_fields()) == ["budget__c"]
    assert "owner" not in {d.api_name for d in importable_fields()}
