"""Places in the emails app that use a picklist value (so that it cannot be deleted meanwhile)."""

from .services.autoresponse import autoresponse_picklist_usage

__all__ = ["autoresponse_picklist_usage"]
