"""Duplicate management services: match keys (``keys``), finding matches (``matching``), the rules'
setup (``rules``), the intake screen and Web-to-Lead attach (``screen``), background jobs
(``jobs``) and merges (``merge``). Public names are re-exported here."""

from .jobs import duplicate_job_run, duplicate_job_start
from .keys import keys_backfill, keys_for_values, keys_refresh
from .matching import Match, find_matches, lead_duplicates, match_batch
from .merge import lead_merge, lead_merge_undo
from .rules import (
    DUPLICATE,
    duplicate_entry_create,
    duplicate_entry_update,
    matching_rule_create,
    matching_rule_delete,
    matching_rule_update,
)

__all__ = [
    "DUPLICATE",
    "Match",
    "duplicate_entry_create",
    "duplicate_entry_update",
    "duplicate_job_run",
    "duplicate_job_start",
    "find_matches",
    "keys_backfill",
    "keys_for_values",
    "keys_refresh",
    "lead_duplicates",
    "lead_merge",
    "lead_merge_undo",
    "match_batch",
    "matching_rule_create",
    "matching_rule_delete",
    "matching_rule_update",
]
