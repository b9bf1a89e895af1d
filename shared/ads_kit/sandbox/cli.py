"""`ads-sandbox`: run the emulators of Meta, Google Ads and TikTok on loopback, or describe a world."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shlex
import signal
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from ads_kit import clock
from ads_kit.extras import missing_extra_line
from ads_kit.sandbox.config import CORE_SETTINGS_SCHEMA, SettingsError, load_settings_arg
from ads_kit.sandbox.world import World

ENV_WAIT_S = 30.0
"""How long `env` waits for a sandbox still starting (started in the background just before)."""

log = logging.getLogger("ads_kit.sandbox")


def _instant(text: str) -> datetime:
    try:
        return clock.parse_instant(text)
    except clock.ClockError:
        raise argparse.ArgumentTypeError(
            f"--now must be an ISO-8601 instant like 2026-11-25T15:30:00Z, got {text!r}"
        ) from None


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"must be a JSON object: {exc.msg}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"must be a JSON object, got {text!r}")
    return value


def _positive(kind: type) -> Any:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or value <= 0:
            raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
        return value

    return parse


def _world_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seed", type=int, required=True, help="seed of the synthetic world (same seed, same data)"
    )
    parser.add_argument(
        "--scale", type=_positive(float), default=1.0, help="multiplies campaigns per account (1)"
    )
    parser.add_argument(
        "--now",
        type=_instant,
        help="pin the world's instant, ISO-8601 with an offset (default: the real clock, moving)",
    )
    parser.add_argument("--history-days", type=_positive(int), default=400, help="days of history (400)")
    parser.add_argument("--ads-per-account", type=_positive(int), help="exact number of ads per account")
    parser.add_argument(
        "--accounts-per-platform", type=_positive(int), default=3, help="accounts per platform (3)"
    )
    parser.add_argument(
        "--account-ids",
        type=_json_object,
        help='name the accounts of some platforms, JSON: {"meta": ["123456"], "google_ads": ["1234567890"]}',
    )


class _OneLineParser(argparse.ArgumentParser):
    """Bad arguments get one line naming the argument, not the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="ads-sandbox",
        description="Local emulators of the Meta, Google Ads and TikTok APIs over one deterministic world.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="serve every emulator on loopback until SIGINT/SIGTERM",
        description="Serve every emulator on 127.0.0.1 (one port per platform plus a control port) until "
        "SIGINT or SIGTERM. Once every port listens, PATH receives the connection file (JSON: control_url, "
        "tls_cert and per platform base_url, api_version, client_id/secret, access/refresh tokens, "
        "OAuth URLs, scopes, accounts); it is removed on exit.",
    )
    _world_arguments(serve)
    serve.add_argument(
        "--connection-file", type=Path, required=True, help="where to write the connection JSON"
    )
    serve.add_argument(
        "--settings",
        help="initial settings as JSON or @file; core keys: "
        + ", ".join(sorted(CORE_SETTINGS_SCHEMA))
        + " (emulators add their own)",
    )
    env = commands.add_parser(
        "env",
        help="print shell exports of a running sandbox for meltano's `sandbox` environment",
        description="Print `export ADS_SANDBOX_...=...` lines for a running sandbox; use as "
        '`eval "$(ads-sandbox env --connection-file PATH)"` before `meltano --environment=sandbox run ...`.',
    )
    env.add_argument("--connection-file", type=Path, required=True, help="the file `serve` wrote")
    env.add_argument(
        "--wait",
        type=float,
        default=ENV_WAIT_S,
        metavar="SECONDS",
        help=f"how long to wait for a sandbox still starting to write the file ({ENV_WAIT_S:g})",
    )
    world = commands.add_parser(
        "world", help="print the accounts of a world", description="Summarise a world."
    )
    _world_arguments(world)
    return parser


def _make_world(args: argparse.Namespace) -> World:
    return World(
        args.seed,
        args.scale,
        args.now,
        args.history_days,
        ads_per_account=args.ads_per_account,
        accounts_per_platform=args.accounts_per_platform,
        account_ids=args.account_ids,
    )


def _print_world(world: World) -> None:
    print(f"seed {world.seed}, now {world.now.isoformat()}, {world.history_days} days of history")
    for account in world.accounts():
        print(
            f"{account.platform:<11} {account.id:<20} {account.currency} {account.timezone:<20} "
            f"{len(world.campaigns(account.id))} campaigns, {len(world.ad_groups(account.id))} ad groups, "
            f"{len(world.ads(account.id))} ads  {account.name}, today {world.account_today(account)}"
        )


async def _serve(world: World, settings: dict[str, Any], connection_file: Path) -> None:
    from ads_kit.sandbox.server import Sandbox

    with tempfile.TemporaryDirectory(prefix="ads-sandbox-") as workdir:
        sandbox = Sandbox(world, settings, workdir=Path(workdir))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        connection = await sandbox.start()
        try:
            _write_atomically(connection_file, json.dumps(connection, indent=2))
            log.info("sandbox listening; connection file %s", connection_file)
            await stop.wait()
        finally:
            connection_file.unlink(missing_ok=True)
            await sandbox.stop()


def _write_atomically(path: Path, text: str) -> None:
    """Readers polling for the file never see it half written: write a sibling, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(temp, path)


def _print_environment(connection_file: Path, wait_s: float) -> int:
    from requests import RequestException

    from ads_kit.sandbox.client import SandboxClient, SandboxError

    # `serve ... &` then `env` at once (the README's order): the sandbox writes the file only once
    # every port listens, a second or so later.
    deadline = time.monotonic() + wait_s
    while not connection_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        environment = SandboxClient(connection_file).tap_environment()
    except (OSError, ValueError, SandboxError, RequestException) as exc:
        print(f"ads-sandbox: error: cannot read sandbox {connection_file}: {exc}", file=sys.stderr)
        return 2
    for name, value in sorted(environment.items()):
        print(f"export {name}={shlex.quote(value)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "env":
        return _print_environment(args.connection_file, args.wait)
    try:
        world = _make_world(args)
        if args.command == "world":
            _print_world(world)
            return 0
        settings = load_settings_arg(args.settings) if args.settings else {}
        asyncio.run(_serve(world, settings, args.connection_file))
    except (SettingsError, ValueError) as exc:
        print(f"ads-sandbox: error: {exc}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:  # `serve` without the sandbox extra (aiohttp)
        line = missing_extra_line("ads-sandbox", exc)
        if line is None:
            raise
        print(line, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
