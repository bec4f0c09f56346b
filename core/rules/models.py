"""Abstract models of the rules mechanism: a rule (named, at most one active of a kind, versioned)
and its ordered entries (criteria of ``core.criteria`` and filter logic).

A concrete kind subclasses both, adds its action fields to the entry, points the entry's ``rule``
foreign key at its rule model with ``related_name="entries"``, and declares the constraints below
in its own ``Meta`` (constraint names are global, so each kind names its own).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class RuleBase(models.Model):
    """A rule of some kind: ordered entries, the first matching entry acts. At most one rule of a
    kind is active (a partial unique constraint); ``version`` is bumped on every change of the rule
    or its entries, and compiled rules are cached by it."""

    name = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=500, blank=True)
    is_active = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RuleEntryBase(models.Model):
    """One ordered entry of a rule: criteria (with optional filter logic); the kind adds its action."""

    sort_order = models.PositiveIntegerField()
    criteria = models.JSONField(default=list, blank=True)
    filter_logic = models.CharField(max_length=1000, blank=True)

    class Meta:
        abstract = True
        ordering = ["rule", "sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.rule} #{self.sort_order}"


def one_active_rule(name: str) -> models.UniqueConstraint:
    """At most one active rule of the kind."""
    return models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name=name)


def rule_name_required(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=~Q(name=""), name=name)


def rule_name_unique_ci(name: str) -> models.UniqueConstraint:
    """Rule names are unique without regard to case."""
    return models.UniqueConstraint(Lower("name"), name=name)


def entry_unique_order(name: str) -> models.UniqueConstraint:
    """One entry per position of a rule. Deferred to the commit: reordering moves several entries
    in one statement, and PostgreSQL checks an immediate unique constraint row by row."""
    return models.UniqueConstraint(fields=["rule", "sort_order"], name=name, deferrable=models.Deferrable.DEFERRED)
