"""Build hwlib's wheel into a folder: ``python tools/build_wheel.py OUTDIR``.

The wheel is built from a temporary copy of what it packages (pyproject.toml,
the README and licences it names, ``hwlib/``), so the checkout gains no
``build/`` folder; ``--no-build-isolation`` uses the environment's setuptools
and so works offline. Prints the wheel's path. ``make release`` puts it
beside the notebooks; tests/test_release.py installs it in a notebook.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGED = ["pyproject.toml", "README.md", "LICENSE", "LICENSE-TEXT"]


def build_wheel(outdir: Path) -> Path:
    """hwlib's wheel, written into ``outdir``; its path."""
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in PACKAGED:
            shutil.copy(ROOT / name, src / name)
        shutil.copytree(
            ROOT / "hwlib",
            src / "hwlib",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        dist = Path(tmp) / "dist"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--no-deps",
                "--no-build-isolation",
                "--no-index",
                "--wheel-dir",
                str(dist),
                str(src),
            ],
            check=True,
        )
        (wheel,) = dist.glob("hwlib-*.whl")
        target = outdir / wheel.name
        shutil.copy(wheel, target)
    return target


if __name__ == "__main__":
    print(build_wheel(Path(sys.argv[1])))
