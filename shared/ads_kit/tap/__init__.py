"""The shared tap core a platform plugs into (see docs/adding-a-platform.md).

* ``ads_kit.tap.base.AdsTap``: settings checks, redaction, collaborators, discovery, drift, exit.
* ``ads_kit.tap.streams.AccountStream``: the one per-account stream base of raw and unified streams.
* ``ads_kit.tap.transport.Transport``: retries, limits, re-auth, versions around a platform's call.
* ``ads_kit.tap.reports``: report windows, the slice cache, sync reads and async jobs.
* ``ads_kit.tap.sources``: the account source raw streams and the unified adapter both read.
* ``ads_kit.tap.sdk_bridge``: the only module that touches singer-sdk's private API.
"""
