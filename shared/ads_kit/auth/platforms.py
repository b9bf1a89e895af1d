"""OAuth facts of the three platforms (endpoints, scopes, how tokens are renewed).

Sources: Meta Graph login flow (code exchange by GET, long-lived tokens renewed with
`grant_type=fb_exchange_token`, no refresh tokens), Google OAuth 2.0 for installed apps (PKCE S256,
`access_type=offline` for a refresh token), TikTok Marketing API (`auth_code` exchanged with a JSON POST
to `oauth2/access_token/`, long-lived tokens without refresh, no PKCE).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from ads_kit.auth.errors import AuthError
from ads_kit.resilience.platforms import canonical_platform


class Renewal(Enum):
    REFRESH_TOKEN = "refresh_token"  # RFC 6749 refresh grant (Google)
    EXCHANGE_TOKEN = "fb_exchange_token"  # swap a still-valid token for a fresh long-lived one (Meta)
    NONE = "none"  # tokens live until revoked (TikTok)


@dataclass(frozen=True)
class PlatformOAuth:
    name: str
    authorize_url: str
    token_url: str
    revoke_url: str | None
    # Scopes the tap needs to read everything it extracts; a grant without one of them is refused.
    required_scopes: tuple[str, ...]
    uses_pkce: bool
    renewal: Renewal
    extra_authorize_params: dict[str, str] = field(default_factory=dict)


META_API_VERSION = "v26.0"

PLATFORMS: dict[str, PlatformOAuth] = {
    "meta_ads": PlatformOAuth(
        name="meta_ads",
        authorize_url=f"https://www.facebook.com/{META_API_VERSION}/dialog/oauth",
        token_url=f"https://graph.facebook.com/{META_API_VERSION}/oauth/access_token",
        # Graph has no RFC 7009 endpoint: DELETE /me/permissions withdraws the app's access.
        revoke_url=f"https://graph.facebook.com/{META_API_VERSION}/me/permissions",
        required_scopes=("ads_read", "business_management"),
        uses_pkce=True,
        renewal=Renewal.EXCHANGE_TOKEN,
    ),
    "google_ads": PlatformOAuth(
        name="google_ads",
        authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
        token_url="https://oauth2.googleapis.com/token",
        revoke_url="https://oauth2.googleapis.com/revoke",
        required_scopes=("https://www.googleapis.com/auth/adwords",),
        uses_pkce=True,
        renewal=Renewal.REFRESH_TOKEN,
        # offline: without it Google issues no refresh token; consent: re-issue one on every login.
        extra_authorize_params={"access_type": "offline", "prompt": "consent"},
    ),
    "tiktok_ads": PlatformOAuth(
        name="tiktok_ads",
        authorize_url="https://business-api.tiktok.com/portal/auth",
        token_url="https://business-api.tiktok.com/open_api/v1.3/oauth2/access_token/",
        revoke_url="https://business-api.tiktok.com/open_api/v1.3/oauth2/revoke_token/",
        # 4 Reporting, 100 ad account information, 200/210/220 campaigns, ad groups, ads.
        required_scopes=("4", "100", "200", "210", "220"),
        uses_pkce=False,
        renewal=Renewal.NONE,
    ),
}


def platform_oauth(name: str) -> PlatformOAuth:
    """The OAuth facts of a platform, by its key (``meta_ads``); the short names (``meta``, as in
    ``ads-auth login meta``) are accepted as aliases."""
    try:
        return PLATFORMS[canonical_platform(name)]
    except KeyError:
        raise AuthError(f"unknown platform {name!r}; expected one of {', '.join(PLATFORMS)}") from None
