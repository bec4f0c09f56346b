"""Saved list views of leads (filters, columns and sort, private or shared) and their CSV export."""
