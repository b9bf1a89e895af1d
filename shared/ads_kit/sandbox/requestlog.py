"""What the emulators were asked: a bounded log of requests and running counters.

Tests and benchmarks assert on these ("a second sync read only the lookback window"), so every
request is counted per platform, route, account and status. Secrets never enter the log: the query
values of credential parameters are replaced before a path is stored, and headers, metadata and
bodies are never stored at all.

HTTP routes and gRPC methods share the log. A gRPC call is logged with method ``gRPC``, path the
full method (``/google.ads.googleads.v26.services.GoogleAdsService/SearchStream``), route the
service's short name and the method (``GoogleAdsService/SearchStream``) and status the name of the
gRPC status code (``OK``, ``RESOURCE_EXHAUSTED``, ``DEADLINE_EXCEEDED`` when the client's deadline
ended the call): gRPC codes have no faithful HTTP number, so the log keeps the code itself.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

# Query parameters that carry credentials on one platform or another.
SECRET_PARAMS = frozenset(
    {
        "access_token",
        "refresh_token",
        "client_secret",
        "secret",
        "app_secret",
        "appsecret_proof",
        "code",
        "auth_code",
        "code_verifier",
        "fb_exchange_token",
        "input_token",
        "token",
        "developer_token",
    }
)
REDACTED = "REDACTED"
# Path or query parameters (HTTP) and request fields (gRPC) that name the account a call is for.
ACCOUNT_FIELDS = ("account_id", "customer_id", "advertiser_id")


def redact_query(query_string: str) -> str:
    """The query string with every credential value replaced by REDACTED."""
    pairs = parse_qsl(query_string, keep_blank_values=True)
    return urlencode([(k, REDACTED if k.lower() in SECRET_PARAMS else v) for k, v in pairs])


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    at: float  # unix seconds when the request arrived
    platform: str
    route: str
    method: str
    path: str  # path and redacted query string
    account: str | None
    status: int | str | None  # HTTP status, or gRPC code name; None when dropped or cut short
    duration_ms: float
    rate_limited: bool
    fault: str | None  # the injected fault, e.g. "error:rate_limit" or "drop"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class RequestLog:
    def __init__(self, max_entries: int = 20_000) -> None:
        self._entries: deque[LoggedRequest] = deque(maxlen=max_entries)
        self._lock = threading.Lock()
        self._calls: Counter[tuple[str, str, str, str]] = Counter()
        self._rate_limited: Counter[str] = Counter()
        self._faults: Counter[tuple[str, str]] = Counter()

    def record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)
            status = "dropped" if entry.status is None else str(entry.status)
            self._calls[(entry.platform, entry.route, entry.account or "", status)] += 1
            if entry.rate_limited:
                self._rate_limited[entry.platform] += 1
            if entry.fault:
                self._faults[(entry.platform, entry.fault.split(":")[0])] += 1

    def entries(
        self, platform: str | None = None, route: str | None = None, limit: int | None = None
    ) -> list[LoggedRequest]:
        """Matching entries in arrival order; `limit` keeps the most recent ones. Entries are recorded
        when a request completes, so a held request appears once it is answered."""
        with self._lock:
            matched = [
                e
                for e in self._entries
                if (platform is None or e.platform == platform) and (route is None or e.route == route)
            ]
        matched.sort(key=lambda e: e.at)
        return matched[-limit:] if limit else matched

    def stats(self) -> dict[str, Any]:
        """Counters: calls[platform][route] = {total, accounts{id: n}, statuses{code: n}}, with
        requests that named no account under the account key ""."""
        calls: dict[str, dict[str, dict[str, Any]]] = {}
        with self._lock:
            for (platform, route, account, status), n in self._calls.items():
                entry = calls.setdefault(platform, {}).setdefault(
                    route, {"total": 0, "accounts": {}, "statuses": {}}
                )
                entry["total"] += n
                entry["accounts"][account] = entry["accounts"].get(account, 0) + n
                entry["statuses"][status] = entry["statuses"].get(status, 0) + n
            faults: dict[str, dict[str, int]] = {}
            for (platform, kind), n in self._faults.items():
                faults.setdefault(platform, {})[kind] = n
            return {
                "calls": calls,
                "totals": {p: sum(r["total"] for r in routes.values()) for p, routes in calls.items()},
                "rate_limited": dict(self._rate_limited),
                "faults": faults,
            }

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._calls.clear()
            self._rate_limited.clear()
            self._faults.clear()
