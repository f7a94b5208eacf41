"""``arrival-city dashboard``: serve the trainers' page on this computer.

The page needs no internet: Solara serves its own assets (the ``solara-assets`` bundle), every
figure is drawn on the server, and Solara's telemetry and version check are off.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from experiments.dashboard import DEFAULT_PRESET

LOOPBACK = ("127.0.0.1", "localhost", "::1")
DEFAULT_PORT = 8521
APP = Path(__file__).resolve().parent / "app.py"
# Solara's settings for a page with no internet: assets from this server, no telemetry
OFFLINE_ENV = {
    "SOLARA_ASSETS_PROXY": "true",  # the bundle is served under /_solara/cdn from this server
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    "SOLARA_ASSETS_FONTAWESOME_ENABLED": "false",
    "SOLARA_THEME_LOADER": "plain",
    # the tab's title until the page has loaded (then solara.Title sets it in the chosen language)
    "SOLARA_THEME_TITLE": "Arrival city",
}


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}: not a whole number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"got {value}: must be 1 to 65535")
    return value


def server_command(host: str, port: int) -> list[str]:
    """The command that serves the page."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(APP),
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",  # no call to the package index on start
        "--log-level",
        "warning",
    ]


def server_env(preset: str) -> dict[str, str]:
    """The server's environment: the preset to open and Solara's offline settings."""
    return {**os.environ, **OFFLINE_ENV, "ARRIVAL_CITY_DASHBOARD_PRESET": preset}


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Check the preset, warn about a non-local host, then serve until Ctrl-C."""
    try:
        import solara  # noqa: F401 - a clear line if the page's extra is missing
    except ImportError:
        print(
            "error: dashboard: Solara is not installed; pip install -e '.[dashboard]'",
            file=sys.stderr,
        )
        return 2
    from experiments.dashboard.state import Setup, choose_preset

    choose_preset(Setup(), args.scenario)  # ScenarioError -> one line, exit 2
    if args.host not in LOOPBACK:
        print(
            f"warning: dashboard: serving on {args.host}, not only this computer: anyone who "
            "can reach it can use the page (it has no login)",
            file=sys.stderr,
        )
    print(f"The trainers' page: http://{args.host}:{args.port}/  (Ctrl-C stops it)", flush=True)
    # the server replaces this process, so that stopping the command (Ctrl-C, or SIGTERM to its
    # process id) stops the server: a child would outlive a SIGTERM sent to its parent
    command = server_command(args.host, args.port)
    os.execve(command[0], command, server_env(args.scenario))
    return 0  # reached only where execve is replaced (the tests)


def add_command(subparsers: argparse._SubParsersAction) -> None:
    """Add ``dashboard`` to the ``arrival-city`` command."""
    dash = subparsers.add_parser("dashboard", help="serve the trainers' page (a local web page)")
    dash.add_argument(
        "--scenario", default=DEFAULT_PRESET, help=f"city preset to open (default {DEFAULT_PRESET})"
    )
    dash.add_argument("--host", default="127.0.0.1", help="address to serve on (default local)")
    dash.add_argument("--port", type=_port, default=DEFAULT_PORT, help="port (default 8521)")
    dash.set_defaults(func=cmd_dashboard)
