"""API fixtures: token-authenticated clients for the roles of the shared fixtures."""

from __future__ import annotations

import pytest

from tests.api.client import ApiClient
from waggle.people.models import User


@pytest.fixture
def member_api(member: User) -> ApiClient:
    return ApiClient(member)


@pytest.fixture
def host_api(host: User) -> ApiClient:
    return ApiClient(host)


@pytest.fixture
def outsider_api(outsider: User) -> ApiClient:
    return ApiClient(outsider)
