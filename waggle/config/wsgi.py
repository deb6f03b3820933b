"""WSGI entry point for app servers (gunicorn, waitress)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waggle.config.settings")
application = get_wsgi_application()
