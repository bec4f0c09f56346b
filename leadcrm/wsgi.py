import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadcrm.settings")
application = get_wsgi_application()
# What loading the application made lives as long as the process: leave it out of the collector's
# full passes, which then stay short under load (about a third of the time on a web worker here).
gc.freeze()
