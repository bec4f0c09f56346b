"""CSV downloads: cells guarded against spreadsheet formulas, rows streamed in batches."""

import csv
import io
from collections.abc import Iterable, Iterator

# A cell starting with one of these runs as a formula in a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Echo:
    """A file-like object whose ``write`` answers what it was given (csv.writer over a stream)."""

    def write(self, value: str) -> str:
        return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_cell(value) -> str:
    """The text of a cell; one that would start a formula gets a leading quote, so that it stays
    text (a plain negative number stays a number)."""
    text = "" if value is None else str(value)
    if text[:1] in FORMULA_STARTS and not _is_number(text):
        return f"'{text}"
    return text


def csv_lines(
    rows: Iterable[Iterable],
    *,
    batch: int = 1000,
    bom: bool = False,
    delimiter: str = ",",
    lineterminator: str = "\r\n",
) -> Iterator[str]:
    """The CSV text of ``rows`` (already guarded cells), ``batch`` rows per chunk: one chunk per
    row would cost a write to the client for every row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator)
    if bom:
        buffer.write("\ufeff")
    pending = 0
    for row in rows:
        writer.writerow(row)
        pending += 1
        if pending >= batch:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
            pending = 0
    tail = buffer.getvalue()
    if tail:
        yield tail
