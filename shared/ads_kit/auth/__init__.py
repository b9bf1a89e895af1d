"""OAuth2 logins (`ads-auth`), the encrypted token store and the token provider the taps call."""

from ads_kit.auth.errors import AuthError, MissingScopes, ReauthenticationRequired, TokenStoreError
from ads_kit.auth.provider import TokenProvider
from ads_kit.auth.store import TokenEntry, TokenStore

__all__ = [
    "AuthError",
    "MissingScopes",
    "ReauthenticationRequired",
    "TokenEntry",
    "TokenProvider",
    "TokenStore",
    "TokenStoreError",
]
