"""Data-quality checks emitted as ``unified_data_quality`` records and log warnings."""

from ads_kit.quality.checks import (
    CHECKS,
    beyond_retention,
    breakdown_mismatch,
    check_performance_row,
    missing_days,
    restatement_window,
    schema_drift,
    stale_data,
)
from ads_kit.quality.collector import QualityCollector
from ads_kit.quality.findings import Finding

__all__ = [
    "CHECKS",
    "Finding",
    "QualityCollector",
    "beyond_retention",
    "breakdown_mismatch",
    "check_performance_row",
    "missing_days",
    "restatement_window",
    "schema_drift",
    "stale_data",
]
