"""Meta Graph / Marketing API emulator for the sandbox (loaded as `ads_kit.sandbox.meta:MetaEmulator`)."""

from ads_kit.sandbox.meta.emulator import MetaEmulator

__all__ = ["MetaEmulator"]
