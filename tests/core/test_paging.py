"""Offset paging without a COUNT(*)."""

import pytest

from core.paging import page_window

ROWS = list(range(1, 8))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ([1, 2, 3], 1, True)),
        ("2", ([4, 5, 6], 2, True)),
        ("3", ([7], 3, False)),
        ("9", ([], 9, False)),
        ("0", ([1, 2, 3], 1, True)),
        ("-4", ([1, 2, 3], 1, True)),
        ("abc", ([1, 2, 3], 1, True)),
        ("", ([1, 2, 3], 1, True)),
    ],
)
def test_page_window(raw, expected):
    assert page_window(ROWS, raw, 3) == expected
