"""Search page tokens: opaque, bound to the query they page through, and signed.

Since v17 a Search page is fixed at 10,000 rows (reference §3.1; the REST docs: "a fixed page size
of 10,000 items"). A token names the next row and the settings of the first request, so a token used
with another query is INVALID_PAGE_TOKEN and a later page that changes the summary-row or total
settings is INCONSISTENT_RETURN_SUMMARY_ROW_VALUE or TOTAL_RESULTS_COUNT_NOT_ORIGINALLY_REQUESTED
(RequestError values). Tokens do not expire here: their lifetime is not on record (§10).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass

from ads_kit.sandbox.google_ads.failures import request_error

PAGE_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class PageToken:
    offset: int
    summary: bool  # the first request asked for the summary row
    total: bool  # the first request asked for the total results count
    summary_page: bool = False  # the page after the results: the summary row by itself


class PageTokens:
    def __init__(self, seed: int) -> None:
        self._key = hashlib.sha256(f"google-ads-page-tokens|{seed}".encode()).digest()

    @staticmethod
    def scope(*parts: str) -> str:
        """What a token is bound to: the version, customer, login customer and query."""
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]

    def issue(self, scope: str, token: PageToken) -> str:
        body = json.dumps([scope, token.offset, token.summary, token.total, token.summary_page]).encode()
        signature = hmac.new(self._key, body, hashlib.sha256).digest()[:12]
        return base64.urlsafe_b64encode(body + signature).decode().rstrip("=")

    def read(self, scope: str, text: str) -> PageToken:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            body, signature = raw[:-12], raw[-12:]
            valid = hmac.compare_digest(hmac.new(self._key, body, hashlib.sha256).digest()[:12], signature)
            bound, offset, summary, total, summary_page = json.loads(body) if valid else (None,) * 5
        except (ValueError, TypeError):
            bound = None
        if bound != scope:
            raise request_error(
                "INVALID_PAGE_TOKEN",
                "Next page token specified in user request is invalid.",
                location=(("page_token", None),),
            )
        return PageToken(int(offset), bool(summary), bool(total), bool(summary_page))


__all__ = ["PAGE_SIZE", "PageToken", "PageTokens"]
