"""Suite-wide collection rules.

Tests that run Meltano in this repository share its `.meltano` directory (installed plugins and the
catalog file a run writes), so under pytest-xdist they all go to one worker (`--dist loadgroup`);
every other test has its own sandbox, PostgreSQL schema and Redis prefix and runs anywhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
SHARES_THE_PROJECT = ("e2e", "report", "orchestration")


# tryfirst: xdist turns the mark into the item's group in its own collection hook.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.relative_to(TESTS).parts[0] in SHARES_THE_PROJECT:
            item.add_marker(pytest.mark.xdist_group("meltano-project"))
