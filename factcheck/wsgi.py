import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
application = get_wsgi_application()

# Django, DRF and the app are loaded: keep the cyclic garbage collector from walking their
# ~100,000 long-lived objects on every full collection (CPython's gc.freeze, made for this).
# Measured on the claims list API: GC 0.2-0.3 ms of a 1.7 ms request before, 0.08 ms after.
gc.collect()
gc.freeze()
