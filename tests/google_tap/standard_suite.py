"""The singer-sdk standard tap tests, collected only by ``test_standard.py``'s own pytest process.

gRPC reads its TLS roots once per process (reference §6.2 A''), so a tap running in-process against
this package's sandbox needs a process of its own: the suite runs in one, with the config and the
certificate handed over in the environment.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from singer_sdk.testing import SuiteConfig, get_tap_test_class

from tap_google_ads_unified.tap import TapGoogleAdsUnified

CONFIG_ENV = "GOOGLE_TAP_STANDARD_CONFIG"

TestTapGoogleAdsUnified = get_tap_test_class(
    TapGoogleAdsUnified,
    config=json.loads(Path(os.environ[CONFIG_ENV]).read_text()),
    suite_config=SuiteConfig(
        max_records_limit=50,
        # Findings and failures exist only when something is off; a clean sandbox run has none.
        ignore_no_records_for_streams=["unified_dead_letters", "unified_data_quality"],
    ),
)
