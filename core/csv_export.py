"""CSV downloads: cells guarded against spreadsheet formulas, rows streamed in batches."""

import csv
import io
from collections.abc import Iterable, Iterator
from itertools import islice

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


_FORMULA_FIRST = frozenset(FORMULA_STARTS)


def csv_cell(value) -> str:
    """The text of a cell; one that would start a formula gets a leading quote, so that it stays
    text. A plain number stays a number, negative or not (``-5``, ``-1.5e3``): it runs nothing, and
    a quote would turn it into text in the spreadsheet and in a file imported again."""
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    if text and text[0] in _FORMULA_FIRST and not _is_number(text):
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
    rows = iter(rows)
    while chunk := list(islice(rows, batch)):
        writer.writerows(chunk)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
    if buffer.tell():  # no rows: the byte order mark alone
        yield buffer.getvalue()
