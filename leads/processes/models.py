"""Lead processes: the Lead Status values a lead record type offers, in order, each with the
guidance for success and the key fields its path shows."""

from django.db import models


class LeadPathStep(models.Model):
    """One Lead Status value of a lead record type's process: its place on the path, the guidance
    for success shown at that step and the key fields to fill there (field API names, at most
    ``MAX_KEY_FIELDS``). A record type with no steps offers every active status in picklist order."""

    record_type = models.ForeignKey("core.RecordType", on_delete=models.CASCADE, related_name="lead_path_steps")
    status = models.ForeignKey("core.PicklistValue", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    guidance = models.TextField(max_length=2000, blank=True)
    key_fields = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["record_type", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record_type", "status"], name="leadpathstep_one_per_status"),
        ]

    def __str__(self) -> str:
        return f"{self.record_type_id}: {self.status_id} #{self.position}"
