"""Lead import from CSV: the upload and its rows are stored, a Celery task creates the leads."""
