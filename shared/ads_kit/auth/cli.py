"""`ads-auth`: log in to a platform, show what is stored, log out.

    ads-auth login meta_ads|google_ads|tiktok_ads [--login NAME] [--client-id ID --client-secret SECRET]
                   [--authorize-url URL] [--token-url URL] [--sandbox CONNECTION_FILE] [--scopes S ...]
                   [--no-browser] [--auto-approve]
    ads-auth status
    ads-auth logout PLATFORM [--login NAME]

PLATFORM is the platform key (`meta_ads`, `google_ads`, `tiktok_ads`); the short names `meta` and
`tiktok` are accepted as aliases (`ads-auth login meta`).

The client id and secret come from the flags, else from ADS_<PLATFORM>_CLIENT_ID / _CLIENT_SECRET
(ADS_META_CLIENT_ID, ADS_GOOGLE_ADS_CLIENT_ID, ADS_TIKTOK_CLIENT_ID),
else from the sandbox connection file. Every command takes `--store PATH` (default: ADS_TOKEN_STORE or
~/.config/ads-kit/tokens.enc). Failures print one line on stderr and exit with status 1.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ads_kit.auth import grants
from ads_kit.auth.errors import AuthError
from ads_kit.auth.flow import LoginRequest, login
from ads_kit.auth.platforms import PLATFORMS, platform_oauth
from ads_kit.auth.store import DEFAULT_LOGIN, TokenEntry, TokenStore, load_cipher
from ads_kit.redaction import install_redaction, redact
from ads_kit.resilience.platforms import canonical_platform, short_platform

# Accepted on the command line: the platform keys and their short names (`meta`, `tiktok`).
_PLATFORM_CHOICES = sorted({*PLATFORMS, *(short_platform(name) for name in PLATFORMS)})


def _sandbox_platform(path: str, platform: str) -> dict[str, Any]:
    try:
        document = json.loads(Path(path).read_text())
        return dict(document["platforms"][platform])
    except OSError as exc:
        raise AuthError(f"--sandbox: cannot read connection file {path}: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError):
        raise AuthError(
            f"--sandbox: {path} is not a sandbox connection file with a {platform!r} platform"
        ) from None


def _login_request(args: argparse.Namespace) -> LoginRequest:
    platform = platform_oauth(args.platform)
    # The sandbox's connection file names its platforms by their short names (`meta`, `tiktok`).
    sandbox = _sandbox_platform(args.sandbox, short_platform(platform.name)) if args.sandbox else {}
    # Environment variables keep the short names: ADS_META_CLIENT_ID, ADS_TIKTOK_CLIENT_SECRET.
    env_prefix = f"ADS_{short_platform(platform.name).upper()}_"

    def setting(flag: str | None, key: str) -> str | None:
        return flag or os.environ.get(env_prefix + key.upper()) or sandbox.get(key)

    client_id = setting(args.client_id, "client_id")
    client_secret = setting(args.client_secret, "client_secret")
    if not client_id:
        raise AuthError(f"{platform.name}: no client id; pass --client-id or set {env_prefix}CLIENT_ID")
    if not client_secret:
        raise AuthError(
            f"{platform.name}: no client secret; pass --client-secret or set {env_prefix}CLIENT_SECRET"
        )
    return LoginRequest(
        platform=platform,
        client_id=client_id,
        client_secret=client_secret,
        authorize_url=args.authorize_url or sandbox.get("authorize_url") or platform.authorize_url,
        token_url=args.token_url or sandbox.get("token_url") or platform.token_url,
        revoke_url=sandbox.get("revoke_url") or platform.revoke_url,
        scopes=args.scopes or list(platform.required_scopes),
        login=args.login,
    )


def _browser_available() -> bool:
    # On a headless machine webbrowser would fall back to a text browser or fail silently.
    return sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def _command_login(args: argparse.Namespace) -> None:
    request = _login_request(args)
    install_redaction([request.client_secret])
    store = TokenStore(args.store, load_cipher(create_key=True))
    entry = login(
        request,
        announce=lambda text: print(text, flush=True),
        open_browser=not args.no_browser and _browser_available(),
        auto_approve=args.auto_approve,
    )
    store.put(entry)
    print(f"{entry.platform}: logged in as {entry.login!r}; {_describe(entry)}")


def _describe(entry: TokenEntry) -> str:
    if entry.expires_at is None:
        expiry = "does not expire"
    elif entry.expires_at <= time.time():
        expiry = "expired" + (" (renewable)" if entry.refresh_token else "")
    else:
        expiry = f"expires in {(entry.expires_at - time.time()) / 60:.0f} min"
    accounts = ", ".join(entry.accounts) if entry.accounts else "none listed"
    return f"accounts: {accounts}; scopes: {' '.join(entry.scopes) or 'unknown'}; token {expiry}"


def _command_status(args: argparse.Namespace) -> None:
    entries = TokenStore(args.store).entries()
    if not entries:
        print("no logins stored")
    for entry in sorted(entries, key=lambda e: e.key):
        print(f"{entry.key}: {_describe(entry)}")


def _command_logout(args: argparse.Namespace) -> None:
    store = TokenStore(args.store)
    platform = canonical_platform(args.platform)
    entry = store.get(platform, args.login)
    install_redaction([entry.access_token, entry.refresh_token, entry.client_secret])
    if entry.revoke_url:
        try:
            grants.revoke(
                platform_oauth(entry.platform),
                entry.revoke_url,
                entry.client_id,
                entry.client_secret,
                entry.refresh_token or entry.access_token,
            )
        except AuthError as exc:
            print(f"warning: {exc}; the stored login is removed anyway", file=sys.stderr)
    store.delete(platform, args.login)
    print(f"{entry.key}: logged out")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ads-auth", description="OAuth logins for the ads taps")
    parser.add_argument(
        "--store", help="token store file (default: $ADS_TOKEN_STORE or ~/.config/ads-kit/tokens.enc)"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    login_parser = commands.add_parser("login", help="authorize a platform and store its tokens")
    login_parser.add_argument("platform", choices=_PLATFORM_CHOICES)
    login_parser.add_argument(
        "--login", default=DEFAULT_LOGIN, help="name of this login (several per platform)"
    )
    login_parser.add_argument("--client-id")
    login_parser.add_argument("--client-secret")
    login_parser.add_argument("--authorize-url")
    login_parser.add_argument("--token-url")
    login_parser.add_argument("--sandbox", metavar="CONNECTION_FILE", help="log in to a running ads-sandbox")
    login_parser.add_argument("--scopes", nargs="+", help="scopes to request (default: what the tap needs)")
    login_parser.add_argument("--no-browser", action="store_true", help="only print the authorization URL")
    login_parser.add_argument(
        "--auto-approve",
        action="store_true",
        help="approve without a browser (loopback authorization servers only)",
    )
    login_parser.set_defaults(run=_command_login)

    status_parser = commands.add_parser("status", help="list stored logins (never prints tokens)")
    status_parser.set_defaults(run=_command_status)

    logout_parser = commands.add_parser("logout", help="revoke and forget a login")
    logout_parser.add_argument("platform", choices=_PLATFORM_CHOICES)
    logout_parser.add_argument("--login", default=DEFAULT_LOGIN)
    logout_parser.set_defaults(run=_command_logout)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="ads-auth: %(levelname)s: %(message)s")
    try:
        args.run(args)
    except AuthError as exc:
        print(f"ads-auth: error: {redact(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ads-auth: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
