"""The import contract: imports point down the pipeline, and no two modules import each other.

The packages are ordered ``text -> nn -> vectors -> datasets -> engine -> models -> train -> viz
-> cli`` (ARCHITECTURE.md, plus ``engine``: the generic training loop)
and says dependencies point down this list and never back up. This test reads every module
under ``src/vectab`` (no import is executed) and collects every import: at module level, inside
functions and ``if TYPE_CHECKING:`` blocks, relative ones (``from . import x``),
``importlib.import_module("vectab.x")`` with a literal name, and the lazy ``_EXPORTS`` tables of
the package ``__init__`` files (a lazy name is an import that happens later). It then fails on

- an import from a unit to a unit above it in :data:`LAYERS` (or to another unit of the same
  rank: the root modules of one rank are independent of each other);
- any import cycle between modules (e.g. ``vectors/store.py`` <-> ``vectors/io.py``), through
  function-level imports too.

A lower layer that needs something from a higher one takes it as an argument (duck typing or a
small protocol: ``Embedding.from_vectors`` asks its ``vectors`` for ``embedding_matrix``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = SRC / "vectab"

# Bottom to top. A unit may import units of a lower rank, and itself. "base" holds the root
# modules every layer may use (they import only each other); `from vectab import __version__`
# counts as base too (the root __init__ defines it and imports only `_lazy`). The root
# package's lazy public names (`from vectab import Embedding`) are the facade: the top.
LAYERS: list[tuple[str, ...]] = [
    ("base",),
    ("text",),
    ("nn",),
    ("layers",),  # Keras-style layers (vectab.layers) on nn
    ("vectors",),
    ("datasets",),  # the packaged GloVe default: builds a Vectors
    ("engine",),  # the generic training loop (Trainer, callbacks, checkpoints): no task model
    ("models",),
    ("train",),
    ("viz",),
    ("cli", "testing"),  # testing: the harness for user tests; library code never imports it
    ("__main__",),
    ("facade",),  # vectab/__init__.py's public names
]
BASE_MODULES = {
    "errors", "_checks", "_fileio", "_lazy", "_modelfile", "_progress", "_render",
    "_cachedir", "_jit",  # the user's cache folder; numba's njit with its cache there
}
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}

# Violations known when the contract was added and not yet fixed: (importer, imported module).
# Each entry names its issue; the test fails on any violation not listed here, and on an entry
# that no longer occurs (remove it once fixed).
ALLOWED: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {
    _module_name(p): p for p in sorted(ROOT.rglob("*.py")) if "__pycache__" not in p.parts
}
PACKAGES = {name for name, p in MODULES.items() if p.name == "__init__.py"}


def _exports(tree: ast.Module) -> dict[str, str]:
    """The ``_EXPORTS = {"name": "vectab.module"}`` table of a lazy package, if any."""
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == "_EXPORTS":
            return ast.literal_eval(node.value)
    return {}


TREES = {name: ast.parse(path.read_text("utf-8"), str(path)) for name, path in MODULES.items()}
EXPORTS = {name: _exports(TREES[name]) for name in PACKAGES}


@dataclass(frozen=True)
class Edge:
    importer: str
    imported: str  # a module in MODULES, or "vectab:facade" / "vectab:version"
    line: int

    @property
    def where(self) -> str:
        path = MODULES[self.importer].relative_to(SRC.parent)
        return f"{path}:{self.line}"


def _resolve_from(importer: str, node: ast.ImportFrom) -> list[str]:
    """The modules a ``from X import a, b`` statement reaches (X itself, or its submodules)."""
    if node.level:
        package = importer if importer in PACKAGES else importer.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{node.module}" if node.module else package
    else:
        base = node.module or ""
    if not (base == "vectab" or base.startswith("vectab.")):
        return []
    targets = []
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        if sub in MODULES:
            targets.append(sub)
        elif base == "vectab":
            targets.append("vectab:version" if alias.name == "__version__" else "vectab:facade")
        elif alias.name in EXPORTS.get(base, {}):
            targets.append(EXPORTS[base][alias.name])  # where a lazy name really comes from
        else:
            targets.append(base)
    return targets


def _literal_module(node: ast.Call) -> str | None:
    """``importlib.import_module("vectab.x")`` / ``import_module(...)`` / ``__import__(...)``."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in ("import_module", "__import__") or not node.args:
        return None
    arg = node.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    return None


def _nearest_module(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def collect_edges() -> list[Edge]:
    edges = []
    for importer, tree in TREES.items():
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.split(".")[0] == "vectab"]
            elif isinstance(node, ast.ImportFrom):
                targets = _resolve_from(importer, node)
            elif isinstance(node, ast.Call):
                literal = _literal_module(node)
                if literal and literal.split(".")[0] == "vectab":
                    targets = [literal]
            for target in targets:
                module = target if target.startswith("vectab:") else _nearest_module(target)
                if module is not None and module != importer:
                    edges.append(Edge(importer, module, node.lineno))
        for target in EXPORTS.get(importer, {}).values():  # the lazy table
            module = _nearest_module(target)
            if module is not None and module != importer:
                edges.append(Edge(importer, module, 1))
    return list(dict.fromkeys(edges))  # one edge per (importer, imported, line)


def unit(module: str) -> str:
    """The layer unit of a module: its top-level package, or its root-module placement."""
    if module == "vectab:version":
        return "base"
    if module in ("vectab:facade", "vectab"):
        return "facade"
    top = module.split(".")[1]
    if top in BASE_MODULES:
        return "base"
    return top


def upward(edges: list[Edge]) -> list[Edge]:
    """Edges to a unit of the same or a higher rank (the same unit is fine)."""
    bad = []
    for e in edges:
        a, b = unit(e.importer), unit(e.imported)
        if a != b and RANK[b] >= RANK[a]:
            bad.append(e)
    return bad


def cycles(edges: list[Edge]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for e in edges:
        if e.imported in graph:
            graph[e.importer].add(e.imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_every_unit_has_a_rank():
    units = {unit(m) for m in MODULES if m != "vectab"}
    assert units <= set(RANK), f"place these modules or packages in LAYERS: {units - set(RANK)}"


def test_imports_point_down_the_pipeline():
    bad = [e for e in upward(collect_edges()) if (e.importer, e.imported) not in ALLOWED]
    lines = [
        f"{e.where}: {e.importer} ({unit(e.importer)}) imports {e.imported} ({unit(e.imported)})"
        for e in bad
    ]
    assert not lines, "imports that point up the pipeline (see ARCHITECTURE.md):\n" + "\n".join(
        lines
    )


def test_no_import_cycles():
    edges = collect_edges()
    lines = []
    for component in cycles(edges):
        members = set(component)
        inside = [e for e in edges if e.importer in members and e.imported in members]
        inside = [e for e in inside if (e.importer, e.imported) not in ALLOWED]
        if inside:
            lines.append(" <-> ".join(component))
            lines.extend(f"    {e.where}: {e.importer} imports {e.imported}" for e in inside)
    assert not lines, "import cycles (a function-level import is an import too):\n" + "\n".join(
        lines
    )


# The generic training loop (`vectab.engine`) knows `nn` and the base modules only, never a task
# model or the recipes that build task models from files (`vectab.train`: pipeline, saving,
# readers). `vectab.models.Sequential.fit` and `Trainer` run this one loop; the rank of `engine`
# in LAYERS already forbids imports of `models`/`train`; this test also keeps `vectors` and
# `datasets` out of it (a loop that trains any module has no business with word vectors).
def test_the_training_loop_knows_no_task_model():
    loop = {m for m in MODULES if unit(m) == "engine"}
    assert {"vectab.engine.trainer", "vectab.engine.callbacks"} <= loop
    lines = [
        f"{e.where}: {e.importer} imports {e.imported}"
        for e in collect_edges()
        if e.importer in loop and unit(e.imported) not in ("base", "text", "nn", "engine")
    ]
    assert not lines, "the generic loop must stay below the task models:\n" + "\n".join(lines)


def test_allow_list_is_current():
    edges = {(e.importer, e.imported) for e in collect_edges()}
    stale = ALLOWED - edges
    assert not stale, f"these allowed violations are gone; remove them from ALLOWED: {stale}"


# ----- the checker itself catches what it is meant to catch ------------------------------------


def _edges_of(importer: str, source: str) -> list[Edge]:
    saved = TREES[importer]
    TREES[importer] = ast.parse(source)
    try:
        return [e for e in collect_edges() if e.importer == importer]
    finally:
        TREES[importer] = saved


@pytest.mark.parametrize(
    "source",
    [
        "from vectab.vectors.align import build_embedding_matrix\n",
        "def f():\n    from vectab.vectors import Vectors\n",
        "def f():\n    import vectab.models.classifier\n",
        "import importlib\nm = importlib.import_module('vectab.engine.trainer')\n",
        "from .. import vectors\n",
        "from vectab import Trainer\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from vectab.cli import main\n",
    ],
)
def test_an_upward_import_is_caught(source):
    assert upward(_edges_of("vectab.nn.embedding", source))


@pytest.mark.parametrize(
    "source",
    [
        "from vectab.text import Tokenizer\nfrom vectab.errors import VectabError\n",
        "from vectab import __version__\nfrom . import functional\n",
        "from vectab.nn._table import check_finite\n",
    ],
)
def test_a_downward_import_passes(source):
    assert not upward(_edges_of("vectab.nn.embedding", source))


def test_a_cycle_through_a_function_level_import_is_caught():
    saved = TREES["vectab.vectors.similarity"]
    TREES["vectab.vectors.similarity"] = ast.parse("def f():\n    from .store import Vectors\n")
    try:
        found = cycles(collect_edges())
    finally:
        TREES["vectab.vectors.similarity"] = saved
    assert any(
        {"vectab.vectors.similarity", "vectab.vectors.store"} <= set(c) for c in found
    )
