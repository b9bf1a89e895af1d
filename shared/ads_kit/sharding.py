"""Account sharding: ``account_shard: "K/N"`` makes a run read only the accounts of shard K of N.

Every account belongs to exactly one shard, decided by a stable hash (SHA-256) of its canonical id,
so an account keeps its shard across runs, processes and machines, and N workers each running one
shard read every account exactly once. The split happens once, on the accounts the run's streams
read (``AdsTap.run``), so configured lists and accounts discovered from the token are split alike.

Each shard is a run of its own with its own state id (``state_id_suffix``: ``shard-K-of-N``), so
shards resume independently and one shard's failure leaves the others' state untouched.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ads_kit.resilience.errors import ConfigError
from ads_kit.unified.adapter import AccountInfo

if TYPE_CHECKING:  # the tap layer imports this module: no cycle at run time
    from ads_kit.tap.sources import AccountSource

SETTING = "account_shard"
_SHAPE = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


def canonical_account_id(value: Any) -> str:
    """One spelling per account, whatever the platform or the config wrote: Meta's ``act_123`` and
    ``123``, Google's ``123-456-7890`` and ``1234567890`` name the same account."""
    return str(value).strip().removeprefix("act_").replace("-", "")


def shard_of(account_id: Any, count: int) -> int:
    """The shard (1..count) an account belongs to: SHA-256 of its canonical id, modulo ``count``.
    A cryptographic hash, not Python's ``hash()``, which changes between processes."""
    if count < 1:
        raise ValueError(f"shard count must be at least 1, got {count}")
    digest = hashlib.sha256(canonical_account_id(account_id).encode()).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


@dataclass(frozen=True)
class Shard:
    index: int
    """K, from 1."""
    count: int
    """N, the number of shards."""

    @classmethod
    def parse(cls, value: Any) -> Shard:
        """``"K/N"`` with 1 <= K <= N; ConfigError naming ``account_shard`` otherwise."""
        match = _SHAPE.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise ConfigError(SETTING, f"{value!r} is not K/N (shard K of N, e.g. 2/4)")
        index, count = int(match[1]), int(match[2])
        if not 1 <= index <= count:
            raise ConfigError(SETTING, f"{value!r}: K must be between 1 and N (shard K of N, e.g. 2/4)")
        return cls(index, count)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Shard | None:
        """The configured shard; None when the run reads every account."""
        value = config.get(SETTING)
        return None if value is None else cls.parse(value)

    def holds(self, account_id: Any) -> bool:
        return shard_of(account_id, self.count) == self.index

    @property
    def state_id_suffix(self) -> str:
        """What tells this shard's Meltano state apart (``meltano run --state-id-suffix``)."""
        return f"shard-{self.index}-of-{self.count}"

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


class ShardedAccounts:
    """An ``AccountSource`` reading only the accounts of one shard of another source."""

    def __init__(self, source: AccountSource, shard: Shard, log: logging.Logger) -> None:
        self._source = source
        self.shard = shard
        self._log = log
        self._ids: list[str] | None = None

    @property
    def setting(self) -> str:
        return self._source.setting

    def ids(self) -> list[str]:
        if self._ids is None:
            every = self._source.ids()
            self._ids = [account for account in every if self.shard.holds(account)]
            if self._ids:
                held = f"{len(self._ids)} of the {len(every)} accounts fall in this shard"
                self._log.info("%s %s: %s", SETTING, self.shard, held)
            else:
                self._log.warning(
                    "%s %s: none of the %d accounts falls in this shard; nothing to read",
                    SETTING,
                    self.shard,
                    len(every),
                )
        return self._ids

    def info(self, account_id: str) -> AccountInfo:
        return self._source.info(account_id)

    def raw(self, account_id: str) -> dict[str, Any]:
        return self._source.raw(account_id)


def sharded(source: AccountSource, config: Mapping[str, Any], log: logging.Logger) -> AccountSource:
    """``source`` split by the configured ``account_shard``, or ``source`` itself without one."""
    shard = Shard.from_config(config)
    return source if shard is None else ShardedAccounts(source, shard, log)
