"""CSV export of a report's table, streamed row by row."""

import csv

from django.http import StreamingHttpResponse

from core.csv_export import Echo, csv_cell

from .selectors import ReportSpec, Result

# The formula guard and the streaming helper are shared by every CSV download (core.csv_export).
cell = csv_cell


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


def builder_csv_rows(result):
    """The groups (with count and summaries) when the report is grouped, else the detail rows."""
    if result.groups:
        summary_keys = list(result.groups[0]["summaries"])
        yield [cell(c["label"]) for c in result.group_columns] + ["Records"] + [cell(k) for k in summary_keys]
        for group in result.groups:
            yield (
                [cell(v) for v in group["labels"]]
                + [group["count"]]
                + [cell(group["summaries"][k]) for k in summary_keys]
            )
        return
    yield [cell(c["label"]) for c in result.columns]
    for row in result.rows:
        yield [cell(row.get(c["key"])) for c in result.columns]


def builder_csv_response(name: str, result) -> StreamingHttpResponse:
    writer = csv.writer(Echo())
    response = StreamingHttpResponse(
        (writer.writerow(r) for r in builder_csv_rows(result)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="report-{name}.csv"'
    return response
