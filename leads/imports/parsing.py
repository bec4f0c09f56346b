"""Reading an uploaded file (CSV or .xlsx) from disk, record by record, and matching its header
row to lead fields.

The upload is streamed to disk (``store_upload``); ``inspect_file`` detects the format, the
encoding (UTF-8 with or without BOM, else Windows-1252, else Latin-1) and the delimiter (comma,
semicolon or tab), reads the header and counts the rows; ``iter_records`` yields the records from
any offset, so that a worker resumes where the last committed batch ended. A record the file got
wrong (broken quoting, a cell too long, more cells than columns) is yielded with its reason: it is
a row-level error, never a failure of the import.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.models import FieldDefinition

from ..fields import OBJECT_NAME, WRITABLE_FIELDS

MAX_BYTES = 1024 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_COLUMNS = 200
# A cell longer than this is refused for its row (no lead field holds more); the file is still read.
MAX_CELL = 32_000
# Raw cells kept with a refused row are cut to this length.
KEPT_CELL = 1_000
SAMPLE_BYTES = 64 * 1024
# The reader accepts cells up to this size, so that a huge cell is one row's error, not the file's.
csv.field_size_limit(64 * 1024 * 1024)

# Column titles other tools (Salesforce's Data Import Wizard and exports, other CRMs) commonly use.
ALIASES = {
    "zip": "postal_code",
    "zipcode": "postal_code",
    "postcode": "postal_code",
    "postalcode": "postal_code",
    "state": "state",
    "province": "state",
    "status": "status",
    "leadstatus": "status",
    "source": "lead_source",
    "employees": "number_of_employees",
    "numberofemployees": "number_of_employees",
    "noofemployees": "number_of_employees",
    "revenue": "annual_revenue",
    "annualrevenue": "annual_revenue",
    "emailaddress": "email",
    "mobilephone": "mobile",
    "cell": "mobile",
    "companyname": "company",
    "account": "company",
    "accountname": "company",
    "jobtitle": "title",
    "url": "website",
    "streetaddress": "street",
    "address": "street",
    "emailoptout": "email_opt_out",
    "hasoptedoutofemail": "email_opt_out",
    "donotcall": "do_not_call",
}

# The column that names each row's campaign (an id, tracking code or name), as on Salesforce forms.
CAMPAIGN_COLUMN = "Campaign_ID"
CAMPAIGN_HEADERS = {"campaignid", "campaign", "campaignname"}
# The column that carries our lead id (Salesforce exports name it "Id"): used to match rows.
ID_COLUMN = "Id"
ID_HEADERS = {"id", "leadid", "recordid"}


def import_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def normalise(name: str) -> str:
    """Compare names ignoring case, spaces and punctuation: "First Name" == "first_name" == "FirstName"."""
    return re.sub(r"[^a-z0-9]", "", (name or "").lower())


@dataclass(frozen=True)
class StoredUpload:
    name: str  # under import_dir()
    size: int
    file_format: str  # "csv" or "xlsx"
    utf8: bool


def _too_large() -> ValidationError:
    return ValidationError(
        {
            "file": _("The file is larger than %(MAX_BYTES)s MB. Split it and import the parts.")
            % {"MAX_BYTES": MAX_BYTES // (1024 * 1024)}
        }
    )


def store_upload(chunks: Iterable[bytes], *, file_name: str) -> StoredUpload:
    """Write an upload to disk chunk by chunk (never whole in memory), noting whether it is valid
    UTF-8 as it goes. Raises ValidationError({"file": ...}) for a file too large or empty."""
    is_xlsx = (file_name or "").lower().endswith((".xlsx", ".xlsm"))
    name = f"{uuid.uuid4().hex}.{'xlsx' if is_xlsx else 'csv'}"
    path = import_dir() / name
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, size, first = True, 0, b""
    try:
        with path.open("wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > MAX_BYTES:
                    raise _too_large()
                if not first:
                    first = chunk[:8]
                if utf8:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        utf8 = False
                out.write(chunk)
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if size == 0:
        path.unlink(missing_ok=True)
        raise ValidationError({"file": _("The file is empty.")})
    if first.startswith(b"PK\x03\x04") and not is_xlsx:
        # An Excel workbook uploaded under another name.
        new = path.with_suffix(".xlsx")
        path.rename(new)
        name, is_xlsx = new.name, True
    return StoredUpload(name=name, size=size, file_format="xlsx" if is_xlsx else "csv", utf8=utf8)


@dataclass(frozen=True)
class FileInfo:
    encoding: str
    delimiter: str
    headers: list[str]
    total_rows: int


def _not_csv() -> ValidationError:
    return ValidationError({"file": _("This file is not a CSV text file. Save it as “CSV UTF-8” and try again.")})


def _encoding(path: Path, utf8: bool) -> str:
    if utf8:
        return "utf-8-sig"
    # Windows-1252 leaves five bytes undefined; a file using them is read as Latin-1.
    try:
        with path.open(encoding="cp1252", newline="") as handle:
            while handle.read(1024 * 1024):
                pass
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1252"


def _delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines() if line.strip()][:20]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t").delimiter
    except csv.Error:
        header = lines[0]
        return max(",;\t", key=lambda d: (header.count(d), d == ","))


def inspect_file(path: Path, *, file_format: str, utf8: bool = True) -> FileInfo:
    """Detect how to read the file, read its header and count its (non-blank) rows. Raises
    ValidationError({"file": ...}) when the file cannot be read at all."""
    if file_format == "xlsx":
        encoding, delimiter = "", ","
    else:
        with path.open("rb") as handle:
            if b"\x00" in handle.read(4096):
                raise _not_csv()
        encoding = _encoding(path, utf8)
        with path.open(encoding=encoding, newline="") as handle:
            delimiter = _delimiter(handle.read(SAMPLE_BYTES))
    records = iter_records(path, file_format=file_format, encoding=encoding, delimiter=delimiter)
    try:
        header = next(records, None)
    except ValidationError:
        raise
    if header is None or not any(cell.strip() for cell in header.cells):
        raise ValidationError({"file": _("The first row must name the columns, such as Last Name, Company, Email.")})
    headers = [cell.strip() for cell in header.cells]
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) > MAX_COLUMNS:
        raise ValidationError(
            {"file": _("The file has more than %(MAX_COLUMNS)s columns.") % {"MAX_COLUMNS": MAX_COLUMNS}}
        )
    total = 0
    for record in records:
        if record.blank:
            continue
        total += 1
        if total > MAX_ROWS:
            raise ValidationError(
                {
                    "file": _("The file has more than %(max_rows)s rows. Split it and import the parts.")
                    % {"max_rows": f"{MAX_ROWS:,}"}
                }
            )
    if not total:
        raise ValidationError({"file": _("The file has a header row but no data rows.")})
    return FileInfo(encoding=encoding, delimiter=delimiter, headers=headers, total_rows=total)


@dataclass(frozen=True)
class Record:
    """One record of the file: its row number as a spreadsheet shows it, its cells, and the reason
    the file itself got it wrong ("" when it reads well)."""

    row_number: int
    cells: list[str]
    error: str = ""

    @property
    def blank(self) -> bool:
        return not self.error and not any(cell.strip() for cell in self.cells)


def _csv_records(path: Path, encoding: str, delimiter: str) -> Iterator[Record]:
    with path.open(encoding=encoding, newline="", errors="replace") as handle:
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Record(start, [], _("This row could not be read as CSV: %(error)s.") % {"error": exc})
                continue
            yield Record(start, cells)


def _xlsx_records(path: Path) -> Iterator[Record]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ValidationError({"file": _("This file could not be read as an Excel workbook (.xlsx).")}) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield Record(number, ["" if value is None else _cell_text(value) for value in values])
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def iter_records(path: Path, *, file_format: str, encoding: str, delimiter: str, start: int = 0) -> Iterator[Record]:
    """Every record of the file in order, the header first; ``start`` skips that many records."""
    records = _xlsx_records(path) if file_format == "xlsx" else _csv_records(path, encoding, delimiter)
    return itertools.islice(records, start, None)


def record_problem(record: Record, width: int) -> str:
    """Why a record that reads well still cannot be a lead: more cells than the header names, or a
    cell longer than any lead field holds ("" when neither)."""
    if record.error:
        return record.error
    extra = [c for c in record.cells[width:] if c.strip()]
    if extra:
        return _("The row has %(len)s values but the header names %(len2)s columns.") % {
            "len": len(record.cells),
            "len2": width,
        }
    if any(len(cell) > MAX_CELL for cell in record.cells):
        return _("A cell of this row is longer than %(max)s characters.") % {"max": f"{MAX_CELL:,}"}
    return ""


def kept_cells(cells: list[str]) -> list[str]:
    """The cells kept with a refused row: every cell, long ones cut short."""
    return [cell if len(cell) <= KEPT_CELL else cell[:KEPT_CELL] + "…" for cell in cells[:MAX_COLUMNS]]


def importable_fields() -> list[FieldDefinition]:
    """Active lead fields a column may fill: the writable standard fields and the custom fields."""
    definitions = FieldDefinition.objects.filter(object_name=OBJECT_NAME, is_active=True).order_by("sort_order", "id")
    return [d for d in definitions if d.is_custom or d.api_name in WRITABLE_FIELDS]


def auto_mapping(headers: list[str], fields: list[FieldDefinition], saved: dict[str, str] | None = None) -> list[str]:
    """The field each column fills, matched by a saved template (``{normalised header: field}``),
    api name (Salesforce's ``FirstName``, ``LeadSource``, custom ``Region__c``), label or a common
    alias; "" to skip. A field is matched to the first column naming it only."""
    lookup: dict[str, str] = dict(ALIASES)
    for definition in fields:
        lookup[normalise(definition.label)] = definition.api_name
        lookup[normalise(definition.api_name)] = definition.api_name
        if definition.is_custom:
            lookup[normalise(definition.api_name.removesuffix("__c"))] = definition.api_name
    available = {d.api_name for d in fields} | {CAMPAIGN_COLUMN, ID_COLUMN}
    used: set[str] = set()
    mapping = []
    for header in headers:
        key = normalise(header)
        if saved and key in saved:
            api = saved[key]
        elif key in CAMPAIGN_HEADERS:
            api = CAMPAIGN_COLUMN
        elif key in ID_HEADERS:
            api = ID_COLUMN
        else:
            api = lookup.get(key, "")
        if api not in available or api in used:
            api = ""
        used.add(api)
        mapping.append(api)
    return mapping
