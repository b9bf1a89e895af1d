"""Public Google Ads taps as real clients of the sandbox: each runs unmodified, only its endpoints redirected.

    python -m bench peers_google [--days 3] [--peers-dir DIR] [--peer NAME] [--source NAME=SPEC]

The peers the reference names (§7): MeltanoLabs tap-googleads 0.9.0 (singer-sdk REST, `url_base`
`https://googleads.googleapis.com/v21`) and singer-io tap-google-ads 2.0.0 (the google-ads 27.0.0
library over gRPC, API v20). Neither is on a package registry, so each is installed from a source
(`--source NAME=SPEC`: a pip requirement, by default the public git URL at the release tag; a local
directory exported from a mirror works too) into a venv of its own under `--peers-dir` (default
`.peers/`, ignored by git; a venv is rebuilt when its source changes).

A `sitecustomize` on the peer's path redirects, and changes nothing else: REST requests to
`https://googleads.googleapis.com` go to the sandbox's REST base, token refreshes (Google's three
token URLs) to its token endpoint, and gRPC channels to `googleads.googleapis.com` to its gRPC
endpoint, trusted through `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH` = the sandbox's certificate (as the
project's meltano.yml does).

Both peers hard-code an API version Google has sunset (v21 on 2026-08-05, v20 on 2026-06-10; §1.2), so
as published their first call is refused: the bench shows Google's answer to that version
(RequestError.UNSUPPORTED_VERSION) and checks the peer's calls got it, the peer's own fault. A second
run rewrites only that version to the newest one (v26) in URLs and gRPC method paths. Both then stop
building their schemas on a field Google removed since (`ad.call_ad.*` in v23, `metrics.video_views`
and `metrics.average_cpv` in v22; §1.3), again their own fault, checked: the field is not in v26. A
third run also answers, in the field service's reply, the removed fields the peer asks for (a plain
STRING entry, a removed metric listed with the resources that take metrics), so its discovery
completes; its report asks only for live fields. Its daily campaign report (upserted by the keys
the peer declares) is summed per campaign and day and compared with the world's `campaign_day`
(impressions, clicks, cost in the account currency; bench/peers.py's comparison). A live field the
peer looks up and the sandbox's catalog does not list where Google does is an EMULATOR GAP. Prints
one block per peer; exits 1 on an emulator gap, an unexplained failure or a figure that differs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.google_ads.catalog import catalog
from ads_kit.sandbox.google_ads.protos import LATEST
from ads_kit.sandbox.process import running_sandbox
from bench.peers import (
    UV,
    Peer,
    PeerRun,
    Row,
    _last_lines,
    compare,
    installed_version,
    peer_parser,
    peers_home,
    read,
)

API_HOST = "https://googleads.googleapis.com"
GRPC_HOST = "googleads.googleapis.com"
TOKEN_URLS = (
    "https://www.googleapis.com/oauth2/v4/token",  # MeltanoLabs
    "https://accounts.google.com/o/oauth2/token",  # the google-ads library's default
    "https://oauth2.googleapis.com/token",
)
SITECUSTOMIZE = f'''\
\"\"\"Send the peer's Google requests to the sandbox (bench/peers_google.py); nothing else changes
unless the bench says so (PEER_GOOGLE_VERSION_REWRITE, PEER_GOOGLE_REMOVED_FIELDS).\"\"\"
import json
import os
import re

_API = os.environ.get("PEER_GOOGLE_API_BASE_URL")
_TOKEN = os.environ.get("PEER_GOOGLE_TOKEN_URL")
_GRPC = os.environ.get("PEER_GOOGLE_GRPC_ENDPOINT")
# "v21>v26": the API version in URLs and gRPC method paths rewritten.
_FROM, _, _TO = os.environ.get("PEER_GOOGLE_VERSION_REWRITE", "").partition(">")
# Fields Google removed: the field service's answer gains a plain entry for each one the peer asks
# for by name and does not get ("*": any), or for each listed when it asks for the whole catalog;
# the names answered so are appended to PEER_GOOGLE_ANSWERED_LOG for the bench to check.
_REMOVED = [n for n in os.environ.get("PEER_GOOGLE_REMOVED_FIELDS", "").split(",") if n]
_LOG = os.environ.get("PEER_GOOGLE_ANSWERED_LOG")
_CATEGORY = {{"metrics": "METRIC", "segments": "SEGMENT"}}
_NUMBERS = {{"RESOURCE": 2, "ATTRIBUTE": 3, "SEGMENT": 5, "METRIC": 6}}  # GoogleAdsFieldCategory


def _category(name):
    return _CATEGORY.get(name.split(".", 1)[0], "ATTRIBUTE")


def _missing(query, present):
    asked = re.findall(r"'([a-z0-9_.]+)'", query or "")
    wanted = [n for n in (asked or _REMOVED) if "*" in _REMOVED or n in _REMOVED]
    names = [n for n in wanted if n != "*" and n not in present]
    if names and _LOG:
        with open(_LOG, "a") as log:
            log.writelines(n + "\\n" for n in names)
    return names


if _API:
    import requests.adapters

    _send = requests.adapters.HTTPAdapter.send

    def _redirected(self, request, *args, **kwargs):
        url = request.url
        if url.startswith("{API_HOST}/"):
            path = url[len("{API_HOST}"):]
            if _FROM:
                path = path.replace("/" + _FROM + "/", "/" + _TO + "/", 1)
            request.url = _API.rstrip("/") + path
        for token_url in {TOKEN_URLS!r}:
            if url.startswith(token_url):
                request.url = _TOKEN + url[len(token_url):]
        response = _send(self, request, *args, **kwargs)
        if _REMOVED and response.ok and request.url.split("?")[0].endswith("/googleAdsFields:search"):
            body = response.json()
            results = body.setdefault("results", [])
            query = json.loads(request.body or "{{}}").get("query", "")
            for name in _missing(query, {{r.get("name") for r in results}}):
                results.append({{
                    "resourceName": "googleAdsFields/" + name, "name": name, "category": _category(name),
                    "dataType": "STRING", "selectable": True, "filterable": True, "isRepeated": False,
                }})
            response._content = json.dumps(body).encode()
        return response

    requests.adapters.HTTPAdapter.send = _redirected

if _GRPC:
    import collections

    import grpc

    _Details = collections.namedtuple(
        "_Details", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")
    )

    class _Answered:
        \"\"\"The call, its response amended.\"\"\"

        def __init__(self, call, response):
            self._call, self._response = call, response

        def result(self, timeout=None):
            return self._response

        def __getattr__(self, name):
            return getattr(self._call, name)

    class _Rewrite(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
        def _details(self, details):
            method = details.method
            if _FROM:
                method = method.replace(".googleads." + _FROM + ".", ".googleads." + _TO + ".", 1)
            return _Details(
                method,
                details.timeout,
                details.metadata,
                details.credentials,
                getattr(details, "wait_for_ready", None),
                getattr(details, "compression", None),
            )

        def intercept_unary_unary(self, continuation, details, request):
            call = continuation(self._details(details), request)
            if not (_REMOVED and details.method.endswith("/SearchGoogleAdsFields")) or call.exception():
                return call
            response = call.result()
            message = type(response).pb(response) if hasattr(type(response), "pb") else response
            raw = type(request).pb(request) if hasattr(type(request), "pb") else request
            missing = _missing(raw.query, {{f.name for f in message.results}})
            # a removed metric went with the resources that take metrics (the peer reads its own
            # report fields among its resource's metrics)
            metrics = [n for n in missing if _category(n) == "METRIC"]
            for resource in message.results:
                if resource.category == _NUMBERS["RESOURCE"] and len(resource.metrics):
                    resource.metrics.extend(metrics)
            for name in missing:
                message.results.add(
                    resource_name="googleAdsFields/" + name,
                    name=name,
                    category=_NUMBERS[_category(name)],
                    data_type=11,  # STRING
                    selectable=True,
                    filterable=True,
                )
            return _Answered(call, response)

        def intercept_unary_stream(self, continuation, details, request):
            return continuation(self._details(details), request)

    _secure_channel = grpc.secure_channel

    def _redirected_channel(target, credentials, *args, **kwargs):
        if not target.startswith("{GRPC_HOST}"):
            return _secure_channel(target, credentials, *args, **kwargs)
        channel = _secure_channel(_GRPC, credentials, *args, **kwargs)
        return grpc.intercept_channel(channel, _Rewrite()) if _FROM or _REMOVED else channel

    grpc.secure_channel = _redirected_channel
'''


def _micros(value: Any) -> Decimal:
    return Decimal(int(value or 0)).scaleb(-6)


def _meltanolabs_config(google: dict[str, Any], start: date, end: date) -> dict[str, Any]:
    return {
        "oauth_credentials": {
            "client_id": google["client_id"],
            "client_secret": google["client_secret"],
            "refresh_token": google["refresh_token"],
        },
        "developer_token": google["developer_token"],
        "login_customer_id": google["login_customer_id"],
        "customer_ids": [google["accounts"][0]],
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
    }


def _meltanolabs_row(row: dict[str, Any]) -> Row:
    # campaign_performance selects campaign.resource_name, not campaign.id: customers/C/campaigns/ID.
    campaign = row.get("campaign") or {}
    name = campaign.get("resourceName") or row.get("campaign__resourceName") or ""
    metrics = row.get("metrics") or {}
    return (
        name.rsplit("/", 1)[-1],
        (row.get("segments") or {}).get("date") or row.get("segments__date") or "",
        int(metrics.get("impressions") or row.get("metrics__impressions") or 0),
        int(metrics.get("clicks") or row.get("metrics__clicks") or 0),
        _micros(metrics.get("costMicros") or row.get("metrics__costMicros")),
    )


def _singer_io_config(google: dict[str, Any], start: date, end: date) -> dict[str, Any]:
    account = google["accounts"][0]
    return {
        "oauth_client_id": google["client_id"],
        "oauth_client_secret": google["client_secret"],
        "refresh_token": google["refresh_token"],
        "developer_token": google["developer_token"],
        "customer_ids": account,
        "login_customer_ids": [{"customerId": account, "loginCustomerId": google["login_customer_id"]}],
        "start_date": f"{start.isoformat()}T00:00:00Z",
        "end_date": f"{end.isoformat()}T00:00:00Z",
    }


def _singer_io_row(row: dict[str, Any]) -> Row:
    return (
        str(row.get("campaign_id")),
        str(row.get("date") or "")[:10],
        int(row.get("impressions") or 0),
        int(row.get("clicks") or 0),
        _micros(row.get("cost_micros")),
    )


@dataclass(frozen=True)
class GooglePeer:
    key: str
    name: str
    package: str  # its distribution and executable name
    source: str  # default install source: the public git URL at the release tag
    version: str  # the API version it hard-codes
    config: Callable[[dict[str, Any], date, date], dict[str, Any]]
    report: str  # its daily campaign report, compared with the world
    row_of: Callable[[dict[str, Any]], Row]
    sync_flag: str
    # the report's fields to select (None: the whole stream); singer-io builds its query from them
    fields: tuple[str, ...] | None = None
    # the module holding its field lists, for a peer that asks for the whole catalog (no names)
    field_module: str = ""


PEERS = {
    "meltanolabs": GooglePeer(
        "meltanolabs",
        "MeltanoLabs tap-googleads",
        "tap-googleads",
        "git+https://github.com/MeltanoLabs/tap-googleads@v0.9.0",
        "v21",
        _meltanolabs_config,
        "campaign_performance",
        _meltanolabs_row,
        "--catalog",
    ),
    "singer-io": GooglePeer(
        "singer-io",
        "singer-io tap-google-ads",
        "tap-google-ads",
        "git+https://github.com/singer-io/tap-google-ads@v2.0.0",
        "v20",
        _singer_io_config,
        "campaign_performance_report",
        _singer_io_row,
        "--catalog",
        ("campaign_id", "date", "impressions", "clicks", "cost_micros"),
        "tap_google_ads.report_definitions",
    ),
}


@dataclass
class Outcome:
    """One sync of a peer: as published, or with only its API version rewritten."""

    title: str
    rewrite: str  # "v21>v26", "" as published
    run: PeerRun
    removed: tuple[str, ...] = ()  # fields the field service also answers (PEER_GOOGLE_REMOVED_FIELDS)
    answered: list[str] = field(default_factory=list)  # the removed fields the peer asked for
    requests: list[str] = field(default_factory=list)  # the sandbox's log: route and status per call
    returncode: int = 0
    stderr: str = ""


def _cause(stderr: str) -> str:
    """The exception a run ended with (its type and first line) and the API's message when it printed one."""
    raised = re.findall(r"^([\w.]+(?:Error|Exception): .*)$", stderr, re.MULTILINE)
    said = re.search(r'message: "(.+)"', stderr)
    cause = raised[-1] if raised else _last_lines(stderr.encode(), 1)
    return f"{cause} [{said.group(1)}]" if said else cause


def checkout(peer: GooglePeer, source: str, home: Path) -> Path | None:
    """The source's directory: itself, or a shallow clone of a `git+URL@TAG`; None for a requirement."""
    if Path(source).is_dir():
        return Path(source)
    if not source.startswith("git+"):
        return None
    url, _, tag = source.removeprefix("git+").rpartition("@")
    directory = home / f"google-{peer.key}-source"
    shutil.rmtree(directory, ignore_errors=True)
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", tag, url, str(directory)], check=True)
    return directory


def install(peer: GooglePeer, source: str, home: Path) -> Path:
    """The peer's venv under `home`, (re)built when its source changes, and the redirecting site. A
    source with a `uv.lock` is installed with the versions it locks (MeltanoLabs' `$[*]` record path
    reads a whole object with its locked jsonpath-ng 1.7.0, the values of it with 1.17)."""
    venv = home / f"google-{peer.key}"
    stamp = venv / "installed-from"
    if not stamp.exists() or stamp.read_text() != source:
        subprocess.run([str(UV), "venv", "-q", "--clear", str(venv)], check=True)
        env = {**os.environ, "VIRTUAL_ENV": str(venv)}
        directory = checkout(peer, source, home)
        requirements = [str(directory) if directory else source]
        if directory and (directory / "uv.lock").exists():
            locked = home / f"google-{peer.key}.locked.txt"
            export = ["export", "-q", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes"]
            subprocess.run([str(UV), *export, "--project", str(directory), "-o", str(locked)], check=True)
            requirements = ["-r", str(locked), *requirements]
        subprocess.run([str(UV), "pip", "install", "-q", *requirements], check=True, env=env)
        stamp.write_text(source)
    site = home / "redirect-google"
    site.mkdir(parents=True, exist_ok=True)
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    return venv


def select(catalog: dict[str, Any], stream: str, fields: tuple[str, ...] | None) -> dict[str, Any]:
    """`stream` selected with `fields` (all when None) and its automatic ones; nothing else."""
    for entry in catalog["streams"]:
        chosen = stream in (entry["tap_stream_id"], entry.get("stream"))
        for item in entry["metadata"]:
            breadcrumb, metadata = item["breadcrumb"], item["metadata"]
            wanted = not breadcrumb or fields is None or breadcrumb[-1] in fields
            metadata["selected"] = chosen and (wanted or metadata.get("inclusion") == "automatic")
    return catalog


def sync(
    peer: GooglePeer, venv: Path, home: Path, sandbox: SandboxClient, outcome: Outcome, start: date, end: date
) -> None:
    google = sandbox.platform("google_ads")
    env = {
        **os.environ,
        "PEER_GOOGLE_API_BASE_URL": google["base_url"],
        "PEER_GOOGLE_TOKEN_URL": google["token_url"],
        "PEER_GOOGLE_GRPC_ENDPOINT": google["grpc_endpoint"],
        "PEER_GOOGLE_VERSION_REWRITE": outcome.rewrite,
        "PEER_GOOGLE_REMOVED_FIELDS": ",".join(outcome.removed),
        "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": sandbox.connection["tls_cert"],
        "GRPC_VERBOSITY": "ERROR",
        "PYTHONPATH": str(home / "redirect-google"),
        "VIRTUAL_ENV": str(venv),
    }
    sandbox.reset()
    tap = str(venv / "bin" / peer.package)
    run = outcome.run
    log = home / f"google-{peer.key}.{outcome.rewrite.replace('>', '-') or 'published'}.stderr.log"
    with tempfile.TemporaryDirectory(prefix="peer-") as work:
        answered = Path(work) / "answered.log"
        env["PEER_GOOGLE_ANSWERED_LOG"] = str(answered)
        config = Path(work) / "config.json"
        config.write_text(json.dumps(peer.config(google, start, end)))
        discovered = subprocess.run(
            [tap, "--config", str(config), "--discover"], capture_output=True, env=env
        )
        if discovered.returncode:
            log.write_bytes(discovered.stderr)
            outcome.stderr = discovered.stderr.decode(errors="replace")
            outcome.returncode = discovered.returncode
            run.failure = "discovery: " + _cause(outcome.stderr)
        else:
            selection = Path(work) / "catalog.json"
            selection.write_text(json.dumps(select(json.loads(discovered.stdout), peer.report, peer.fields)))
            synced = subprocess.run(
                [tap, "--config", str(config), peer.sync_flag, str(selection)], capture_output=True, env=env
            )
            log.write_bytes(synced.stderr)
            outcome.stderr = synced.stderr.decode(errors="replace")
            read(run, synced.stdout.splitlines(), peer.row_of)
            outcome.returncode = synced.returncode
            if synced.returncode:
                run.failure = "sync: " + _cause(outcome.stderr)
        if answered.exists():
            outcome.answered = sorted(set(answered.read_text().split()))
    outcome.requests = [f"{e.get('route')} {e.get('status')}" for e in sandbox.log(platform="google_ads")]


def _digest(requests: list[str]) -> str:
    """`route status xCOUNT` in order of first appearance: a sync asks one query per day."""
    counts: dict[str, int] = {}
    for entry in requests:
        counts[entry] = counts.get(entry, 0) + 1
    return ", ".join(f"{entry} x{count}" for entry, count in counts.items()) or "none"


def google_answer(base_url: str, version: str) -> str:
    """What Google answers any call to `version` (the sandbox as Google: a sunset version is refused
    before authentication), as `code: message` of its GoogleAdsFailure, or `OK`."""
    url = f"{base_url.rstrip('/')}/{version}/customers:listAccessibleCustomers"
    try:
        with urllib.request.urlopen(url, timeout=30):
            return "OK"
    except urllib.error.HTTPError as refused:
        error = json.loads(refused.read())["error"]
    for detail in error.get("details", ()):
        for item in detail.get("errors", ()):
            code = next(iter(item["errorCode"].values()))
            return f"{code}: {item['message']}"
    return f"{error['status']}: {error['message']}"


def missing_field(stderr: str) -> str | None:
    """The field a peer's schema building looked up and did not find (`KeyError: 'metrics.x'`) when
    the newest version has no such field: the peer names a field Google removed (reference §1.3)."""
    found = re.findall(r"KeyError: '([a-z0-9_.]+)'", stderr)
    return found[-1] if found and catalog(LATEST).get(found[-1]) is None else None


def removed_fields(peer: GooglePeer, venv: Path) -> tuple[str, ...]:
    """What the field service also answers in the third run: any name the peer asks for and does not
    get ("*"), or, for a peer that asks for the whole catalog, the names of its field lists that the
    newest version does not have."""
    if not peer.field_module:
        return ("*",)
    script = (
        f"import json, {peer.field_module} as m; print(json.dumps(sorted({{f for v in vars(m).values() "
        "if isinstance(v, (list, tuple, set)) for f in v if isinstance(f, str)})))"
    )
    names = subprocess.run(
        [str(venv / "bin" / "python"), "-c", script], capture_output=True, text=True, check=True
    ).stdout
    return tuple(name for name in json.loads(names) if catalog(LATEST).get(name) is None)


def emulator_gap(stderr: str) -> str | None:
    """A field of the newest version the peer looked up and the sandbox did not give it where Google
    does (`KeyError: 'segments.ad_network_type'`): the sandbox's catalog derives each resource's
    segments and attribute resources from the protos (reference §2.5: Google's are not derivable and
    no recording of them is at hand), and is narrower than Google's."""
    found = re.findall(r"KeyError: '([a-z0-9_.]+)'", stderr)
    return found[-1] if found and catalog(LATEST).get(found[-1]) is not None else None


def _rows(outcome: Outcome, report: str) -> bool:
    """Print what a run read and how its campaign-days compare; True when it read them as the world has."""
    run = outcome.run
    print(f"    requests the sandbox answered: {_digest(outcome.requests)}")
    print(f"    records: {json.dumps(run.records, sort_keys=True)}")
    gap = emulator_gap(outcome.stderr) if run.failure else None
    if gap:
        print(f"    stops on: {run.failure}")
        print(
            f"    EMULATOR GAP: the sandbox's field catalog does not list {gap} with the resource the peer "
            "reads it with, as Google does (its segments and attribute resources are derived, §2.5)"
        )
        return False
    print(f"    {report} rows after upserts: {len(run.rows[report])}")
    print(f"    campaign-days compared with the world: {run.compared}, differing: {len(run.mismatches)}")
    for line in run.mismatches[:5]:
        print(f"      {line}")
    if run.failure:
        print(f"    failure (unexplained): {run.failure}")
    return not run.failure and not run.mismatches and run.compared > 0


def report(peer: GooglePeer, version: str, answer: str, outcomes: list[Outcome]) -> bool:
    """One block per peer; True when every failure has its cause: as published it is refused at its
    first call as Google refuses a sunset version; with the version rewritten it either reads every
    campaign-day as the world has it, or stops on a field Google removed and then, with the removed
    fields it asks for answered, reads them all."""
    published, rewritten, *amended = outcomes
    api_calls = [entry for entry in published.requests if not entry.startswith("oauth")]
    retired = "UNSUPPORTED_VERSION" in answer and bool(api_calls) and published.returncode != 0
    retired = retired and all(entry.endswith((" 400", " INVALID_ARGUMENT")) for entry in api_calls)
    print(f"{peer.name} {version} (hard-codes API {peer.version}):")
    print(f"  as published: {published.run.failure or 'success'}")
    print(f"    requests the sandbox answered: {_digest(published.requests)}")
    print(f"    Google's answer to {peer.version} (sunset, reference §1.2): {answer}")
    print(f"    the peer's own fault (a retired API version): {'confirmed' if retired else 'NOT confirmed'}")
    print(f"  {rewritten.title}:")
    removed = missing_field(rewritten.stderr) if rewritten.returncode else None
    if not removed:
        ok = _rows(rewritten, peer.report) and retired
    else:
        print(f"    requests the sandbox answered: {_digest(rewritten.requests)}")
        print(f"    stops on: {rewritten.run.failure}")
        print(
            f"    the peer's own fault: it needs {removed}, which {LATEST} no longer has (reference §1.3); "
            "Google's field service leaves it out"
        )
        third = amended[0]
        print(f"  {third.title}:")
        really = [name for name in third.answered if catalog(LATEST).get(name) is None]
        print(
            f"    removed fields it asked for ({len(third.answered)}): {', '.join(third.answered) or 'none'}"
        )
        ok = _rows(third, peer.report) and retired and really == third.answered
    last = outcomes[-1]
    gap = emulator_gap(last.stderr) if last.run.failure else None
    print(f"  {'explained' if ok else 'EMULATOR GAP' if gap and retired else 'FAILED'}")
    return ok


def _sources(pairs: list[str]) -> dict[str, str]:
    sources = {key: peer.source for key, peer in PEERS.items()}
    for pair in pairs:
        key, _, spec = pair.partition("=")
        if key not in PEERS or not spec:
            raise SystemExit(f"--source {pair!r}: expected NAME=SPEC with NAME one of {', '.join(PEERS)}")
        sources[key] = str(Path(spec).resolve()) if Path(spec).is_dir() else spec
    return sources


def _say(line: str) -> int:
    print(line, file=sys.stderr)
    return 1


def main(argv: list[str]) -> int:
    parser = peer_parser("peers_google", __doc__ or "")
    parser.add_argument("--peer", choices=sorted(PEERS), action="append", help="run only these peers")
    parser.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="NAME=SPEC",
        help="where to install a peer from: a pip requirement or a source directory "
        "(default: its public git URL at the release tag)",
    )
    args = parser.parse_args(argv)
    home = peers_home(args)
    sources = _sources(args.source)
    peers = [PEERS[key] for key in args.peer or PEERS]
    venvs = {}
    for peer in peers:
        try:
            venvs[peer.key] = install(peer, sources[peer.key], home)
        except subprocess.CalledProcessError:
            # the default git URLs need the network; an exported mirror directory does not
            return _say(f"--source {peer.key}={sources[peer.key]}: could not install the peer from it")
    ok = True
    with running_sandbox(accounts_per_platform=1) as sandbox:
        world = sandbox.world()
        account = world.account(sandbox.platform("google_ads")["accounts"][0])
        end = world.account_today(account) - timedelta(days=1)
        start = end - timedelta(days=args.days - 1)
        for peer in peers:
            as_peer = Peer(peer.name, peer.package, lambda *_: {}, (), (peer.report,), peer.sync_flag)
            rewrite = f"{peer.version}>{LATEST}"
            outcomes = [
                Outcome("as published", "", PeerRun(as_peer)),
                Outcome(f"only its API version rewritten ({rewrite})", rewrite, PeerRun(as_peer)),
            ]
            for outcome in outcomes:
                sync(peer, venvs[peer.key], home, sandbox, outcome, start, end)
            if missing_field(outcomes[-1].stderr):
                title = f"its API version rewritten ({rewrite}), the removed fields it asks for answered"
                third = Outcome(title, rewrite, PeerRun(as_peer), removed_fields(peer, venvs[peer.key]))
                sync(peer, venvs[peer.key], home, sandbox, third, start, end)
                outcomes.append(third)
            compare(outcomes[-1].run, sandbox.world(), account.id, start)
            version = installed_version(venvs[peer.key], peer.package)
            answer = google_answer(sandbox.platform("google_ads")["base_url"], peer.version)
            ok = report(peer, version, answer, outcomes) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
