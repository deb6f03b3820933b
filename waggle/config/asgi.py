"""ASGI entry point for async app servers (uvicorn, granian)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waggle.config.settings")
application = get_asgi_application()
