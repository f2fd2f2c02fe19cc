"""A notebook works outside the repository, offline, with the release's wheel.

What a reader of the release zip does: unzip it, open a notebook from its
``notebooks/`` or ``homework/`` folder in an environment that has the book's
requirements but not hwlib, and run it. The install cell then installs hwlib
from the wheel beside the notebook (``make release`` puts one there).

The test builds the wheel (``tools/build_wheel.py``), copies a chapter's
committed notebook and a homework notebook (the solutions, so that every
check passes) beside it in a temporary folder outside the repository, and
runs both with nbclient in a throwaway environment: a venv whose
site-packages links every package of this one except hwlib (the checkout's
editable install), without a network (``unshare -n`` where it works, pip's
index switched off in any case). Both must run without error, hwlib must
have been installed from the wheel into that environment, and the kernel
must have imported it from there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from homework import build as homework_build  # noqa: E402
from tools.build_wheel import build_wheel  # noqa: E402

CHAPTER = ROOT / "chapters" / "01-mnist.ipynb"
HOMEWORK = homework_build.HOMEWORK[0]  # hw1.1, the quickest

# Runs in the throwaway environment: executes the notebooks in their folder,
# then asks the kernel where hwlib came from.
RUNNER = """
import json, sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient

where = {}
for path in map(Path, sys.argv[1:]):
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import hwlib; print('HWLIB', hwlib.__file__)"))
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}
                   ).execute()
    nbformat.write(nb, path.with_suffix(".out.ipynb"))
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    where[path.name] = text.split("HWLIB", 1)[1].strip()
print(json.dumps(where))
"""

pytestmark = pytest.mark.slow


def _site_packages(prefix: Path) -> Path:
    purelib = sysconfig.get_path("purelib", vars={"base": str(prefix)})
    return Path(purelib)


def _is_hwlib(name: str) -> bool:
    lowered = name.lower().replace("-", "_")
    return lowered.startswith(("hwlib", "__editable__.hwlib")) or (
        lowered.startswith("__editable___hwlib")
    )


def make_environment(env: Path) -> Path:
    """A venv with this environment's packages except hwlib; its python."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(env)], check=True
    )
    source = _site_packages(Path(sys.prefix))
    target = _site_packages(env)
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if not _is_hwlib(entry.name) and not (target / entry.name).exists():
            (target / entry.name).symlink_to(entry)
    kernel = env / "share" / "jupyter" / "kernels" / "python3"
    kernel.mkdir(parents=True)
    python = env / "bin" / "python"
    (kernel / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [
                    str(python),
                    "-m",
                    "ipykernel_launcher",
                    "-f",
                    "{connection_file}",
                ],
                "display_name": "Python 3",
                "language": "python",
            }
        )
    )
    return python


def _offline() -> list[str]:
    """A command prefix with no network but loopback (kernels talk over it).

    ``unshare -n`` where this machine allows it (root, say); elsewhere
    nothing, and pip's index is switched off all the same.
    """
    prefix = [
        "unshare",
        "-n",
        "sh",
        "-c",
        'ip link set lo up && exec "$@"',
        "-",
    ]
    if shutil.which("unshare") and shutil.which("ip"):
        probe = subprocess.run([*prefix, "true"], capture_output=True)
        if probe.returncode == 0:
            return prefix
    return []


def test_notebooks_run_offline_with_the_wheel_beside_them(tmp_path):
    folder = tmp_path / "mnist-book" / "notebooks"
    wheel = build_wheel(folder)
    assert wheel.name.startswith("hwlib-") and wheel.suffix == ".whl"
    chapter = folder / CHAPTER.name
    shutil.copy(CHAPTER, chapter)
    homework = folder / HOMEWORK.filename
    nbformat.write(homework_build.notebook(HOMEWORK, solutions=True), homework)

    env = tmp_path / "env"
    python = make_environment(env)
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "VIRTUAL_ENV", "JUPYTER_PATH"}
    }
    environ.update(
        PATH=f"{env / 'bin'}{os.pathsep}{environ.get('PATH', '')}",
        JUPYTER_PATH=str(env / "share" / "jupyter"),
        JUPYTER_DATA_DIR=str(tmp_path / "jupyter-data"),
        PYTHONNOUSERSITE="1",
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS="",
        PIP_EXTRA_INDEX_URL="",
    )
    blank = subprocess.run(
        [str(python), "-c", "import hwlib"],
        capture_output=True,
        env=environ,
        cwd=tmp_path,
    )
    assert blank.returncode != 0, "the environment must start without hwlib"
    run = subprocess.run(
        [*_offline(), str(python), "-c", RUNNER, str(chapter), str(homework)],
        capture_output=True,
        text=True,
        env=environ,
        cwd=tmp_path,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-5000:]
    where = json.loads(run.stdout.strip().splitlines()[-1])

    installed = _site_packages(env) / "hwlib"
    assert installed.is_dir() and not installed.is_symlink()
    for name, origin in where.items():
        assert Path(origin).resolve().is_relative_to(installed.resolve()), (
            f"{name} imported hwlib from {origin}, not from the wheel"
        )
    direct_url = next(_site_packages(env).glob("hwlib-*.dist-info"))
    url = json.loads((direct_url / "direct_url.json").read_text())["url"]
    assert url.endswith(wheel.name), url

    solved = nbformat.read(homework.with_suffix(".out.ipynb"), as_version=4)
    printed = "".join(
        o.get("text", "") for c in solved.cells for o in c.get("outputs", [])
    )
    assert "✓ pick_digit_images" in printed
