"""Per-account isolation: an account that cannot be read never stops the others.

No permission, a disabled account, or a grant that stays rejected after one renewal concern that
account alone: it is skipped for the rest of the run with one ERROR line and one dead letter (in
the first stream that met it), and every later stream passes it by. A refusal of one stream only
(`AccountSkipped.stream_only`) ends that stream for the account, with its line and dead letter.
Anything else propagates. A run whose every account was skipped read nothing it was asked for: after
what it has is written, it fails in one line naming the account setting and why each was skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from ads_kit.resilience.deadletters import DeadLetterBox
from ads_kit.resilience.errors import (
    AccountSkipped,
    ConfigError,
    RequestFailed,
    account_failure,
    one_line,
)
from ads_kit.tap.progress import Progress


class AccountIsolation:
    def __init__(self, dead_letters: DeadLetterBox, log: logging.Logger, progress: Progress) -> None:
        self._dead_letters = dead_letters
        self._log = log
        self._progress = progress
        self._skipped: dict[str, str] = {}  # account -> why

    @contextmanager
    def isolated(self, account_id: str, stream: str) -> Iterator[None]:
        """One account's work: a failure that blocks only this account skips it."""
        try:
            yield
        except AccountSkipped as exc:
            if not exc.stream_only:
                self.skip(account_id, stream, exc.reason)
                return
            # A refusal of this stream only (an endpoint's scope): the account's other streams go on.
            self._log.error("account %s stream %s skipped: %s", account_id, stream, exc.reason)
            self._dead_letters.record(stream, account_id, None, exc)
            self._progress.dead_letter(stream)
        except RequestFailed as exc:
            reason = account_failure(exc)
            if reason is None:
                raise
            self.skip(account_id, stream, reason)

    def skip(self, account_id: str, stream: str, reason: str) -> None:
        if account_id not in self._skipped:
            self._skipped[account_id] = one_line(reason)
            self._log.error(
                "account %s skipped (stream %s): %s", account_id, stream, self._skipped[account_id]
            )
            self._dead_letters.record(stream, account_id, None, AccountSkipped(account_id, reason))
            self._progress.dead_letter(stream)

    def is_skipped(self, account_id: str) -> bool:
        return account_id in self._skipped

    def check_some_account_read(self, account_ids: list[str], setting: str) -> None:
        """Raise a ConfigError naming ``setting`` when every account of the run was skipped."""
        if account_ids and all(account in self._skipped for account in account_ids):
            why = ", ".join(f"{account} ({_short(self._skipped[account])})" for account in account_ids)
            raise ConfigError(setting, f"no account could be read, every one was skipped: {why}")


def _short(reason: str, limit: int = 80) -> str:
    """The start of a skip reason: the account's own ERROR line above holds all of it."""
    return reason if len(reason) <= limit else reason[: limit - 3].rstrip() + "..."
