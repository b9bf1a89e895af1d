"""Rate limiting, error classes and retries, async report jobs, dead letters and API versions.

Platforms plug in their rules (error classifier, throttle-signal parsing, job protocol); everything
else is shared. See docs/architecture.md for how a tap wires these together.
"""

from ads_kit.resilience.deadletters import DeadLetterBox, dead_letter_id, describe_request
from ads_kit.resilience.errors import (
    AccountSkipped,
    Classified,
    ConfigError,
    ErrorClass,
    RequestFailed,
    ResilienceError,
    Scope,
    ShrinkRequired,
    one_line,
)
from ads_kit.resilience.jobs import (
    JobExpired,
    JobFailed,
    JobRunner,
    JobSettings,
    JobState,
    JobStatus,
    ReportJobs,
    slice_key,
)
from ads_kit.resilience.ratelimit import (
    ENDPOINT_LIMITS,
    PLATFORM_DEFAULTS,
    EndpointLimit,
    Priority,
    RateLimiter,
    RateLimitSettings,
    ThrottleSignal,
)
from ads_kit.resilience.retry import Classifier, RetryPolicy, Target, call_with_retries
from ads_kit.resilience.versions import (
    CALENDARS,
    FIELD_RENAMES,
    PINNED,
    ApiVersion,
    FieldDropper,
    VersionPolicy,
    map_fields,
    resolve,
    served_version,
)

__all__ = [
    "CALENDARS",
    "ENDPOINT_LIMITS",
    "FIELD_RENAMES",
    "PINNED",
    "PLATFORM_DEFAULTS",
    "AccountSkipped",
    "ApiVersion",
    "Classified",
    "Classifier",
    "ConfigError",
    "DeadLetterBox",
    "EndpointLimit",
    "ErrorClass",
    "FieldDropper",
    "JobExpired",
    "JobFailed",
    "JobRunner",
    "JobSettings",
    "JobState",
    "JobStatus",
    "Priority",
    "RateLimitSettings",
    "RateLimiter",
    "ReportJobs",
    "RequestFailed",
    "ResilienceError",
    "RetryPolicy",
    "Scope",
    "ShrinkRequired",
    "Target",
    "ThrottleSignal",
    "VersionPolicy",
    "call_with_retries",
    "dead_letter_id",
    "describe_request",
    "map_fields",
    "one_line",
    "resolve",
    "served_version",
    "slice_key",
]
