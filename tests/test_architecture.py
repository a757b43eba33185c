"""The house: no module imports one above it (issue 17).

At the bottom the rules (access, statuses, money, units) import nothing of the project; the register
(`programmes`, with `programmes.imports`) never imports the reports or the site's composition; the
reports never import the site's composition (`khuyencong`, but for its settings' helpers).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOTTOM = ["programmes/access.py", "programmes/statuses.py", "programmes/money.py", "programmes/units.py"]


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                names.add(".".join([*base, node.module] if node.module else base))
            else:
                names.add(node.module)
    return names


def sources(folder: str):
    for path in (ROOT / folder).rglob("*.py"):
        if "migrations" not in path.parts:
            yield path


@pytest.mark.parametrize("folder", ["programmes"])
def test_the_register_imports_neither_the_reports_nor_the_site(folder):
    offenders = {
        str(path.relative_to(ROOT)): sorted(n for n in imported(path) if n.split(".")[0] in ("reports", "khuyencong"))
        for path in sources(folder)
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_reports_do_not_import_the_site():
    offenders = {
        str(path.relative_to(ROOT)): sorted(n for n in imported(path) if n.split(".")[0] == "khuyencong")
        for path in sources("reports")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


@pytest.mark.parametrize("module", BOTTOM)
def test_the_rules_at_the_bottom_import_no_model(module):
    project = {n for n in imported(ROOT / module) if n.split(".")[0] in ("programmes", "reports", "khuyencong")}
    assert project <= {"programmes.lib.formatting"}, project
