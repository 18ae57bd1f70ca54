"""The course's rules: the steps of one register row checked against each other and the norms.

The steps are declared once, in ``data/programme.toml`` (``[[etapes]]``, read as
:attr:`atelierflash.programme.Programme.etapes`); the norms too (``[parcours]``
``animation_jours_max``, ``[programme]`` ``duree_mois_max``). :func:`check_course` runs on the
values :mod:`atelierflash.validation` has already parsed and only adds warnings: the row is kept,
a person reads « ligne, colonne : … » and decides.

The rules
---------
- A step dated before an earlier step, compared at the precision of the two dates (« 03/2024 »
  is not before « 15/03/2024 »); the mayor's and the préfet's letters may come in either order,
  both before the dossier is sent (``depot``). A step is compared with the nearest earlier step
  that has a date, so one wrong date gives one or two warnings, not one per step.
- More days on site than the norm; more months than the norm from the first bon de commande (else
  the start) to the restitution (else the end).
- A realised atelier with neither restitution nor end date (when the register has one of the
  two columns: a register that does not follow the ends is not warned on every row); a step
  dated after today under « réalisé ».
- The points d'étape (phase ``"suites"``, generated from ``[suivi]`` ``points_etape_mois``):
  each after the restitution (else the end: the end of an atelier's paperwork may come after
  a review held after the restitution), then in their order, by the same order rule; a point
  dated after today, whatever the statut (a point is dated the day it is held).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable

from atelierflash.programme import Programme, Step
from atelierflash.registre import PartialDate

#: Steps that may come in either order among themselves (the two support letters).
UNORDERED = frozenset({"courrier_elu", "courrier_prefet"})

Warn = Callable[[str, str], None]


def step_dates(record: dict, step: Step) -> tuple[PartialDate, ...]:
    """The dates of ``step`` in a parsed atelier (none, one, or several for a multi-date step).

    Parameters
    ----------
    record : dict
        A parsed atelier (a row of ``ValidationReport.ateliers``).
    step : Step
    """
    value = record.get(step.field)
    if value is None or value is not value:  # None or NaN
        return ()
    if isinstance(value, PartialDate):
        return (value,)
    return tuple(d for d in value if isinstance(d, PartialDate))


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, kept within the month (31 janvier + 1 → 28/29 février).

    Examples
    --------
    >>> add_months(dt.date(2024, 1, 31), 1)
    datetime.date(2024, 2, 29)
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_course(
    record: dict,
    programme: Programme,
    warn: Warn,
    *,
    today: dt.date,
    skip: frozenset[str] = frozenset(),
    columns: frozenset[str] | None = None,
) -> None:
    """Warn about the course of one parsed atelier.

    Parameters
    ----------
    record : dict
        The parsed values of a row: ``statut`` and each step's field (see
        :attr:`Step.field`), ``None`` or ``()`` when not dated.
    programme : Programme
        Gives the steps, in order, and the norms.
    warn : callable
        ``warn(message, column)``: adds a warning to the row (``RowResult.warning``).
    today : datetime.date
        What « after today » means.
    skip : frozenset of str, optional
        Columns already in error for an order (fin before début): not warned about again.
    columns : frozenset of str, optional
        The register's columns (default: all); a missing end is reported only when the register
        has a restitution or an end column.
    """
    _check_order(record, programme, warn, skip)
    _check_norms(record, programme, warn)
    if record.get("statut") == "realise":
        _check_realised(record, programme, warn, today, columns)
    for point in programme.points_etape:
        late = [d for d in step_dates(record, point.step) if d.first_day() > today]
        if late:
            warn(
                f"l'étape « {point.label} » est datée du {late[0].display()}, après "
                "aujourd'hui : un point d'étape se date le jour où il est tenu ; laissez la "
                "cellule vide d'ici là",
                point.step.column,
            )


def _first_point(programme: Programme) -> str | None:
    return programme.points_etape[0].step.key if programme.points_etape else None


def _check_order(record: dict, programme: Programme, warn: Warn, skip: frozenset[str]) -> None:
    # The steps in groups: one group per step, except the unordered letters, which share one.
    groups: list[list[Step]] = []
    for step in programme.etapes:
        if step.key in UNORDERED and groups and groups[-1][0].key in UNORDERED:
            groups[-1].append(step)
        else:
            groups.append([step])
    previous: tuple[Step, PartialDate] | None = None
    restitution = _first_dated(record, programme, ("restitution", "fin"))
    for group in groups:
        if group[0].phase == "suites" and group[0].key == _first_point(programme):
            # The points d'étape count from the restitution (else the end), not from the end.
            previous = (restitution[0], restitution[1]) if restitution[1] else previous
        dated = [(step, step_dates(record, step)) for step in group]
        dated = [(step, min(dates)) for step, dates in dated if dates]
        if not dated:
            continue
        if previous is not None:
            before_step, before = previous
            for step, first in dated:
                if first.last_day() < before.first_day() and step.column not in skip:
                    warn(
                        f"l'étape « {step.label} » ({first.display()}) précède l'étape "
                        f"« {before_step.label} » ({before.display()}) qui vient avant elle "
                        "dans le parcours : vérifiez les deux dates",
                        step.column,
                    )
        previous = max(dated, key=lambda pair: pair[1].first_day())


def _check_norms(record: dict, programme: Programme, warn: Warn) -> None:
    animation = programme.step("animation")
    days = {d for d in step_dates(record, animation) if d.day is not None}
    limit = programme.animation_days_max
    if len(days) > limit:
        warn(
            f"{len(days)} jours d'animation sur site, au-delà de la norme publiée du programme "
            f"({limit} jours au plus)",
            animation.column,
        )
    start_step, start = _first_dated(record, programme, ("bon_commande", "debut"))
    end_step, end = _first_dated(record, programme, ("restitution", "fin"))
    if start is None or end is None:
        return
    months = programme.duration_months_max
    # At the precision of the dates: the latest start and the earliest end they allow.
    if end.first_day() > add_months(start.last_day(), months):
        warn(
            f"plus de {months} mois entre l'étape « {start_step.label} » ({start.display()}) "
            f"et l'étape « {end_step.label} » ({end.display()}) : au-delà de la durée publiée "
            f"du programme ({programme.info.get('duree_mois_min', '?')} à {months} mois)",
            end_step.column,
        )


def _first_dated(
    record: dict, programme: Programme, keys: tuple[str, ...]
) -> tuple[Step, PartialDate | None]:
    """The first of ``keys`` that has a date, with its earliest date."""
    for key in keys:
        step = programme.step(key)
        dates = step_dates(record, step)
        if dates:
            return step, min(dates)
    return programme.step(keys[-1]), None


def _check_realised(
    record: dict,
    programme: Programme,
    warn: Warn,
    today: dt.date,
    columns: frozenset[str] | None,
) -> None:
    restitution, end = programme.step("restitution"), programme.step("fin")
    followed = columns is None or bool({restitution.column, end.column} & columns)
    if followed and not step_dates(record, restitution) and not step_dates(record, end):
        warn(
            "atelier « réalisé » sans date de restitution ni date de fin : renseignez l'une "
            "ou l'autre",
            end.column,
        )
    for step in programme.etapes:
        if step.phase == "suites":
            continue  # a point d'étape after today is warned whatever the statut
        late = [d for d in step_dates(record, step) if d.first_day() > today]
        if late:
            warn(
                f"l'étape « {step.label} » est datée du {late[0].display()}, après aujourd'hui, "
                "pour un atelier « réalisé » : vérifiez la date ou le statut",
                step.column,
            )
