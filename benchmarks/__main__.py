"""``python -m benchmarks``: measure the map page against a naive folium page.

Prints the table of medians and the budgets (met or not); ``--json`` also writes the raw
figures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Mesurer la carte face à une carte folium naïve (charge, temps, navigateur).",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=7,
        help="mesures par chiffre (médiane ; × 3 pour la carte publique et son plancher)",
    )
    parser.add_argument("--scale", type=int, default=10, help="taille du registre synthétique (×N)")
    parser.add_argument("--no-browser", action="store_true", help="sans les mesures dans Chromium")
    parser.add_argument("--json", type=Path, help="écrire aussi les chiffres bruts dans ce fichier")
    parser.add_argument(
        "--only",
        choices=["publique"],
        help="publique : seulement la carte publique et son plancher Leaflet (sans Streamlit)",
    )
    parser.add_argument(
        "--python",
        type=Path,
        help="interpréteur des serveurs Streamlit (défaut : .venv/bin/python du projet, "
        "l'installation du README)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.scale < 1:
        print("--runs et --scale doivent être des entiers positifs", file=sys.stderr)
        return 2
    from benchmarks import carte

    python = args.python or carte.project_python()
    if python is None and not args.no_browser and args.only != "publique":
        print(
            "Pas d'environnement .venv dans le projet : créez-le comme le README "
            "(python3 -m venv .venv && .venv/bin/pip install -r requirements-dev.txt) ou "
            "indiquez --python (les mesures ne seraient pas celles de l'installation du README).",
            file=sys.stderr,
        )
        return 2
    figures = carte.run(
        runs=args.runs,
        scale=args.scale,
        browser=not args.no_browser,
        python=python,
        only=args.only,
    )
    if args.json:
        args.json.write_text(carte.to_json(figures), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
