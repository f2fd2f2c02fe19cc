"""The notebooks as a student opens them: JupyterLab, driven in Chromium.

The test starts JupyterLab as ``make lab`` does (``tools/lab.py``: loopback
only, a random token, the book's settings) on a temporary copy of a chapter
and of a generated homework notebook, and drives it with Playwright in
headless Chromium, as JupyterLab's own UI tests (galata) do:

1. the server answers only with its token;
2. ``chapters/01-mnist.md`` opens as a notebook (jupytext's viewer, the
   default for Markdown in the book's settings); Run > Run All Cells runs it
   with no error and no stderr output, and it draws at least one figure;
3. the homework notebook ``hw1.1-mnist.ipynb`` (student version) runs: the
   check after the stub says that the function is not implemented yet;
4. the book's solution, typed into the stub's cell, then that cell and its
   check run (Shift+Enter twice): the check prints its ✓ line.

The copies live outside the repository, so nothing the lab saves can touch
the sources; no request leaves 127.0.0.1. Screenshots go to
``_build/screenshots/lab-*.png``.
"""

from __future__ import annotations

import inspect
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "_build" / "screenshots"
sys.path.insert(0, str(ROOT))

from homework import build as homework_build  # noqa: E402
from homework import solutions  # noqa: E402
from tools import lab  # noqa: E402
from tools.chromium import local_only  # noqa: E402

CHAPTER = "chapters/01-mnist.md"
HOMEWORK = homework_build.HOMEWORK[0]  # hw1.1: one stub, quick to run
STUB = HOMEWORK.stubs[0]

pytestmark = pytest.mark.browser

# JavaScript run in the page (window.jupyterapp: --expose-app-in-browser).
# FIND keeps the notebook panel of a path in window.__nb, made active.
FIND = """(path) => {
    const app = window.jupyterapp;
    if (!app) return false;
    for (const w of app.shell.widgets('main')) {
        if (w.context?.path === path && w.sessionContext && w.content) {
            window.__nb = w;
            app.shell.activateById(w.id);
            return true;
        }
    }
    return false;
}"""
CURRENT = "window.__nb"
READY = f"""async () => {{
    const w = {CURRENT};
    await w.context.ready;
    await w.sessionContext.ready;
}}"""
KERNEL_IDLE = f"""() => {{
    const k = {CURRENT}.sessionContext.session?.kernel;
    return !!k && k.status === 'idle';
}}"""
# Every code cell up to the first failing one has run, and the kernel rests.
ALL_RAN = f"""() => {{
    const w = {CURRENT};
    const k = w.sessionContext.session?.kernel;
    if (!k || k.status !== 'idle') return false;
    for (const c of w.content.widgets) {{
        if (c.model.type !== 'code') continue;
        if (c.model.executionCount === null) return false;
        const outs = c.model.outputs.toJSON();
        if (outs.some(o => o.output_type === 'error')) return true;
    }}
    return true;
}}"""
CELLS = f"""() => {CURRENT}.content.widgets.map(c => ({{
    type: c.model.type,
    source: c.model.sharedModel.getSource(),
    count: c.model.type === 'code' ? c.model.executionCount : null,
    outputs: c.model.type === 'code' ? c.model.outputs.toJSON() : [],
}}))"""


def _text(output: dict) -> str:
    if output["output_type"] == "stream":
        text = output.get("text", "")
    elif output["output_type"] == "error":
        text = f"{output['ename']}: {output['evalue']}"
    else:
        text = output.get("data", {}).get("text/plain", "")
    return "".join(text) if isinstance(text, list) else text


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory):
    """JupyterLab on a copy of a chapter and a homework notebook."""
    root = tmp_path_factory.mktemp("lab")
    (root / "chapters").mkdir()
    shutil.copy(ROOT / CHAPTER, root / CHAPTER)
    (root / "homework").mkdir()
    nbformat.write(
        homework_build.notebook(HOMEWORK),
        root / "homework" / HOMEWORK.filename,
    )
    state = tmp_path_factory.mktemp("lab-state")
    token = secrets.token_urlsafe(32)
    port = lab.free_port(0)
    env = lab.environment(token)
    env.update(
        JUPYTERLAB_SETTINGS_DIR=str(state / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(state / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(state / "runtime"),
    )
    log = (state / "server.log").open("w")
    server = subprocess.Popen(
        lab.command(root, port, "--LabApp.expose_app_in_browser=True"),
        env=env,
        cwd=root,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}")
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(
                        "JupyterLab did not start:\n"
                        + (state / "server.log").read_text()[-3000:]
                    )
                time.sleep(0.5)
        yield base, token, root
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.external = []
    local_only(page, page.external)
    yield page
    context.close()


def open_notebook(page, base, token, path):
    """Open ``path`` by its /lab/tree URL; wait for an idle kernel."""
    # ?reset: a fresh workspace, not the tabs of the previous test.
    page.goto(f"{base}/lab/tree/{path}?reset&token={token}")
    page.wait_for_function(FIND, arg=path, timeout=120_000, polling=250)
    page.evaluate(READY)
    page.wait_for_function(KERNEL_IDLE, timeout=120_000, polling=250)
    panel = page.locator(".jp-NotebookPanel:visible")
    assert panel.count() == 1, f"{path} did not open as a notebook"


def run_all(page):
    """Run > Run All Cells, as a student would; wait until it is done."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.wait_for_function(
        f"() => {CURRENT}.sessionContext.session?.kernel?.status !== 'idle'"
        f" || {CURRENT}.content.widgets.some(c => c.model.type === 'code'"
        " && c.model.executionCount !== null)",
        timeout=60_000,
        polling=100,
    )
    page.wait_for_function(ALL_RAN, timeout=600_000, polling=500)
    return page.evaluate(CELLS)


def test_lab_needs_its_token(lab_server):
    base, token, _ = lab_server
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{base}/api/contents")
    assert refused.value.code == 403
    urllib.request.urlopen(f"{base}/api/contents?token={token}")
    with pytest.raises(ValueError):
        lab.environment("")


def test_chapter_md_opens_and_runs_as_a_notebook(lab_server, page):
    base, token, root = lab_server
    before = (root / CHAPTER).read_text()
    open_notebook(page, base, token, CHAPTER)
    cells = run_all(page)
    code = [c for c in cells if c["type"] == "code"]
    assert len(code) > 3 and all(c["count"] for c in code), "not all ran"
    errors = [
        (c["source"][:60], _text(o))
        for c in code
        for o in c["outputs"]
        if o["output_type"] == "error"
        or (o["output_type"] == "stream" and o.get("name") == "stderr")
    ]
    assert not errors, errors
    stderr = page.locator(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
    )
    assert stderr.count() == 0
    figures = [
        o
        for c in code
        for o in c["outputs"]
        if "image/png" in o.get("data", {})
    ]
    assert figures, "no figure"
    assert page.locator(".jp-OutputArea-output img").count() >= 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "lab-chapter.png"))
    assert not page.external, page.external
    assert (root / CHAPTER).read_text() == before


def test_homework_stub_fails_then_a_typed_solution_passes(lab_server, page):
    base, token, _ = lab_server
    open_notebook(page, base, token, f"homework/{HOMEWORK.filename}")
    cells = run_all(page)
    stub = next(
        i
        for i, c in enumerate(cells)
        if c["type"] == "code" and c["source"].startswith(f"def {STUB}(")
    )
    check = cells[stub + 1]
    assert check["source"] == f"check_{STUB}({STUB})"
    said = "\n".join(_text(o) for o in check["outputs"])
    assert "not implemented yet" in said, said
    # Everything before the stub ran cleanly (install, imports, checks).
    for c in cells[:stub]:
        if c["type"] == "code":
            assert not any(o["output_type"] == "error" for o in c["outputs"])

    # Type the book's solution into the stub's cell, as a student would.
    solution = inspect.getsource(getattr(solutions, STUB)).strip()
    editor = page.locator(".jp-Notebook .jp-Cell").nth(stub)
    editor.scroll_into_view_if_needed()
    editor.locator(".cm-content").click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(solution)
    typed = page.evaluate(CELLS)[stub]["source"]
    assert typed.strip() == solution
    # Run it, then its check (Shift+Enter runs a cell and moves on).
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        f"""() => {{
            const cells = {CURRENT}.content.widgets;
            const check = cells[{stub + 1}].model;
            const k = {CURRENT}.sessionContext.session.kernel;
            return k.status === 'idle' && check.executionCount !== null
                && check.executionCount > {check["count"] or 0};
        }}""",
        timeout=120_000,
        polling=250,
    )
    after = page.evaluate(CELLS)[stub + 1]
    said = "\n".join(_text(o) for o in after["outputs"])
    assert not any(o["output_type"] == "error" for o in after["outputs"]), said
    assert said.startswith(f"✓ {STUB}: "), said
    assert page.get_by_text(f"✓ {STUB}:").count() == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "lab-homework.png"))
    assert not page.external, page.external
