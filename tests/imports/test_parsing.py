"""Reading uploaded files: encodings, delimiters, .xlsx, bad records as row-level reasons, the row
limit, and matching headers (including Salesforce export headers) to lead fields."""

import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from leads.imports import parsing
from leads.imports.parsing import auto_mapping, importable_fields, inspect_file, iter_records, record_problem
from leads.imports.services import lead_import_upload

from .conftest import csv_bytes

pytestmark = pytest.mark.django_db


def _inspect(tmp_path, data: bytes, name="f.csv"):
    stored = parsing.store_upload([data[i : i + 7] for i in range(0, len(data), 7)], file_name=name)
    path = parsing.import_dir() / stored.name
    info = inspect_file(path, file_format=stored.file_format, utf8=stored.utf8)
    records = list(iter_records(path, file_format=stored.file_format, encoding=info.encoding, delimiter=info.delimiter))
    return stored, info, records


@pytest.mark.parametrize(
    ("data", "encoding", "delimiter"),
    [
        (csv_bytes(["Last Name,Company", "Müller,Größe"], bom=True), "utf-8-sig", ","),
        (csv_bytes(["Last Name,Company", "Müller,Größe"]), "utf-8-sig", ","),
        ("Last Name;Company\r\nMüller;Größe €\r\n".encode("cp1252"), "cp1252", ";"),
        ("Last Name\tCompany\nMüller\tGröße\n".encode("latin-1"), "cp1252", "\t"),
        (b"Last Name;Company\nM\x81ller;Gr\xf6\xdfe\n", "latin-1", ";"),
    ],
)
def test_encodings_and_delimiters_are_detected(tmp_path, data, encoding, delimiter):
    # given a file in one of the encodings and delimiters people export with (streamed in small chunks)
    _stored, info, records = _inspect(tmp_path, data)

    # then it is read as written
    assert (info.encoding, info.delimiter, info.headers, info.total_rows) == (
        encoding,
        delimiter,
        ["Last Name", "Company"],
        1,
    )
    assert records[1].cells[0] in {"Müller", "M\x81ller"}
    assert records[1].cells[1].startswith("Größe")


def test_an_excel_workbook_is_read_by_its_first_sheet(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["FirstName", "LastName", "Company", "NumberOfEmployees"])
    sheet.append(["Ada", "Lovelace", "Analytical", 12])
    sheet.append([None, None, None, None])
    sheet.append(["Grace", "Hopper", "Navy", None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    stored, info, records = _inspect(tmp_path, buffer.getvalue(), name="leads.xlsx")

    assert stored.file_format == "xlsx"
    assert info.total_rows == 2
    assert records[1].cells == ["Ada", "Lovelace", "Analytical", "12"]
    assert records[2].blank


def test_broken_quoting_huge_cells_and_extra_cells_are_reasons_for_their_rows_only(tmp_path):
    # given a file with a good row, a row with broken quoting, a 10 MB cell and too many cells
    huge = "x" * (10 * 1024 * 1024)
    data = f'Last Name,Company\nGood,Acme\n"Broken"quote,Acme\n{huge},Acme\nToo,Many,Cells\nAlso,Good\n'.encode()

    _stored, info, records = _inspect(tmp_path, data)

    # then the file is read to its end and each bad row has its own reason
    assert info.total_rows == 5
    problems = [record_problem(r, len(info.headers)) for r in records[1:]]
    assert problems[0] == ""
    assert "could not be read as CSV" in problems[1]
    assert "longer than 32,000 characters" in problems[2]
    assert "3 values but the header names 2 columns" in problems[3]
    assert problems[4] == ""
    assert len(parsing.kept_cells(records[3].cells)[0]) == 1001


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "The file is empty."),
        (b"\x00\x01\x02binary", "not a CSV text file"),
        (b"Last Name,Company\n", "no data rows"),
        (b",,\nDoe,Acme\n", "must name the columns"),
        (b"PK\x03\x04not really a workbook", "could not be read as an Excel workbook"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message_and_not_kept(rep, data, expected):
    files_before = set(parsing.import_dir().iterdir())

    with pytest.raises(ValidationError) as exc_info:
        lead_import_upload(file_name="x.csv", data=data, acting_user=rep)

    assert expected in " ".join(exc_info.value.message_dict["file"])
    assert set(parsing.import_dir().iterdir()) == files_before


def test_more_rows_than_the_limit_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(parsing, "MAX_ROWS", 3)
    with pytest.raises(ValidationError, match="more than 3 rows"):
        _inspect(tmp_path, csv_bytes(["Last Name"] + ["x"] * 4))
    assert _inspect(tmp_path, csv_bytes(["Last Name"] + ["x"] * 3))[1].total_rows == 3


def test_the_row_limit_is_a_million():
    assert parsing.MAX_ROWS == 1_000_000


def test_salesforce_export_headers_are_mapped(marketing_admin):
    from core.models import FieldDefinition

    FieldDefinition.objects.create(
        object_name="lead", api_name="region__c", label="Sales Region", field_type="text", is_custom=True, max_length=50
    )
    headers = ["Id", "FirstName", "LastName", "Company", "LeadSource", "Status", "Email", "Region__c", "CreatedDate"]

    mapping = auto_mapping(headers, importable_fields())

    assert mapping == ["Id", "first_name", "last_name", "company", "lead_source", "status", "email", "region__c", ""]


def test_a_saved_template_wins_over_the_guess():
    mapping = auto_mapping(["Surname", "Firm"], importable_fields(), {"surname": "last_name", "firm": "company"})
    assert mapping == ["last_name", "company"]


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
