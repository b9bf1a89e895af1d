"""Strip secrets from log records and error text.

Two kinds of secret are removed: the exact values a process knows about (configured tokens, client
secrets), registered with `install_redaction` or `register_secrets`, and anything shaped like a
credential (Meta `EAA…` tokens, Google `ya29.…` / `1//…` tokens, `Bearer …` headers, `access_token=`
style query values, TikTok 40-hex tokens next to an `Access-Token` label). Every tap and command calls
`install_redaction` once at start-up; `redact` is for text that leaves the process another way
(exception messages, dead letters).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

MASK = "[REDACTED]"

# Values shorter than this are not treated as secrets: masking "1" or "ok" everywhere would wreck
# every log line and protects nothing.
_MIN_SECRET_LENGTH = 6

_SECRET_PARAMETERS = (
    "access_token|refresh_token|client_secret|appsecret_proof|fb_exchange_token|input_token|"
    "code_verifier|auth_code|developer_token|secret"
)

# One alternation, compiled once: a log line is scanned in a single pass whatever it contains.
# Groups that must survive (labels, quotes) are kept by `_keep_label`.
_SHAPES = re.compile(
    r"(?P<label>"
    # Authorization header schemes; the lookahead keeps prose such as "Invalid OAuth access token".
    r"\b(?:Bearer|OAuth)\s+(?=[A-Za-z0-9._~+/=\-]{12,})"
    rf"|\b(?:{_SECRET_PARAMETERS})=(?!\[REDACTED\])"  # query string / form values
    rf"|[\"'](?:{_SECRET_PARAMETERS})[\"']\s*:\s*[\"']"  # JSON / dict-repr values
    r"|\b(?:Access-Token|developer-token)[\"']?\s*[:=,]\s*[\"']?"  # TikTok and Google Ads headers
    r")(?P<value>[^\s&\"',;)}\]]+)"
    r"|\bEAA[A-Za-z0-9]{20,}"  # Meta user / system-user tokens
    r"|\bya29\.[0-9A-Za-z_.\-]+"  # Google access tokens
    r"|\b1//[0-9A-Za-z_\-]{20,}",  # Google refresh tokens
    re.IGNORECASE,
)

_known_secrets: set[str] = set()
_known_pattern: re.Pattern[str] | None = None
_lock = threading.Lock()


def _keep_label(match: re.Match[str]) -> str:
    label = match.group("label")
    return f"{label}{MASK}" if label is not None else MASK


def register_secrets(secrets: Iterable[str | None]) -> None:
    """Add exact values that must never be shown (short or empty values are ignored)."""
    global _known_pattern
    fresh = {s for s in secrets if isinstance(s, str) and len(s) >= _MIN_SECRET_LENGTH}
    with _lock:
        if fresh <= _known_secrets:
            return
        _known_secrets.update(fresh)
        # Longest first so a secret that contains another one is masked whole.
        ordered = sorted(_known_secrets, key=len, reverse=True)
        _known_pattern = re.compile("|".join(re.escape(s) for s in ordered))


def redact(text: str) -> str:
    """Return `text` with every known secret and token-shaped value replaced by `[REDACTED]`."""
    known = _known_pattern
    if known is not None:
        text = known.sub(MASK, text)
    return _SHAPES.sub(_keep_label, text)


class RedactionFilter(logging.Filter):
    """Rewrite a record in place so that no handler can print a secret; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        # The factory and the handlers both see a record; the work is done once.
        if getattr(record, "redacted", False):
            return True
        record.redacted = True
        try:
            message = record.getMessage()
        except Exception:
            # A malformed call (wrong number of args): leave it for the handler to report, as logging does.
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the traceback is rendered once, redacted.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactionFilter()


def _redacting_factory(previous: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _FILTER.filter(record)
        return record

    make_record.redacting = True  # type: ignore[attr-defined]  # a marker attribute on a function object
    return make_record


def install_redaction(secrets: Iterable[str | None] = ()) -> RedactionFilter:
    """Register `secrets` and make every log record pass through the redaction filter.

    The filter sits on the root logger and its handlers, and in the log-record factory: handlers that
    are configured later (singer-sdk replaces logging configuration at start-up) and records of child
    loggers, which never meet the root logger's own filters, are covered too. Safe to call repeatedly.
    """
    register_secrets(secrets)
    root = logging.getLogger()
    for target in (root, *root.handlers):
        if _FILTER not in target.filters:
            target.addFilter(_FILTER)
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "redacting", False):
        logging.setLogRecordFactory(_redacting_factory(factory))
    return _FILTER
