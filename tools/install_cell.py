# Colab, or Jupyter without the book's library: install it. A wheel of hwlib
# beside this notebook (the release zip has one) installs offline; without
# one, pip fetches the release tag (needs a network).
import importlib.util
import subprocess
import sys
from pathlib import Path

if importlib.util.find_spec("hwlib") is None:
    wheels = sorted(Path().glob("hwlib-*.whl"))
    tag = "git+https://github.com/mnist-book/mnist-book@v0.1.0"
    package = str(wheels[-1]) if wheels else f"hwlib @ {tag}"
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    subprocess.check_call([*pip, "myst-nb", package])
    importlib.invalidate_caches()
