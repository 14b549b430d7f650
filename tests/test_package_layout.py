"""The shape of ``analysis/``: imports flow corpus <- methods <- engine, no circles, no private
names across modules, no Streamlit, small modules, and a map (analysis/README.md) that names them all."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PKG = ROOT / "analysis"
LAYER = {"corpus": 0, "methods": 1, "engine": 2}  # a module may import only its own layer or lower ones
MAX_LINES = 700  # "no module much over 600 lines"


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        out[name] = path
    return out


def imports(path: Path, name: str) -> list[tuple[str, list[str], int]]:
    """(imported module, names, line) for every import in the file, at any depth, made absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            found.append((base, [a.name for a in node.names], node.lineno))
        elif (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in
              ("__import__", "import_module") and node.args and isinstance(node.args[0], ast.Constant)):
            found.append((str(node.args[0].value), [], node.lineno))  # a dynamic import is an import too
    return found


def internal_edges() -> dict[str, set[str]]:
    mods = modules()
    edges = {m: set() for m in mods}
    for name, path in mods.items():
        for target, names, _ in imports(path, name):
            for cand in [f"{target}.{n}" for n in names] + [target]:
                if cand in mods and cand != name:
                    edges[name].add(cand)
                    break
    return edges


def layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYER.get(parts[1]) if len(parts) > 2 else None


def test_analysis_never_imports_streamlit():
    for name, path in modules().items():
        for target, _, line in imports(path, name):
            assert not target.startswith("streamlit"), f"{path.relative_to(ROOT)}:{line} imports {target}"


def test_imports_flow_corpus_to_methods_to_engine():
    for src, targets in internal_edges().items():
        for dst in targets:
            if layer(src) is not None and layer(dst) is not None:
                assert layer(dst) <= layer(src), f"{src} imports {dst}: imports must flow corpus <- methods <- engine"


def test_no_import_circle():
    edges = internal_edges()
    state: dict[str, int] = {}

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                pytest.fail("import circle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])


def test_no_private_name_imported_across_modules():
    for name, path in modules().items():
        for target, names, line in imports(path, name):
            if target.startswith("analysis"):
                private = [n for n in names if n.startswith("_") and n != "__version__"]
                assert not private, f"{path.relative_to(ROOT)}:{line} imports private {private} from {target}"


@pytest.mark.parametrize("name", sorted(modules()))
def test_module_is_small(name):
    lines = len(modules()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it by what it holds (at most ~600)"


def test_readme_map_names_every_module():
    text = (PKG / "README.md").read_text(encoding="utf-8")
    for name, path in modules().items():
        if path.name != "__init__.py" and path.name != "__main__.py":
            assert f"{path.stem}.py" in text, f"analysis/README.md does not place {path.relative_to(ROOT)}"
