"""Errors of the auth package; each renders as one line that names what to fix and holds no secret."""

from __future__ import annotations


class AuthError(Exception):
    """A login, token or token-store problem the user can act on."""


class TokenStoreError(AuthError):
    """The token store cannot be read, written or decrypted."""


class MissingScopes(AuthError):
    def __init__(self, platform: str, missing: list[str]) -> None:
        self.platform = platform
        self.missing = missing
        super().__init__(
            f"{platform}: the grant lacks the scopes {', '.join(missing)}; "
            f"run `ads-auth login {platform}` again and approve them"
        )


class ReauthenticationRequired(AuthError):
    """The platform no longer accepts the stored grant; only a new login helps."""

    def __init__(self, platform: str, account: str | None = None, login: str | None = None) -> None:
        self.platform = platform
        self.account = account
        subject = f"access for account {account}" if account else "access"
        command = f"ads-auth login {platform}" + (f" --login {login}" if login else "")
        super().__init__(f"{platform}: {subject} was revoked or expired; run `{command}` again")
