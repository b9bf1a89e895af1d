"""The shared per-account stream base, typed with the Meta tap (its accounts, edges and reports)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from ads_kit.tap.streams import AccountStream

if TYPE_CHECKING:
    from tap_meta_ads.tap import TapMetaAds


class MetaStream(AccountStream):
    @property
    def tap(self) -> TapMetaAds:
        return cast("TapMetaAds", super().tap)
