"""`ads-config`: check the suite's YAML file, or run every platform it names through Meltano.

    ads-config check platforms.yml
    ads-config run platforms.yml --target target-duckdb [--environment sandbox] [--project-dir .]

`run` checks first, then runs ``meltano run <tap> <target>`` for each platform in one command, the
file's settings passed as Meltano's setting variables (TAP_META_ADS_APP_ID, ...), which take
precedence over meltano.yml. Every failure is one line naming the file's key; exit code 1.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

from ads_kit.config_file.document import SuiteConfigError, expand, read_document
from ads_kit.config_file.suite import TapConfig, check_document


class _OneLineParser(argparse.ArgumentParser):
    """A bad command line is one line naming the argument, exit code 1, not the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(1, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="ads-config", description="The suite's YAML configuration file.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate every key of the file (no request is made)")
    check.add_argument("file", type=Path)
    run = commands.add_parser("run", help="check, then run every platform of the file through Meltano")
    run.add_argument("file", type=Path)
    run.add_argument("--target", required=True, help="the Meltano loader, e.g. target-duckdb")
    run.add_argument("--environment", help="Meltano environment (default: the project's)")
    run.add_argument("--project-dir", type=Path, default=Path("."), help="the Meltano project (.)")
    return parser


def load(path: Path) -> list[TapConfig]:
    """The file read, its references expanded and every tap config checked."""
    return check_document(expand(read_document(path), os.environ), os.environ)


def meltano_command(configs: list[TapConfig], target: str, environment: str | None) -> list[str]:
    meltano = shutil.which("meltano") or str(Path(sys.executable).with_name("meltano"))
    command = [meltano] + ([f"--environment={environment}"] if environment else []) + ["run"]
    for tap in configs:
        command += [tap.platform.tap, target]
    return command


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="ads-config: %(levelname)s %(message)s")
    try:
        configs = load(args.file)
    except (SuiteConfigError, ModuleNotFoundError) as exc:
        print(f"ads-config: {exc}", file=sys.stderr)
        return 1
    names = ", ".join(f"{tap.platform.key} ({tap.platform.tap})" for tap in configs)
    if args.command == "check":
        print(f"{args.file}: {names}: every setting checked")
        return 0
    command = meltano_command(configs, args.target, args.environment)
    if not Path(command[0]).exists():
        print("ads-config: meltano is not installed (pip install meltano)", file=sys.stderr)
        return 1
    environment = dict(os.environ)
    for tap in configs:
        environment.update(tap.environment())
    return subprocess.run(command, cwd=args.project_dir, env=environment, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
