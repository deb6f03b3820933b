"""Settings for the test suite: the real settings, with tasks run inline and fast hashing."""

from waggle.config.settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Semantic ranking loads a 90 MB model and encodes every thread written: only the tests of
# semantic ranking turn it on (tests/search/test_hybrid.py).
WAGGLE_SEMANTIC = "off"
WAGGLE_VECTOR_REFRESH_SECONDS = 0.0
