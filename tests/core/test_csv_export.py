"""The cell guard and the chunked writer that every CSV download uses."""

import csv
import io

import pytest

from core.csv_export import csv_cell, csv_lines


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, ""),
        ("", ""),
        ("Acme", "Acme"),
        (12, "12"),
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+33 1 23 45 67 89", "'+33 1 23 45 67 89"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("\tx", "'\tx"),
        # A plain number runs nothing: it stays a number, negative or signed.
        ("-5", "-5"),
        ("-1.5e3", "-1.5e3"),
        ("+7", "+7"),
        (-42, "-42"),
    ],
)
def test_a_cell_that_would_start_a_formula_is_quoted_and_a_number_is_not(value, cell):
    assert csv_cell(value) == cell


def test_rows_are_written_in_chunks_of_the_batch_size_with_the_byte_order_mark_first():
    rows = [[str(n), f"name, {n}"] for n in range(5)]

    chunks = list(csv_lines(rows, batch=2, bom=True))

    assert len(chunks) == 3
    assert chunks[0].startswith("\ufeff")
    assert list(csv.reader(io.StringIO("".join(chunks).lstrip("\ufeff")))) == rows


def test_no_rows_give_the_byte_order_mark_alone_or_nothing():
    assert list(csv_lines([], bom=True)) == ["\ufeff"]
    assert list(csv_lines([])) == []
