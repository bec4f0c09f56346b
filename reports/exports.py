"""CSV export of a report's table, streamed row by row."""

import csv

from django.http import StreamingHttpResponse

from .selectors import ReportSpec, Result


class Echo:
    def write(self, value: str) -> str:
        return value


def cell(value) -> str:
    text = "" if value is None else str(value)
    # A cell starting like a formula would run in a spreadsheet: quote it as text.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_rows(result: Result):
    keys = [c["key"] for c in result.columns]
    yield [cell(c["label"]) for c in result.columns]
    for row in result.rows:
        yield [cell(row.get(k)) for k in keys]


def csv_response(spec: ReportSpec, result: Result) -> StreamingHttpResponse:
    writer = csv.writer(Echo())
    response = StreamingHttpResponse(
        (writer.writerow(r) for r in csv_rows(result)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{spec.key}.csv"'
    return response
