"""`python -m bench [meta] [options]`: run one benchmark, or all of them with no name."""

from __future__ import annotations

import sys

from bench import meta, peers, record_path

BENCHMARKS = {"meta": meta.main, "record_path": record_path.main, "peers": peers.main}


def main(argv: list[str]) -> int:
    if argv and argv[0] in BENCHMARKS:
        return BENCHMARKS[argv[0]](argv[1:])
    if argv:
        print(
            f"python -m bench: unknown benchmark {argv[0]!r}; one of {', '.join(BENCHMARKS)}", file=sys.stderr
        )
        return 2
    return max(run([]) for run in BENCHMARKS.values())


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
