"""Follow-up work done in the worker that caused it.

A worker task that commits many small transactions in a row (the drain of the tracking script's
page views, a batch per transaction) makes work for other apps after each commit: the leads whose
events it recorded are scored again. Published as a task per commit, that work waits in another
queue behind every earlier commit's task, each paying a task's fixed cost; at a hundred page views a
second the queue outgrows the worker. Inside ``followups_inline()`` the apps that queue such work on
commit do it at once in the same process instead (after the commit, in their own transaction),
while the caller's loop gathers everything that arrives meanwhile into its next batch: the work per
commit grows with the load instead of the number of tasks.

A follow-up that fails inline is published as a task after all, so nothing is lost to it."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_inline: ContextVar[bool] = ContextVar("followups_inline", default=False)


@contextmanager
def followups_inline() -> Iterator[None]:
    """Within the block, on-commit follow-ups run in this process instead of being published."""
    token = _inline.set(True)
    try:
        yield
    finally:
        _inline.reset(token)


def followups_are_inline() -> bool:
    return _inline.get()
