"""What a network failure says about the setting that named the host."""

from __future__ import annotations

from urllib3.exceptions import ConnectTimeoutError


def never_connected(exc: BaseException) -> bool:
    """No connection was made (refused, no such host, connect timeout), as opposed to a connection
    dropped or a read that timed out: a host that never answered this run is its setting's fault."""
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # requests wraps urllib3's MaxRetryError around it
    # urllib3's NewConnectionError and NameResolutionError are ConnectTimeoutErrors too.
    return isinstance(reason, ConnectTimeoutError)
