"""Offset paging without a COUNT(*): fetching one row more than a page shows tells whether there is
a next page."""


def page_window(rows, raw_page, size: int) -> tuple[list, int, bool]:
    """``(the rows of the page, its number, whether a next page exists)`` for ``?page=raw_page``;
    anything that is not a positive number is page 1."""
    try:
        page = max(1, int(raw_page or 1))
    except (TypeError, ValueError):
        page = 1
    offset = (page - 1) * size
    window = list(rows[offset : offset + size + 1])
    return window[:size], page, len(window) > size
