"""The in-test platform passes the singer-sdk standard tap tests: a tap on the shared base is a tap."""

from __future__ import annotations

from singer_sdk.testing import SuiteConfig, get_tap_test_class
from unified_contract_tap import ContractTap

TestContractTap = get_tap_test_class(
    ContractTap,
    config={"date_range": {"type": "last_n_days", "days": 3}},
    suite_config=SuiteConfig(
        max_records_limit=50,
        # Findings and failures exist only when something is off; a clean run has none.
        ignore_no_records_for_streams=["unified_dead_letters", "unified_data_quality"],
    ),
)
