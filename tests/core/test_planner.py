"""Planner settings for one block (`waggle.core.planner`)."""

from __future__ import annotations

import pytest
from django.db import connection

from waggle.core.planner import planner_settings


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="planner settings are PostgreSQL's; elsewhere the block runs as is")
def test_settings_apply_inside_the_block_only() -> None:
    with connection.cursor() as cursor:
        with planner_settings(enable_indexscan="off", max_parallel_workers_per_gather="0"):
            cursor.execute("SHOW enable_indexscan")
            assert cursor.fetchone()[0] == "off"
            cursor.execute("SHOW max_parallel_workers_per_gather")
            assert cursor.fetchone()[0] == "0"
        cursor.execute("SHOW enable_indexscan")
        assert cursor.fetchone()[0] == "on"
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] != "0"


@pytest.mark.parametrize("setting", [{"enable_indexscan": "off; DROP TABLE x"},
                                     {"enable indexscan": "off"}, {"work_mem": "4MB'"}])
def test_anything_but_a_setting_name_and_a_plain_value_is_refused(
    setting: dict[str, str]
) -> None:
    with pytest.raises(ValueError, match="not a planner setting"), planner_settings(**setting):
        pass
