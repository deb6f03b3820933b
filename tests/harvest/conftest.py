"""Fixtures for importer tests: the real archives in ../shared/data and damaged copies."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real archives (WAGGLE_SHARED_DATA); importer tests need them to mean anything."""
    path = Path(settings.WAGGLE_SHARED_DATA)
    if not path.is_dir():
        pytest.skip(f"the real archives are not at {path} (set WAGGLE_SHARED_DATA)")
    return path
