"""Engagement events of leads: website visits (first-party tracking script), form submits,
email opens and clicks, and events reported by integrations."""
