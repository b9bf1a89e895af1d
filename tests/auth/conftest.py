from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet

from ads_kit.auth.store import KEY_ENV, TokenEntry, TokenStore


@pytest.fixture
def token_key(monkeypatch: pytest.MonkeyPatch) -> str:
    key = Fernet.generate_key().decode()
    monkeypatch.setenv(KEY_ENV, key)
    return key


@pytest.fixture
def store(tmp_path, token_key) -> TokenStore:
    return TokenStore(tmp_path / "tokens.enc")


@pytest.fixture
def meta_entry() -> TokenEntry:
    return TokenEntry(
        platform="meta_ads",
        login="default",
        access_token="EAAB" + "x" * 60,
        refresh_token=None,
        expires_at=2_000_000_000.0,
        issued_at=1_990_000_000.0,
        token_url="https://graph.facebook.com/v26.0/oauth/access_token",
        client_id="1234567890123456",
        client_secret="f00dfeedf00dfeedf00dfeedf00dfeed",
        scopes=["ads_read", "business_management"],
        accounts=["1234567890"],
    )


@pytest.fixture
def restore_logging():
    """install_redaction changes process-wide logging; put it back after the test."""
    root = logging.getLogger()
    factory = logging.getLogRecordFactory()
    handlers, filters, level = list(root.handlers), list(root.filters), root.level
    yield
    logging.setLogRecordFactory(factory)
    root.handlers[:], root.filters[:] = handlers, filters
    root.setLevel(level)
