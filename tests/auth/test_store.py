from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import stat

import pytest
from cryptography.fernet import Fernet

from ads_kit.auth.errors import TokenStoreError
from ads_kit.auth.store import KEY_ENV, TokenEntry, TokenStore


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_round_trip_keeps_every_field(store: TokenStore, meta_entry: TokenEntry) -> None:
    store.put(meta_entry)
    loaded = store.get("meta_ads")
    assert loaded == meta_entry


def test_file_is_encrypted_and_private_whatever_the_umask(store: TokenStore, meta_entry: TokenEntry) -> None:
    previous = os.umask(0)
    try:
        store.put(meta_entry)
    finally:
        os.umask(previous)
    raw = store.path.read_bytes()
    for plain in (
        meta_entry.access_token,
        meta_entry.access_token[:12],
        meta_entry.client_secret,
        "meta_ads",
        "ads_read",
    ):
        assert plain.encode() not in raw
    assert _mode(store.path) == 0o600
    assert _mode(f"{store.path}.lock") == 0o600
    assert [p.name for p in store.path.parent.iterdir() if p.name.startswith(".tokens-")] == []


def test_repr_of_an_entry_shows_no_token(meta_entry: TokenEntry) -> None:
    assert meta_entry.access_token not in repr(meta_entry)
    assert meta_entry.client_secret not in repr(meta_entry)


def test_wrong_key_is_one_line_naming_the_setting(store: TokenStore, meta_entry, monkeypatch) -> None:
    store.put(meta_entry)
    monkeypatch.setenv(KEY_ENV, Fernet.generate_key().decode())
    with pytest.raises(TokenStoreError) as failure:
        TokenStore(store.path).get("meta_ads")
    message = str(failure.value)
    assert KEY_ENV in message and str(store.path) in message
    assert "\n" not in message


def test_malformed_key_is_reported(tmp_path, monkeypatch, meta_entry) -> None:
    monkeypatch.setenv(KEY_ENV, "not-a-fernet-key")
    with pytest.raises(TokenStoreError, match=KEY_ENV):
        TokenStore(tmp_path / "t.enc").put(meta_entry)


def test_no_key_and_no_keyring_refuses_instead_of_writing_plaintext(
    tmp_path, monkeypatch, meta_entry
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.setitem(__import__("sys").modules, "keyring", None)  # no keyring package, as on a server
    target = TokenStore(tmp_path / "t.enc")
    with pytest.raises(TokenStoreError) as failure:
        target.put(meta_entry)
    assert f"set {KEY_ENV}" in str(failure.value)
    assert "\n" not in str(failure.value)
    assert not target.path.exists()


def test_key_rotation_rewrites_with_the_newest_key(tmp_path, monkeypatch, meta_entry) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv(KEY_ENV, old)
    TokenStore(tmp_path / "t.enc").put(meta_entry)

    monkeypatch.setenv(KEY_ENV, f"{new},{old}")
    rotated = TokenStore(tmp_path / "t.enc")
    assert rotated.get("meta_ads") == meta_entry
    rotated.put(meta_entry)

    monkeypatch.setenv(KEY_ENV, new)  # the old key can now be dropped
    assert TokenStore(tmp_path / "t.enc").get("meta_ads") == meta_entry


def test_corrupt_document_is_one_line(store: TokenStore) -> None:
    store.path.write_bytes(store.cipher.encrypt(b'{"entries": [1, 2]}'))
    with pytest.raises(TokenStoreError, match="is corrupt"):
        store.entries()


def test_missing_login_names_platform_and_command(store: TokenStore, meta_entry) -> None:
    store.put(meta_entry)
    with pytest.raises(
        TokenStoreError, match=r"meta_ads: no login named 'agency'.*ads-auth login meta_ads --login agency"
    ):
        store.get("meta_ads", "agency")


def test_failed_write_leaves_previous_file_intact(store: TokenStore, meta_entry, monkeypatch) -> None:
    store.put(meta_entry)
    before = store.path.read_bytes()

    def crash(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    rotated = TokenEntry(**{**meta_entry.__dict__, "access_token": "EAAnew" + "y" * 40})
    with pytest.raises(TokenStoreError, match="cannot be written: No space left on device"):
        store.put(rotated)
    monkeypatch.undo()
    assert store.path.read_bytes() == before
    assert store.get("meta_ads").access_token == meta_entry.access_token
    assert [p.name for p in store.path.parent.iterdir() if p.name.startswith(".tokens-")] == []


def test_unwritable_location_is_one_line(tmp_path, token_key, meta_entry) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(TokenStoreError, match=r"tokens.enc cannot be locked: "):
        TokenStore(blocker / "tokens.enc").put(meta_entry)


def test_delete_removes_only_that_login(store: TokenStore, meta_entry) -> None:
    store.put(meta_entry)
    store.put(TokenEntry(**{**meta_entry.__dict__, "login": "agency"}))
    assert store.delete("meta_ads", "agency") is True
    assert store.delete("meta_ads", "agency") is False
    assert [e.key for e in store.entries()] == ["meta_ads/default"]


def _write_many(path: str, key: str, login: str, count: int) -> None:
    os.environ[KEY_ENV] = key
    target = TokenStore(path)
    for n in range(count):
        target.update(
            "google_ads",
            login,
            lambda _current, n=n: TokenEntry(
                platform="google_ads",
                login=login,
                access_token=f"ya29.{login}.{n}",
                token_url="t",
                client_id="c",
            ),
        )


def test_concurrent_writers_lose_no_entry(store: TokenStore, token_key: str) -> None:
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_write_many, args=(str(store.path), token_key, f"login{n}", 15))
        for n in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    tokens = {entry.login: entry.access_token for entry in store.entries()}
    assert tokens == {f"login{n}": f"ya29.login{n}.14" for n in range(4)}


def test_a_store_written_with_short_names_still_reads(store: TokenStore, meta_entry: TokenEntry) -> None:
    """Stores written before entries used the platform key (`meta/default`) are mapped on load."""
    old = dataclasses.replace(meta_entry, platform="meta")
    document = {"version": 1, "entries": {"meta/default": dataclasses.asdict(old)}}
    store.path.write_bytes(store.cipher.encrypt(json.dumps(document).encode()))

    assert store.get("meta_ads") == meta_entry
    assert [e.key for e in store.entries()] == ["meta_ads/default"]
    store.put(dataclasses.replace(meta_entry, login="agency"))  # the next write stores the key
    assert sorted(e.key for e in TokenStore(store.path).entries()) == ["meta_ads/agency", "meta_ads/default"]
    assert store.delete("meta_ads") is True
