"""How gunicorn serves LeadCRM; gunicorn reads this file from the working directory, and options
given on its command line override it.

Sync workers, three by default (``WEB_CONCURRENCY`` sets another number). A sync worker that waits
on PostgreSQL, or on a slow client, leaves its core idle: with as many workers as cores, a 2-core
host serving database-bound requests kept about a quarter of its CPU unused. Run more workers than
cores (gunicorn's guide says two to four per core); each keeps its own database connection.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
