"""The README is tested (#12): every fenced block in README.md runs, or says why not.

Each ```python block is executed in a fresh namespace, in its own empty temporary working
directory (the blocks are self-contained: each builds or writes the small inputs it needs).
Each ```bash block runs through ``bash -e -o pipefail -c`` in its own temporary directory with
this Python's ``vectab`` first on PATH. A block is named by the README line of its opening
fence (``README.md:52``), so a failure points at the snippet.

An HTML comment on the line just before a fence changes how the block is tested:

- ``<!-- readme-test: slow -->``: expensive (the install line, ``vectab quickstart``); runs only
  under ``-m slow``. A bash block that installs (``pip install``) runs in a copy of the project
  (``src``, ``pyproject.toml``, ``README.md``) with a fresh virtual environment that sees this
  interpreter's packages, so it installs nothing into the environment running the tests.
- ``<!-- readme-test: ci -->``: the test command; it is ``.ci/run``'s last line, checked to be
  identical to it instead of being run (running it would start this test run again).

Any other fence (no language, ``text``, ``console`` ...) without a marker fails: a snippet the
README shows either runs or says why it does not. No silent skips.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
CI_RUN = REPO / ".ci" / "run"
MARKERS = {"slow", "ci"}
RUNNABLE = {"python", "bash"}

_FENCE = re.compile(r"^```(\S*)\s*$")
_MARKER = re.compile(r"^<!--\s*readme-test:\s*(\S+)\s*-->\s*$")


@dataclass(frozen=True)
class Block:
    line: int  # 1-based line of the opening fence
    lang: str
    code: str
    marker: str | None  # the readme-test marker on the line before the fence, if any

    @property
    def name(self) -> str:
        return f"README.md:{self.line}-{self.lang or 'nolang'}"


def parse_blocks(text: str) -> list[Block]:
    """Return the fenced blocks of a Markdown text; an unclosed fence is an error."""
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        start, lang = i, match.group(1)
        marker = None
        if start > 0 and (m := _MARKER.match(lines[start - 1].strip())):
            marker = m.group(1)
        j = i + 1
        while j < len(lines) and lines[j].rstrip() != "```":
            j += 1
        if j == len(lines):
            raise ValueError(f"README.md:{start + 1}: the ``` fence is never closed")
        blocks.append(Block(start + 1, lang, "\n".join(lines[i + 1 : j]) + "\n", marker))
        i = j + 1
    return blocks


BLOCKS = parse_blocks(README.read_text(encoding="utf-8"))


def _params(blocks: list[Block]) -> list:
    return [
        pytest.param(b, id=b.name, marks=[pytest.mark.slow] if b.marker == "slow" else [])
        for b in blocks
    ]


def _vectab_env() -> dict[str, str]:
    env = dict(os.environ)
    bin_dir = Path(sys.executable).parent
    script = shutil.which("vectab")
    dirs = [str(bin_dir)] + ([str(Path(script).parent)] if script else [])
    env["PATH"] = os.pathsep.join([*dirs, env.get("PATH", "")])
    env.setdefault("MPLBACKEND", "Agg")
    return env


# -- the parser and the markers ---------------------------------------------------------------


def test_parser_names_blocks_by_line_and_reads_markers():
    text = "a\n<!-- readme-test: slow -->\n```bash\necho hi\n```\n\n```python\nx = 1\n```\n"
    blocks = parse_blocks(text)
    assert [(b.line, b.lang, b.marker, b.code) for b in blocks] == [
        (3, "bash", "slow", "echo hi\n"),
        (7, "python", None, "x = 1\n"),
    ]
    with pytest.raises(ValueError, match="README.md:1: the ``` fence is never closed"):
        parse_blocks("```python\nx = 1\n")


def test_readme_has_the_front_page_blocks():
    langs = [b.lang for b in BLOCKS]
    assert langs.count("python") >= 6 and langs.count("bash") >= 2
    code = "".join(b.code for b in BLOCKS if b.lang == "python")
    # the Keras path beside the PyTorch path (#11)
    assert "from vectab.models import Sequential" in code
    assert "torch.nn.Module" in code or "nn.Module" in code


@pytest.mark.parametrize("block", _params(BLOCKS))
def test_every_block_is_runnable_or_marked(block: Block):
    """A fence that is neither python nor bash needs a marker; markers are known ones."""
    if block.marker is not None:
        assert block.marker in MARKERS, f"{block.name}: unknown marker {block.marker!r}"
    else:
        assert block.lang in RUNNABLE, (
            f"{block.name}: a ```{block.lang} block cannot run; use python or bash, "
            f"or mark it <!-- readme-test: slow|ci -->"
        )


def test_the_readme_test_command_is_ci_runs_last_line():
    ci_blocks = [b for b in BLOCKS if b.marker == "ci"]
    assert len(ci_blocks) == 1, "exactly one block is the test command (marker ci)"
    last = [ln for ln in CI_RUN.read_text(encoding="utf-8").splitlines() if ln.strip()][-1]
    assert ci_blocks[0].code.strip() == last.strip()


# -- running the blocks -----------------------------------------------------------------------

PYTHON_BLOCKS = [b for b in BLOCKS if b.lang == "python" and b.marker in (None, "slow")]
BASH_BLOCKS = [b for b in BLOCKS if b.lang == "bash" and b.marker in (None, "slow")]


@pytest.mark.parametrize("block", _params(PYTHON_BLOCKS))
def test_python_block_runs(block: Block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    code = compile(block.code, f"README.md:{block.line}", "exec")
    namespace = {"__name__": "__readme__"}
    try:
        exec(code, namespace)  # noqa: S102 - the README's own snippet, by design
    except Exception as error:  # re-raised with the block's README line in front
        raise AssertionError(f"{block.name} failed: {type(error).__name__}: {error}") from error


def _project_copy(dest: Path) -> Path:
    for name in ("src", "pyproject.toml", "README.md", "LICENSE"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, dest / name)
    return dest


@pytest.mark.parametrize("block", _params(BASH_BLOCKS))
def test_bash_block_runs(block: Block, tmp_path):
    env = _vectab_env()
    cwd = tmp_path
    if "pip install" in block.code:
        assert block.marker == "slow", f"{block.name} installs packages: mark it slow"
        cwd = _project_copy(tmp_path / "vectab")
        venv = tmp_path / "venv"
        subprocess.run(
            [sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True
        )
        env["PATH"] = os.pathsep.join([str(venv / "bin"), env["PATH"]])
        env["VIRTUAL_ENV"] = str(venv)
    result = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", block.code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800 if block.marker == "slow" else 300,
    )
    assert result.returncode == 0, (
        f"{block.name} exited {result.returncode}\n--- stdout ---\n{result.stdout[-4000:]}"
        f"\n--- stderr ---\n{result.stderr[-4000:]}"
    )
