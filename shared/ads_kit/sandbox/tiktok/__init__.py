"""TikTok Marketing API v1.3 emulator for the sandbox (loaded as `ads_kit.sandbox.tiktok:TikTokEmulator`)."""

from ads_kit.sandbox.tiktok.emulator import TikTokEmulator

__all__ = ["TikTokEmulator"]
