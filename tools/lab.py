"""JupyterLab on the book: ``make lab`` (``python tools/lab.py [--port N]``).

Listens on the loopback interface only (127.0.0.1), with an access token
that this script draws at random (``secrets``) and hands to the server in
the environment (``JUPYTER_TOKEN``), never on the command line, where other
users of the machine could read it; the token is never empty and there is no
password. It prints the address, token included, then runs the server until
Ctrl-C.

The settings in ``tools/jupyter`` (added to ``JUPYTER_CONFIG_PATH``) make
jupytext's "Jupytext Notebook" the default viewer of Markdown files, so a
double click on ``chapters/NN-name.md`` opens the chapter as a notebook.
tests/browser/test_lab.py starts JupyterLab with the same ``command`` and
``environment``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "tools" / "jupyter"
HOST = "127.0.0.1"


def free_port(preferred: int = 8888) -> int:
    """``preferred`` when it is free on the loopback interface, else any."""
    for port in (preferred, 0):
        with socket.socket() as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise OSError("no free port on 127.0.0.1")


def command(root: Path, port: int, *extra: str) -> list[str]:
    """The server's command line (no token in it)."""
    jupyter = Path(sys.executable).with_name("jupyter")
    return [
        str(jupyter),
        "lab",
        "--no-browser",
        f"--ServerApp.ip={HOST}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--ServerApp.allow_remote_access=False",
        f"--ServerApp.root_dir={root}",
        # No request leaves the machine: no update check, no news feed, no
        # extension search on PyPI.
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.news_url=None",
        "--LabApp.extension_manager=readonly",
        # Containers and CI run as root; JupyterLab refuses that by default.
        *(["--allow-root"] if os.geteuid() == 0 else []),
        *extra,
    ]


def environment(token: str, base: dict | None = None) -> dict[str, str]:
    """The server's environment: the token, and the book's settings."""
    if not token:
        raise ValueError("JupyterLab needs a non-empty token")
    env = dict(os.environ if base is None else base)
    paths = [str(CONFIG), *filter(None, [env.get("JUPYTER_CONFIG_PATH")])]
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(paths)
    env["JUPYTER_TOKEN"] = token
    return env


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8888)
    args = parser.parse_args(argv)
    port = free_port(args.port)
    token = secrets.token_urlsafe(32)
    print(
        f"JupyterLab on the book (127.0.0.1 only; Ctrl-C stops it):\n"
        f"    http://{HOST}:{port}/lab?token={token}\n"
        f"Open chapters/NN-name.md (a double click) to read a chapter as a "
        f"notebook; make homework writes the homework into homework/_build.",
        flush=True,
    )
    cmd = command(ROOT, port)
    os.execve(cmd[0], cmd, environment(token))


if __name__ == "__main__":
    main()
