"""Reading an uploaded CSV file and matching its header row to lead fields."""

import csv
import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.models import FieldDefinition

from ..fields import OBJECT_NAME, WRITABLE_FIELDS

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 200

# Column titles other tools (Salesforce's Data Import Wizard, exports of other CRMs) commonly use.
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


@dataclass(frozen=True)
class ParsedCsv:
    text: str
    delimiter: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line-based row number, cells); row 1 is the header


def normalise(name: str) -> str:
    """Compare names ignoring case, spaces and punctuation: "First Name" == "first_name" == "FirstName"."""
    return re.sub(r"[^a-z0-9]", "", (name or "").lower())


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise ValidationError({"file": _("This file is not a CSV text file. Save it as “CSV UTF-8” and try again.")})
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            {"file": _("The file is not UTF-8 encoded. Save it as “CSV UTF-8 (comma delimited)” and try again.")}
        ) from exc


def _delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def parse_csv(data: bytes) -> ParsedCsv:
    """Decode and split an uploaded file; raises ValidationError({"file": ...}) with a clear message."""
    if len(data) > MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(MAX_BYTES)s MB. Split it and import the parts.")
                % {"MAX_BYTES": MAX_BYTES // (1024 * 1024)}
            }
        )
    text = _decode(data)
    if not text.strip():
        raise ValidationError({"file": _("The file is empty.")})
    delimiter = _delimiter(text.lstrip().splitlines()[0])
    reader = csv.reader(io.StringIO(text.lstrip("\r\n"), newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        headers = [h.strip() for h in next(reader)]
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ValidationError(
                    {"file": f"The file has more than {MAX_ROWS:,} rows. Split it and import the parts."}
                )
            rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise ValidationError(
            {
                "file": _("This file could not be read as CSV (line %(line_num)s): %(exc)s.")
                % {"line_num": reader.line_num, "exc": exc}
            }
        ) from exc
    if not any(headers):
        raise ValidationError({"file": _("The first row must name the columns, such as Last Name, Company, Email.")})
    if len(headers) > MAX_COLUMNS:
        raise ValidationError(
            {"file": _("The file has more than %(MAX_COLUMNS)s columns.") % {"MAX_COLUMNS": MAX_COLUMNS}}
        )
    if not rows:
        raise ValidationError({"file": _("The file has a header row but no data rows.")})
    return ParsedCsv(text=text, delimiter=delimiter, headers=headers, rows=rows)


def importable_fields() -> list[FieldDefinition]:
    """Active lead fields a CSV column may fill: the writable standard fields and the custom fields."""
    definitions = FieldDefinition.objects.filter(object_name=OBJECT_NAME, is_active=True).order_by("sort_order", "id")
    return [d for d in definitions if d.is_custom or d.api_name in WRITABLE_FIELDS]


# The column that names each row's campaign (an id, tracking code or name), as on Salesforce forms.
CAMPAIGN_COLUMN = "Campaign_ID"
CAMPAIGN_HEADERS = {"campaignid", "campaign", "campaignname"}


def auto_mapping(headers: list[str], fields: list[FieldDefinition]) -> list[str]:
    """The field each column fills, matched by api name, label or a common alias; "" to skip.
    A field is matched to the first column naming it only."""
    lookup: dict[str, str] = {}
    for alias, api in ALIASES.items():
        lookup[alias] = api
    for definition in fields:
        lookup[normalise(definition.label)] = definition.api_name
        lookup[normalise(definition.api_name)] = definition.api_name
        if definition.is_custom:
            lookup[normalise(definition.api_name.removesuffix("__c"))] = definition.api_name
    available = {d.api_name for d in fields}
    used: set[str] = set()
    mapping = []
    for header in headers:
        api = lookup.get(normalise(header), "")
        if normalise(header) in CAMPAIGN_HEADERS:
            api = CAMPAIGN_COLUMN
        elif api not in available or api in used:
            api = ""
        if api == CAMPAIGN_COLUMN and api in used:
            api = ""
        used.add(api)
        mapping.append(api)
    return mapping
