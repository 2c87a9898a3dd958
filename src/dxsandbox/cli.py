"""The `dxsandbox` command (also `python -m dxsandbox`; `dxconnector sandbox` hands its arguments here)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

INSTALL_HINT = "pip install packaging/sandbox (the sandbox alone) or pip install 'dxconnector[sandbox]'"
PORTS_TAKEN = 20  # the hosts take port_base … port_base + 19 (Xero's from +0, Microsoft's from +10, Dataverse's after)
# The web stack only the emulators use: a production install (`pip install .`) leaves it out.
WEB_STACK = ("starlette", "uvicorn", "multipart", "python_multipart")


def build_parser(prog: str = "dxsandbox") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="run the Xero and Microsoft emulators (HTTPS with a local CA)")
    parser.add_argument(
        "--port-base",
        type=int,
        default=9400,
        help="first port; each emulated host takes the next (0: a run of free ports, read them in sandbox.json)",
    )
    parser.add_argument("--state-dir", default="data/sandbox", help="storage, certificates and sandbox.json")
    parser.add_argument("--time-scale", type=float, default=1.0, help="simulated seconds per real second, for the limits")
    parser.add_argument(
        "--limits", choices=("real", "off"), default="real", help="enforce the services' rate limits (default) or not"
    )
    parser.add_argument(
        "--faults",
        type=float,
        default=0.0,
        metavar="RATE",
        help="share of API calls that fail (0-1), spread over 429/500/503/timeouts/dropped-after-commit",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed for the injected faults, for repeatable runs")
    return parser


def main(argv: list[str] | None = None, prog: str = "dxsandbox") -> int:
    args = build_parser(prog).parse_args(argv)
    if args.time_scale <= 0 or not 0 <= args.faults <= 1 or args.port_base < 0:
        print(f"{prog}: --time-scale must be > 0, --faults between 0 and 1 and --port-base 0 or more", file=sys.stderr)
        return 2
    try:
        from dxsandbox.runner import run
        from dxsandbox.steering import free_port_base
    except ModuleNotFoundError as error:
        # `--help` above works without the web stack; running the emulators needs it.
        if (error.name or "").split(".")[0] not in WEB_STACK:
            raise
        print(f"{prog}: the sandbox is not installed ({error.name} is missing): {INSTALL_HINT}", file=sys.stderr)
        return 2
    run(
        Path(args.state_dir).resolve(),
        args.port_base or free_port_base(PORTS_TAKEN),
        time_scale=args.time_scale,
        limits=args.limits,
        faults=args.faults,
        seed=args.seed,
    )
    return 0
