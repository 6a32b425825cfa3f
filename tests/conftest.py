"""Shared fixtures. The divisions come from the migration, so every test has them."""

import pytest
from django.db import connection


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def zhaojue():
    """昭觉县, a Liangshan deep-poverty county."""
    from villages.models import Region

    return Region.objects.get(code="513431")
