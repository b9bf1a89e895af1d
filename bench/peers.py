"""Public Meta taps as real clients of the sandbox: each runs unmodified, only its Graph host redirected.

    python -m bench peers [--days 3] [--peers-dir DIR] [--peer NAME]

Each peer is installed in a venv of its own (they pin old dependencies) under `--peers-dir`
(default `.peers/`, ignored by git) with the project's uv, then discovered, given a catalog that
selects its object streams and its daily ad-level insights streams (every field of their schemas),
and synced against a sandbox that follows the real clock (the peers read `today` from it). Requests
to `https://graph.facebook.com` are sent to the sandbox by a `sitecustomize` on the peer's path that
rewrites the URL in requests' transport adapter: the peer's code and its SDK stay as published.

Each insights stream's rows (upserted by the keys the peer declares) are summed per campaign and day
and compared with the world's `campaign_day` (impressions, clicks, spend in the account currency)
for every day before the account's today; a row of a day the peer did not ask for is a difference.
A stream left out (`not_read`) is the peer's own fault: it is synced alone and must fail with the
error named. Prints one block per peer; exits 1 when a peer fails, a figure differs or a left-out
stream does not fail as stated.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.process import running_sandbox
from ads_kit.sandbox.world import World

ROOT = Path(__file__).resolve().parent.parent
UV = Path(sys.executable).with_name("uv")
GRAPH_HOST = "https://graph.facebook.com"


def redirect_module(hosts: tuple[str, ...], variable: str) -> str:
    """A `sitecustomize` that sends a peer's requests to `hosts` to the URL in `$variable` instead,
    by rewriting the URL in requests' transport adapter: the peer and its SDK stay as published."""
    return f'''\
"""Send the peer's API requests to the sandbox (bench/peers.py); nothing else changes."""
import os

_BASE = os.environ.get("{variable}")
_HOSTS = {hosts!r}
if _BASE:
    import requests.adapters

    _send = requests.adapters.HTTPAdapter.send

    def _redirected(self, request, *args, **kwargs):
        for host in _HOSTS:
            if request.url.startswith(host):
                request.url = _BASE.rstrip("/") + request.url[len(host):]
        return _send(self, request, *args, **kwargs)

    requests.adapters.HTTPAdapter.send = _redirected
'''


SITECUSTOMIZE = redirect_module((GRAPH_HOST,), "PEER_GRAPH_BASE_URL")
Key = tuple[str, str]  # (campaign_id, day)
Row = tuple[str, str, int, int, Decimal]  # (campaign_id, day, impressions, clicks, spend)


@dataclass
class Peer:
    name: str
    requirement: str
    config: Callable[[dict[str, Any], str, date, date], dict[str, Any]]
    streams: tuple[str, ...]  # selected object streams
    insights: tuple[str, ...]  # selected daily ad-level insights streams (any breakdown)
    sync_flag: str  # how the peer takes its catalog
    # Streams left out: why, and what the peer's own run of the stream must fail with (checked).
    not_read: dict[str, tuple[str, str]] = field(default_factory=dict)


def _singer_io_config(meta: dict[str, Any], account: str, start: date, end: date) -> dict[str, Any]:
    # insights_buffer_days 1: one job per day from the day before start_date (the peer's own loop).
    return {
        "account_id": account,
        "access_token": meta["access_token"],
        "start_date": f"{start.isoformat()}T00:00:00Z",
        "end_date": f"{end.isoformat()}T00:00:00Z",
        "insights_buffer_days": 1,
    }


def _meltanolabs_config(meta: dict[str, Any], account: str, start: date, end: date) -> dict[str, Any]:
    # api_version: the peer's default (v22.0) expired on 2026-02-19. v25.0, not v26.0: the peer's pinned
    # client (facebook-business 21) lists marketing_messages_website_purchase_values, which v26 dropped.
    return {
        "account_id": account,
        "access_token": meta["access_token"],
        "api_version": "v25.0",
        "start_date": f"{start.isoformat()}T00:00:00Z",
        "end_date": end.isoformat(),
    }


PEERS = {
    "singer-io": Peer(
        "singer-io tap-facebook",
        "tap-facebook==1.26.*",
        _singer_io_config,
        ("campaigns", "adsets", "ads", "adcreative"),
        (
            "ads_insights",
            "ads_insights_age_and_gender",
            "ads_insights_country",
            "ads_insights_platform_and_device",
            "ads_insights_region",
            "ads_insights_comscore_market",
            "ads_insights_hourly_advertiser",
        ),
        "--properties",  # it no longer discovers ads_insights_dma: Meta removed DMA on 2026-06-22
    ),
    "meltanolabs": Peer(
        "MeltanoLabs tap-facebook",
        "meltano-tap-facebook",
        _meltanolabs_config,
        (
            "campaigns",
            "adsets",
            "ads",
            "customaudiences",
            "customconversions",
            "adimages",
            "adlabels",
        ),
        ("adsinsights_default",),
        "--catalog",
        {
            "adaccounts": (
                "the peer asks for 37 flattened sub-fields (agency_client_declaration_client_city, "
                "business_manager_name …) that facebook-business 21 and 26 do not list for AdAccount",
                "on node type (AdAccount)",
            ),
            "creatives": (
                "the peer asks for effective_instagram_story_id, instagram_actor_id and instagram_story_id, "
                "which facebook-business 25 and 26 no longer list",
                "on node type (AdCreative)",
            ),
            "videos": (
                "the peer asks for account_id, from_object, status_processing_progress and status_value, "
                "which facebook-business 21, 25 and 26 do not list for AdVideo",
                "on node type (AdVideo)",
            ),
        },
    ),
}


@dataclass
class PeerRun:
    peer: Peer
    version: str = ""
    records: dict[str, int] = field(default_factory=dict)
    # insights stream -> the peer's key of a row -> (campaign_id, day, impressions, clicks, spend)
    rows: dict[str, dict[tuple[Any, ...], Row]] = field(default_factory=lambda: defaultdict(dict))
    failure: str = ""
    confirmed: dict[str, bool] = field(default_factory=dict)  # not-read stream -> its failure as stated
    mismatches: list[str] = field(default_factory=list)
    compared: int = 0


def install(
    peer: Peer,
    home: Path,
    executable: str = "tap-facebook",
    redirect: str = SITECUSTOMIZE,
    site_name: str = "redirect",
) -> Path:
    """The peer's own venv under `home` (made once), and its `sitecustomize` in `home/site_name`."""
    venv = home / peer.requirement.split("=")[0]
    if not (venv / "bin" / executable).exists():
        subprocess.run([str(UV), "venv", "-q", str(venv)], check=True)
        env = {**os.environ, "VIRTUAL_ENV": str(venv)}
        subprocess.run([str(UV), "pip", "install", "-q", peer.requirement], check=True, env=env)
    site = home / site_name
    site.mkdir(parents=True, exist_ok=True)
    (site / "sitecustomize.py").write_text(redirect)
    return venv


def installed_version(venv: Path, requirement: str) -> str:
    name = requirement.split("=")[0]
    out = subprocess.run(
        [str(UV), "pip", "show", name],
        capture_output=True,
        text=True,
        env={**os.environ, "VIRTUAL_ENV": str(venv)},
    ).stdout
    versions = (line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Version"))
    return next(versions, "?")


def select(catalog: dict[str, Any], streams: tuple[str, ...]) -> dict[str, Any]:
    """The discovered catalog with `streams` and every one of their properties selected."""
    for entry in catalog["streams"]:
        chosen = entry["tap_stream_id"] in streams or entry.get("stream") in streams
        for item in entry["metadata"]:
            item["metadata"]["selected"] = chosen
    return catalog


def run_peer(peer: Peer, venv: Path, home: Path, sandbox: SandboxClient, start: date, end: date) -> PeerRun:
    result = PeerRun(peer, installed_version(venv, peer.requirement))
    meta = sandbox.platform("meta")
    account = meta["accounts"][0]
    env = {
        **os.environ,
        "PEER_GRAPH_BASE_URL": meta["base_url"],
        "PYTHONPATH": str(home / "redirect"),
        "VIRTUAL_ENV": str(venv),
    }
    tap = str(venv / "bin" / "tap-facebook")
    with tempfile.TemporaryDirectory(prefix="peer-") as work:
        config = Path(work) / "config.json"
        config.write_text(json.dumps(peer.config(meta, account, start, end)))
        discover = [tap, "--config", str(config), "--discover"]
        discovered = subprocess.run(discover, capture_output=True, env=env)
        if discovered.returncode:
            result.failure = "discovery: " + _last_lines(discovered.stderr)
            return result
        catalog = Path(work) / "catalog.json"
        catalog.write_text(json.dumps(select(json.loads(discovered.stdout), peer.streams + peer.insights)))
        synced = subprocess.run(
            [tap, "--config", str(config), peer.sync_flag, str(catalog)], capture_output=True, env=env
        )
        (Path(home) / f"{peer.requirement.split('=')[0]}.stderr.log").write_bytes(synced.stderr)
        read(result, synced.stdout.splitlines())
        if synced.returncode:
            result.failure = "sync: " + _last_lines(synced.stderr)
        for stream, (_, says) in peer.not_read.items():
            catalog.write_text(json.dumps(select(json.loads(discovered.stdout), (stream,))))
            alone = subprocess.run(
                [tap, "--config", str(config), peer.sync_flag, str(catalog)], capture_output=True, env=env
            )
            result.confirmed[stream] = alone.returncode != 0 and says in alone.stderr.decode(errors="replace")
    return result


def insights_row(row: dict[str, Any]) -> Row:
    """A Meta insights record as (campaign_id, day, impressions, clicks, spend)."""
    return (
        row["campaign_id"],
        row["date_start"][:10],
        int(row.get("impressions") or 0),
        int(row.get("clicks") or 0),
        Decimal(str(row.get("spend") or 0)),
    )


def read(result: PeerRun, lines: list[bytes], row_of: Callable[[dict[str, Any]], Row] = insights_row) -> None:
    """Count the peer's records; keep its insights rows by the keys it declares (a later row of the
    same key wins, as a target would upsert it: the peers read some days twice)."""
    keys: dict[str, list[str]] = {}
    for line in lines:
        message = json.loads(line)
        stream = message.get("stream", "")
        if message["type"] == "SCHEMA":
            keys[stream] = message.get("key_properties") or []
        if message["type"] != "RECORD":
            continue
        result.records[stream] = result.records.get(stream, 0) + 1
        if stream in result.peer.insights:
            row = message["record"]
            result.rows[stream][tuple(str(row.get(name)) for name in keys[stream])] = row_of(row)


def _last_lines(stderr: bytes, count: int = 3) -> str:
    lines = [line for line in stderr.decode(errors="replace").splitlines() if line.strip()]
    return " | ".join(lines[-count:])


def compare(result: PeerRun, world: World, account_id: str, start: date) -> None:
    """Each insights stream's campaign-day sums against the world, for every finished day read."""
    account = world.account(account_id)
    last = world.account_today(account) - timedelta(days=1)
    # Each peer asks from the day before start (a buffer or lookback) to the day after today at most.
    window = (start - timedelta(days=1)).isoformat(), (last + timedelta(days=2)).isoformat()
    for stream in result.peer.insights:
        outside = sorted(
            {row[1] for row in result.rows[stream].values() if not window[0] <= row[1] <= window[1]}
        )
        if outside:
            result.mismatches.append(
                f"{stream}: rows of days the peer did not ask for: {outside[0]}…{outside[-1]}"
            )
        sums: dict[Key, tuple[int, int, Decimal]] = {}
        for campaign_id, row_day, impressions, clicks, spend in result.rows[stream].values():
            before = sums.get((campaign_id, row_day), (0, 0, Decimal(0)))
            sums[(campaign_id, row_day)] = (before[0] + impressions, before[1] + clicks, before[2] + spend)
        day = start
        while day <= last:
            for campaign in world.campaigns(account.id):
                truth = world.campaign_day(campaign, day)
                expected = None
                if truth and truth.impressions:
                    spend = Decimal(truth.spend_minor).scaleb(-account.currency_exponent)
                    expected = (truth.impressions, truth.clicks, spend)
                actual = sums.get((campaign.id, day.isoformat()))
                result.compared += 1
                if actual != expected:
                    result.mismatches.append(f"{stream} {campaign.id} {day}: peer {actual}, world {expected}")
            day += timedelta(days=1)


def report(result: PeerRun) -> bool:
    confirmed = all(result.confirmed.values())
    ok = not result.failure and not result.mismatches and result.compared > 0 and confirmed
    print(f"{result.peer.name} {result.version}: {'OK' if ok else 'FAILED'}")
    print(f"  records: {json.dumps(result.records, sort_keys=True)}")
    rows = {stream: len(rows) for stream, rows in result.rows.items()}
    print(f"  insights rows after upserts: {json.dumps(rows, sort_keys=True)}")
    print(f"  campaign-days compared with the world: {result.compared}, differing: {len(result.mismatches)}")
    for line in result.mismatches[:5]:
        print(f"    {line}")
    if result.failure:
        print(f"  failure: {result.failure}")
    for stream, (why, says) in result.peer.not_read.items():
        seen = (
            "its run fails so" if result.confirmed.get(stream) else f"NOT confirmed: no failure with {says!r}"
        )
        print(f"  not read: {stream}: {why} ({seen})")
    return ok


def peer_parser(name: str, doc: str) -> argparse.ArgumentParser:
    """The options every peers bench takes: the days to read and where the peer venvs live."""
    parser = argparse.ArgumentParser(prog=f"python -m bench {name}", description=doc.split("\n")[0])
    parser.add_argument("--days", type=int, default=3, help="finished days to read (default 3)")
    parser.add_argument("--peers-dir", type=Path, default=ROOT / ".peers", help="where the peer venvs live")
    return parser


def peers_home(args: argparse.Namespace) -> Path:
    home: Path = args.peers_dir.resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def main(argv: list[str]) -> int:
    parser = peer_parser("peers", __doc__ or "")
    parser.add_argument("--peer", choices=sorted(PEERS), action="append", help="run only these peers")
    args = parser.parse_args(argv)
    home = peers_home(args)
    peers = [PEERS[name] for name in args.peer or PEERS]
    venvs = {peer.name: install(peer, home) for peer in peers}
    # A job is done at its first status read (the peers sleep 5-10 s between reads otherwise). Meta's
    # quotas are hourly business-use-case windows; the sandbox's default per-second burst is its own
    # assumption, which singer-io overruns on an idle machine and does not retry (#80000 on a result
    # page ends its sync), so this run keeps hourly windows only.
    limits = {"meta": {"app": ["200000/hour"], "account": ["50000/hour"]}}
    settings = {"meta_job_seconds": 0, "limits": limits}
    with running_sandbox(accounts_per_platform=1, settings=settings) as sandbox:
        world = sandbox.world()
        account = world.account(sandbox.platform("meta")["accounts"][0])
        end = world.account_today(account)
        start = end - timedelta(days=args.days)
        results = [run_peer(peer, venvs[peer.name], home, sandbox, start, end) for peer in peers]
        world = sandbox.world()
        ok = True
        for result in results:
            compare(result, world, account.id, start)
            ok = report(result) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
