"""Encrypted token store: one entry per (platform, login name), in one Fernet-encrypted file.

Entries are keyed by the platform key (`meta_ads/default`). A store written when entries used the short
names (`meta/default`) still reads: those entries are mapped to the platform key on load, and the next
write stores them under it.

The whole file is one Fernet token, so nothing (not even which platforms are logged in) is readable
without the key. Writers hold an exclusive `fcntl` lock on a sibling `.lock` file for the whole
read-modify-write, and replace the file atomically, so concurrent taps rotating the same grant never
lose each other's tokens and a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from ads_kit.auth.errors import TokenStoreError
from ads_kit.resilience.platforms import canonical_platform

KEY_ENV = "ADS_TOKEN_KEY"
STORE_ENV = "ADS_TOKEN_STORE"
KEYRING_SERVICE = "ads-kit"
KEYRING_USER = "token-store-key"
DEFAULT_LOGIN = "default"
_FORMAT_VERSION = 1


@dataclass
class TokenEntry:
    platform: str
    login: str
    access_token: str
    token_url: str
    client_id: str
    client_secret: str | None = None
    refresh_token: str | None = None
    expires_at: float | None = None  # epoch seconds; None = does not expire
    issued_at: float | None = None
    scopes: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    revoke_url: str | None = None

    @property
    def key(self) -> str:
        return entry_key(self.platform, self.login)

    def __repr__(self) -> str:  # tokens stay out of tracebacks and debug logs
        return f"TokenEntry(platform={self.platform!r}, login={self.login!r}, accounts={self.accounts!r})"


def entry_key(platform: str, login: str) -> str:
    """`meta_ads/default`; a short name (`meta`) is taken as its platform key."""
    return f"{canonical_platform(platform)}/{login}"


def _loaded_entry(value: dict) -> TokenEntry:
    entry = TokenEntry(**value)
    entry.platform = canonical_platform(entry.platform)  # stores written with short names (`meta`)
    return entry


def default_store_path() -> Path:
    if os.environ.get(STORE_ENV):
        return Path(os.environ[STORE_ENV]).expanduser()
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config_home / "ads-kit" / "tokens.enc"


def _keys_from_keyring(create: bool) -> list[bytes]:
    unusable = TokenStoreError(
        f"no token-store key: set {KEY_ENV} (generate one with "
        '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`)'
        "; no usable OS keyring was found"
    )
    try:
        import keyring  # optional: desktop systems only
        from keyring.errors import KeyringError
    except ImportError:
        raise unusable from None
    try:
        stored = keyring.get_password(KEYRING_SERVICE, KEYRING_USER)
        if stored is None and create:
            stored = Fernet.generate_key().decode()
            keyring.set_password(KEYRING_SERVICE, KEYRING_USER, stored)
    except KeyringError:
        raise unusable from None
    if stored is None:
        raise unusable
    return [k.strip().encode() for k in stored.split(",") if k.strip()]


def load_cipher(create_key: bool = False) -> MultiFernet:
    """Keys from ADS_TOKEN_KEY (comma-separated, newest first), else from the OS keyring."""
    raw = os.environ.get(KEY_ENV, "")
    keys = [k.strip().encode() for k in raw.split(",") if k.strip()] or _keys_from_keyring(create_key)
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError:
        raise TokenStoreError(
            f"{KEY_ENV} must hold Fernet keys (32 url-safe base64 bytes), comma-separated, newest first"
        ) from None


class TokenStore:
    def __init__(self, path: Path | str | None = None, cipher: MultiFernet | None = None) -> None:
        self.path = Path(path).expanduser() if path else default_store_path()
        self._cipher = cipher

    @property
    def cipher(self) -> MultiFernet:
        if self._cipher is None:
            self._cipher = load_cipher()
        return self._cipher

    # -- reading ---------------------------------------------------------------------------------

    def _read_all(self) -> dict[str, TokenEntry]:
        try:
            blob = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise TokenStoreError(f"token store {self.path} cannot be read: {exc.strerror}") from None
        try:
            plain = self.cipher.decrypt(blob)
        except InvalidToken:
            raise TokenStoreError(
                f"token store {self.path} cannot be decrypted with the key in {KEY_ENV} "
                "(wrong or rotated-out key)"
            ) from None
        try:
            loaded = [_loaded_entry(value) for value in json.loads(plain)["entries"].values()]
            return {entry.key: entry for entry in loaded}
        except (ValueError, KeyError, TypeError, AttributeError):
            raise TokenStoreError(f"token store {self.path} is corrupt; log in again to rebuild it") from None

    def entries(self) -> list[TokenEntry]:
        return list(self._read_all().values())

    def get(self, platform: str, login: str = DEFAULT_LOGIN) -> TokenEntry:
        platform = canonical_platform(platform)
        entry = self._read_all().get(entry_key(platform, login))
        if entry is None:
            hint = f" --login {login}" if login != DEFAULT_LOGIN else ""
            raise TokenStoreError(
                f"{platform}: no login named {login!r} in token store {self.path}; "
                f"run `ads-auth login {platform}{hint}`"
            )
        return entry

    # -- writing ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise TokenStoreError(f"token store {self.path} cannot be locked: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _write_all(self, entries: dict[str, TokenEntry]) -> None:
        document = {"version": _FORMAT_VERSION, "entries": {k: asdict(v) for k, v in entries.items()}}
        # encrypt() always uses the newest key, so every write also completes a key rotation.
        blob = self.cipher.encrypt(json.dumps(document).encode())
        # mkstemp creates the file with mode 0600 from the start: the token is never world-readable.
        fd, temp_name = tempfile.mkstemp(prefix=".tokens-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(blob)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, self.path)
        except OSError as exc:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise TokenStoreError(f"token store {self.path} cannot be written: {exc.strerror}") from None
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # make the rename itself durable
        finally:
            os.close(directory)

    def update(
        self, platform: str, login: str, change: Callable[[TokenEntry | None], TokenEntry | None]
    ) -> TokenEntry | None:
        """Apply `change` to the current entry under the writers' lock and store what it returns.

        `change` sees the entry as it is on disk *now*, so a caller can notice that another process
        already rotated the tokens; returning None deletes the entry.
        """
        with self._locked():
            entries = self._read_all()
            key = entry_key(platform, login)
            updated = change(entries.get(key))
            if updated is None:
                entries.pop(key, None)
            else:
                entries[key] = updated
            self._write_all(entries)
            return updated

    def put(self, entry: TokenEntry) -> None:
        self.update(entry.platform, entry.login, lambda _current: entry)

    def delete(self, platform: str, login: str = DEFAULT_LOGIN) -> bool:
        existed = False

        def drop(current: TokenEntry | None) -> None:
            nonlocal existed
            existed = current is not None

        self.update(platform, login, drop)
        return existed
