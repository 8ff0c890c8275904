"""docs/ARCHITECTURE.md stays true: every `path.py:name` it lists exists.

The guide tells the next engineer where each rule lives (rule → file:function); a rename
that leaves the guide behind fails here, naming the stale reference.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "ARCHITECTURE.md"
REFERENCE = re.compile(r"`([\w/]+\.py):([\w.]+)`")


@cache
def _defined_names(path: Path) -> dict[str, set[str]]:
    """Top-level names of ``path`` (functions, classes, assigned constants, imports),
    with the method and attribute names of each class."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names[node.name] = set()
        elif isinstance(node, ast.ClassDef):
            members = set()
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    members.add(item.name)
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    members.add(item.target.id)
            names[node.name] = members
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = set()
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = set()
        elif isinstance(node, ast.ImportFrom | ast.Import):
            for alias in node.names:
                names[(alias.asname or alias.name).split(".")[0]] = set()
    return names


def _references() -> list[tuple[str, str]]:
    return REFERENCE.findall(GUIDE.read_text(encoding="utf-8"))


def test_the_guide_lists_rules_and_the_request_path() -> None:
    # given the guide
    # then it names a good number of places, one per rule at least
    text = GUIDE.read_text(encoding="utf-8")
    assert len(_references()) >= 60
    for rule in range(1, 16):
        assert re.search(rf"^\| {rule} ", text, re.MULTILINE), f"rule {rule} has no row"


def test_every_listed_function_exists() -> None:
    # given every `file.py:name` of the guide
    stale = []
    for file, name in _references():
        path = ROOT / file
        if not path.is_file():
            stale.append(f"{file}:{name} (no such file)")
            continue
        # when its file is read
        top, _, member = name.partition(".")
        names = _defined_names(path)
        # then the name is defined there (a method: on its class)
        if top not in names or (member and member not in names[top]):
            stale.append(f"{file}:{name}")
    assert not stale, "docs/ARCHITECTURE.md names what no longer exists: " + ", ".join(stale)


def test_the_check_catches_a_stale_name(tmp_path: Path) -> None:
    # given a module without the name the guide would list
    module = tmp_path / "m.py"
    module.write_text("def present():\n    pass\n\nclass K:\n    def m(self): ...\n")
    names = _defined_names(module)
    # then only what exists is found
    assert "present" in names and "m" in names["K"]
    assert "absent" not in names
