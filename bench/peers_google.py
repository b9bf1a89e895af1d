"""A public Google Ads tap as a real client of the sandbox: it runs unmodified, only its hosts redirected.

    python -m bench peers_google [--days 3] [--peers-dir DIR]

Of the peers the reference names (§7), the one a package registry holds is `tap-googleads` (PyPI,
the AutoIDM tap that Matatika's and MeltanoLabs' descend from; its last release, 0.1.7, asks for
Python < 3.11 and installs with `--ignore-requires-python`). singer-io's tap-google-ads 2.0 and
MeltanoLabs' tap-googleads 0.9 are on no registry (GitHub only), so they cannot be installed here.

The peer is installed in a venv of its own under `--peers-dir` (default `.peers/`), discovered, given a
catalog selecting every stream, and synced against the sandbox. A `sitecustomize` on its path sends
its requests for `https://googleads.googleapis.com` to the sandbox's REST host and its token refresh
(`https://www.googleapis.com/oauth2/v4/token`) to the sandbox's token endpoint; nothing else changes.

The peer hard-codes API v14, sunset long ago, so Google answers its first call with
RequestError.UNSUPPORTED_VERSION: the peer's own fault, checked as such. A second run also rewrites
the version in its URLs to the newest one (the one change beyond the hosts, said so in the output),
to see how far its requests go on a live version: it lists the accessible customers (compared with
the sandbox's), then sends `pageSize`, which Google refuses since v17 (PAGE_SIZE_NOT_SUPPORTED, the
field's own documentation; reference §3.1): again the peer's fault, checked. A failure with any other
error is an emulator gap; the run then exits 1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.process import running_sandbox
from bench.peers import UV, _last_lines, installed_version, peer_parser, peers_home, select

REQUIREMENT = "tap-googleads==0.1.7"
PACKAGE = REQUIREMENT.split("=")[0]
API_HOST = "https://googleads.googleapis.com"
TOKEN_URL = "https://www.googleapis.com/oauth2/v4/token"
PEER_VERSION = "v14"  # the peer's url_base
SITECUSTOMIZE = f'''\
"""Send the peer's Google requests to the sandbox (bench/peers_google.py); nothing else changes."""
import os

_API = os.environ.get("PEER_GOOGLE_API_BASE_URL")
_TOKEN = os.environ.get("PEER_GOOGLE_TOKEN_URL")
_VERSION = os.environ.get("PEER_GOOGLE_API_VERSION")
if _API:
    import requests.adapters

    _send = requests.adapters.HTTPAdapter.send

    def _redirected(self, request, *args, **kwargs):
        url = request.url
        if url.startswith("{API_HOST}/"):
            path = url[len("{API_HOST}"):]
            if _VERSION:
                path = path.replace("/{PEER_VERSION}/", "/" + _VERSION + "/", 1)
            request.url = _API.rstrip("/") + path
        elif url.startswith("{TOKEN_URL}"):
            request.url = _TOKEN + url[len("{TOKEN_URL}"):]
        return _send(self, request, *args, **kwargs)

    requests.adapters.HTTPAdapter.send = _redirected
'''


@dataclass
class Run:
    """One sync of the peer: what it read and how it ended."""

    title: str
    version: str | None  # the API version its URLs were rewritten to, None as published
    expected: str  # the error its run must end with (the peer's own fault)
    records: dict[str, int] = field(default_factory=dict)
    accessible: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # the sandbox's log: route and status of each call
    failure: str = ""
    returncode: int = 0

    @property
    def confirmed(self) -> bool:
        return self.returncode != 0 and self.expected in self.failure


def install(home: Path) -> Path:
    venv = home / PACKAGE
    if not (venv / "bin" / PACKAGE).exists():
        subprocess.run([str(UV), "venv", "-q", "--seed", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--ignore-requires-python"]
        # The environment of its release (2023-09): its singer-sdk (0.29) imports pkg_resources, which
        # setuptools dropped in 81, and its `$[*]` record path reads a whole object with jsonpath-ng
        # 1.6 (1.7 and later yield the object's values: accessible_customers then breaks).
        subprocess.run([*pip, REQUIREMENT, "setuptools<81", "jsonpath-ng==1.6.0"], check=True)
    site = home / "redirect-google"
    site.mkdir(parents=True, exist_ok=True)
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    return venv


def config(google: dict[str, Any], start: Any, end: Any) -> dict[str, Any]:
    return {
        "client_id": google["client_id"],
        "client_secret": google["client_secret"],
        "refresh_token": google["refresh_token"],
        "developer_token": google["developer_token"],
        "login_customer_id": google["login_customer_id"],
        "customer_id": google["accounts"][0],
        "start_date": f"{start.isoformat()}T00:00:00Z",
        "end_date": f"{end.isoformat()}T00:00:00Z",
    }


def sync(run: Run, venv: Path, home: Path, sandbox: SandboxClient, settings: dict[str, Any]) -> None:
    google = sandbox.platform("google_ads")
    env = {
        **os.environ,
        "PEER_GOOGLE_API_BASE_URL": google["base_url"],
        "PEER_GOOGLE_TOKEN_URL": google["token_url"],
        "PYTHONPATH": str(home / "redirect-google"),
        "VIRTUAL_ENV": str(venv),
    }
    if run.version:
        env["PEER_GOOGLE_API_VERSION"] = run.version
    sandbox.reset()
    tap = str(venv / "bin" / PACKAGE)
    with tempfile.TemporaryDirectory(prefix="peer-") as work:
        path = Path(work) / "config.json"
        path.write_text(json.dumps(settings))
        discovered = subprocess.run([tap, "--config", str(path), "--discover"], capture_output=True, env=env)
        if discovered.returncode:
            run.returncode, run.failure = (
                discovered.returncode,
                "discovery: " + _last_lines(discovered.stderr),
            )
            return
        streams = tuple(entry["tap_stream_id"] for entry in json.loads(discovered.stdout)["streams"])
        catalog = Path(work) / "catalog.json"
        catalog.write_text(json.dumps(select(json.loads(discovered.stdout), streams)))
        synced = subprocess.run(
            [tap, "--config", str(path), "--catalog", str(catalog)], capture_output=True, env=env
        )
    (home / f"{PACKAGE}.{run.version or 'published'}.stderr.log").write_bytes(synced.stderr)
    run.requests = [f"{e.get('route')} {e.get('status')}" for e in sandbox.log(platform="google_ads")]
    run.returncode = synced.returncode
    run.failure = _last_lines(synced.stderr, 1) if synced.returncode else ""
    for line in synced.stdout.splitlines():
        message = json.loads(line)
        if message["type"] != "RECORD":
            continue
        stream = message["stream"]
        run.records[stream] = run.records.get(stream, 0) + 1
        if stream == "accessible_customers":
            run.accessible += message["record"].get("resourceNames") or []


def report(run: Run, manager: str) -> bool:
    reached = run.accessible == [f"customers/{manager}"] if run.records else True
    ok = run.confirmed and reached
    print(f"  {run.title}: {'as expected' if ok else 'UNEXPECTED'}")
    print(f"    records: {json.dumps(run.records, sort_keys=True)}")
    print(f"    requests the sandbox answered: {', '.join(run.requests) or 'none'}")
    if run.accessible:
        print(f"    accessible customers: {run.accessible} (the sandbox's manager: customers/{manager})")
    print(f"    ends with: {run.failure or 'success'}")
    print(f"    the peer's own fault ({run.expected}): {'confirmed' if run.confirmed else 'NOT confirmed'}")
    return ok


def main(argv: list[str]) -> int:
    args = peer_parser("peers_google", __doc__ or "").parse_args(argv)
    home = peers_home(args)
    venv = install(home)
    runs = [
        Run("as published (API v14)", None, "UNSUPPORTED_VERSION"),
        Run("its URLs' version rewritten to v26", "v26", "PAGE_SIZE_NOT_SUPPORTED"),
    ]
    with running_sandbox(accounts_per_platform=1) as sandbox:
        google = sandbox.platform("google_ads")
        world = sandbox.world()
        end = world.account_today(world.account(google["accounts"][0])) - timedelta(days=1)
        settings = config(google, end - timedelta(days=args.days - 1), end)
        for run in runs:
            sync(run, venv, home, sandbox, settings)
    print(f"tap-googleads {installed_version(venv, REQUIREMENT)} (PyPI; hard-codes API {PEER_VERSION}):")
    ok = all([report(run, google["manager_customer_id"]) for run in runs])
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
