"""`python -m bench [meta|record_path|google_ads|tiktok|peers|peers_google|peers_tiktok|scale] [options]`:
run one benchmark, or with no name every one that needs no download (the `peers*` benches install
public taps from PyPI, `scale` needs Redis and runs for minutes: run them by name)."""

from __future__ import annotations

import sys

from bench import google_ads, meta, peers, peers_google, peers_tiktok, record_path, scale, tiktok

BENCHMARKS = {
    "meta": meta.main,
    "record_path": record_path.main,
    "google_ads": google_ads.main,
    "tiktok": tiktok.main,
    "peers": peers.main,
    "peers_google": peers_google.main,
    "peers_tiktok": peers_tiktok.main,
    "scale": scale.main,
}
OFFLINE = ("meta", "record_path", "google_ads", "tiktok")


def main(argv: list[str]) -> int:
    if argv and argv[0] in BENCHMARKS:
        return BENCHMARKS[argv[0]](argv[1:])
    if argv:
        print(
            f"python -m bench: unknown benchmark {argv[0]!r}; one of {', '.join(BENCHMARKS)}", file=sys.stderr
        )
        return 2
    return max(BENCHMARKS[name]([]) for name in OFFLINE)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
