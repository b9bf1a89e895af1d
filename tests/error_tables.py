"""What a row of a platform's error-table test checks: the verdict's class and code, one line of
message, and the scope it concerns or, for a fatal error, the setting it names."""

from __future__ import annotations

from ads_kit.resilience.errors import Classified, ErrorClass, Scope


def assert_verdict(verdict: Classified, expected: ErrorClass, code: str, detail: Scope | str) -> None:
    assert (verdict.error_class, verdict.code) == (expected, code)
    assert verdict.message and "\n" not in verdict.message
    if expected is ErrorClass.FATAL_CONFIG:
        assert verdict.setting == detail
    else:
        assert verdict.scope is detail
