"""What every Meta stream shares: the shared per-account base and the tap's Meta transport."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ads_kit.tap.streams import AccountStream
from tap_meta_ads.client import MetaClient

if TYPE_CHECKING:
    from tap_meta_ads.tap import TapMetaAds


class MetaStream(AccountStream):
    @property
    def tap(self) -> TapMetaAds:
        return super().tap  # type: ignore[return-value]

    @property
    def client(self) -> MetaClient:
        return self.tap.client
