"""The trainers' page (Solara). It shows the state kept in ``state.py``; it decides nothing itself.

Run it with ``arrival-city dashboard``. Tabs: lessons, side by side, the live city, the budget.
Every figure is drawn on the server (matplotlib), so the browser fetches nothing but the page's
own assets from this computer. Mesa's SolaraViz controls and plots show one model with English
labels; this page shows two arms side by side in two languages, so it is built with Solara
directly (``ArrivalCity`` itself runs in SolaraViz: tests/test_mesa_contract.py).
"""

from __future__ import annotations

import html
import os
import threading
import time
from typing import Any

import solara
import solara.lab

from experiments.dashboard import charts
from experiments.dashboard.compare import OUTCOME, Comparison, Runner, budget
from experiments.dashboard.i18n import LANGUAGES, t
from experiments.dashboard.lessons import Lesson, lessons
from experiments.dashboard.levers import Lever, levers, value_of
from experiments.dashboard.state import (
    DEFAULT_PRESET,
    LiveCity,
    Setup,
    choose_preset,
    load_lesson,
    presets,
    set_lever,
    set_run,
)
from model.scenario import PoliciesParams, ScenarioError

PRESET_ENV = "ARRIVAL_CITY_DASHBOARD_PRESET"
WORKERS_ENV = "ARRIVAL_CITY_DASHBOARD_WORKERS"
PLAY_PAUSE_SECONDS = 0.05  # pause between months while playing
MONEY = ("city_mandate", "city_funding", "budget_gap")  # budget lines named by i18n
PROGRESS_STEP = 2.0  # percent: the progress bar moves in steps this size

LESSONS: list[Lesson] = lessons()
_runner: Runner | None = None
_runner_lock = threading.Lock()


def runner() -> Runner:
    """The server's one pool of worker processes (started on first use)."""
    global _runner  # noqa: PLW0603 - one pool for the whole server
    with _runner_lock:
        if _runner is None:
            workers = os.environ.get(WORKERS_ENV)
            _runner = Runner(int(workers) if workers else None)
        return _runner


runner()  # the workers start with the server, not on the first click

language = solara.reactive("en")
setup = solara.reactive(Setup(preset=os.environ.get(PRESET_ENV, DEFAULT_PRESET)))
problem = solara.reactive("")
result: solara.Reactive[tuple[Setup, Comparison] | None] = solara.reactive(None)
tab = solara.reactive(0)
live: solara.Reactive[LiveCity | None] = solara.reactive(None)
live_setup: solara.Reactive[Setup | None] = solara.reactive(
    None
)  # what the live city was built from
live_month = solara.reactive(0)
playing = solara.reactive(False)


def _change(action: Any, *args: Any) -> None:
    """Apply a state change; a refused value is shown, not raised."""
    try:
        setup.value = action(setup.value, *args)
        problem.value = ""
    except ScenarioError as exc:
        problem.value = f"{t('bad_value', language.value)}: {exc}"


@solara.lab.task
def comparison_task() -> tuple[Setup, Comparison] | None:
    """Run the side by side of the current setup (in a thread; workers do the months)."""
    chosen = setup.value
    shown = [0.0]

    def progress(share: float) -> None:
        if share * 100 - shown[0] >= PROGRESS_STEP or share >= 1:
            shown[0] = share * 100
            comparison_task.progress = shown[0]

    comparison_task.progress = 0.0
    done = runner().compare(
        chosen.base_scenario(),
        chosen.variant_scenario(),
        list(range(chosen.seeds)),
        progress,
        cancelled=lambda: not comparison_task.is_current(),
    )
    if done is not None:
        result.value = (chosen, done)
        tab.value = 1
    return (chosen, done) if done is not None else None


# ------------------------------------------------------------------ controls
@solara.component
def LeverControl(lever: Lever, current: Any, owner: str = ""):
    """One lever with its schema meaning and unit (``owner``: the partner it belongs to)."""
    name = (f"{owner}: " if owner else "") + lever.name.replace("_", " ")
    label = f"{name} ({lever.unit})" if lever.unit else name
    key = lever.key

    def on_value(value: Any) -> None:
        _change(set_lever, key, int(value) if lever.is_int else value)

    with solara.Div(classes=["lever", "lever-" + key.replace(".", "-")]):
        if lever.widget == "switch":
            solara.Switch(label=label, value=bool(current), on_value=on_value)
        elif lever.widget == "select":
            solara.Select(label=label, value=current, values=list(lever.choices), on_value=on_value)
        elif lever.widget == "slider" and lever.is_int:
            solara.SliderInt(
                label, value=int(current), min=int(lever.lo), max=int(lever.hi), on_value=on_value
            )
        elif lever.widget == "slider":
            solara.SliderFloat(
                label,
                value=float(current),
                min=lever.lo,
                max=lever.hi,
                step=lever.step,
                on_value=on_value,
            )
        elif lever.is_int:
            solara.InputInt(label, value=int(current), on_value=on_value, continuous_update=False)
        else:
            solara.InputFloat(label, value=float(current), on_value=on_value)
        solara.Text(lever.meaning, style={"font-size": "0.8em", "color": "#555"})


@solara.component
def WhatDiffers(chosen: Setup, lang: str, css: str):
    """What sets the variant apart from the baseline: its own overlays and moved levers."""
    changes = [*chosen.variant_overlays, *(f"{k} = {v}" for k, v in chosen.variant.items())]
    solara.Text(
        f"{t('what_differs', lang)}: {'; '.join(changes) or t('nothing', lang)}",
        classes=[css],
        style={"font-size": "0.85em"},
    )


@solara.component
def Levers():
    """The preset picker, horizon, seeds and the variant's levers by schema group."""
    lang, chosen = language.value, setup.value
    scenario = solara.use_memo(chosen.variant_scenario, [chosen])
    with solara.Div(classes=["preset-picker"]):
        solara.Select(
            t("preset", lang),
            value=chosen.preset,
            values=presets(),
            on_value=lambda name: _change(choose_preset, name),
        )
    with solara.Div(classes=["run-months"]):
        solara.SliderInt(
            f"{t('months', lang)}: {chosen.months}",
            value=chosen.months,
            min=6,
            max=120,
            step=6,
            on_value=lambda m: _change(set_run, m),
        )
    with solara.Div(classes=["run-seeds"]):
        solara.SliderInt(
            f"{t('seeds', lang)}: {chosen.seeds}",
            value=chosen.seeds,
            min=1,
            max=10,
            on_value=lambda n: _change(set_run, None, n),
        )
    if problem.value:
        solara.Error(problem.value, classes=["problem"])
    solara.Text(t("levers", lang), style={"font-weight": "bold"})
    WhatDiffers(chosen, lang, "variant-changes")
    solara.Text(t("levers_hint", lang), style={"font-size": "0.85em"})
    for group, items in levers(scenario).items():
        with solara.Details(summary=t(f"group_{group}", lang), expand=group == "policies"):
            for lever in items:
                owner = ""
                if group == "partners":
                    owner = scenario.partners[int(lever.key.split(".")[1])].name
                LeverControl(lever, value_of(scenario, lever.key), owner)
    solara.Button(
        t("reset_levers", lang),
        on_click=lambda: _change(lambda s: Setup(s.preset, months=s.months, seeds=s.seeds)),
        text=True,
        classes=["reset-levers"],
    )


# ------------------------------------------------------------------ tabs
@solara.component
def LessonsTab():
    """One card per lesson; one click loads it and runs its side by side."""
    lang = language.value

    def load(lesson: Lesson) -> None:
        setup.value = load_lesson(lesson)
        problem.value = ""
        comparison_task()

    for lesson in LESSONS:
        with solara.Card(lesson.title[lang], classes=["lesson", "lesson-" + lesson.key]):
            solara.Text(
                f"{lesson.baseline.label[lang]}  ↔  {lesson.variant.label[lang]}",
                style={"font-weight": "bold"},
            )
            solara.HTML(tag="p", unsafe_innerHTML=html.escape(lesson.text[lang]))
            solara.Button(
                t("load_lesson", lang),
                on_click=lambda lesson=lesson: load(lesson),
                color="primary",
                classes=["load-lesson"],
            )


def _labels(chosen: Setup, lang: str) -> tuple[str, str]:
    return (
        chosen.label("baseline", lang) or t("baseline", lang),
        chosen.label("variant", lang) or t("variant", lang),
    )


def _comparison_png(lang: str) -> bytes | None:
    if result.value is None:
        return None
    chosen, comparison = result.value
    return charts.png(
        charts.comparison_figure(comparison, _labels(chosen, lang), lang, chosen.themes)
    )


def _number(value: float) -> str:
    """A signed number a trainer reads at a glance (thousands separated, 3 significant digits)."""
    return f"{value:+,.0f}" if abs(value) >= 1000 else f"{value:+.3g}"


@solara.component
def CompareTab():
    """Both arms on shared axes, their difference, the effects, the exports."""
    lang = language.value
    with solara.Row():
        solara.Button(
            t("run_compare", lang),
            on_click=comparison_task,
            color="primary",
            disabled=comparison_task.pending,
            classes=["run-compare"],
        )
    if comparison_task.pending:
        solara.Text(t("running", lang), classes=["running"])
        solara.ProgressLinear(comparison_task.progress or True)
    figure = solara.use_memo(lambda: _comparison_png(lang), [result.value, lang])
    if result.value is None or figure is None:
        solara.Info(t("no_comparison", lang))
        return
    chosen, comparison = result.value
    lesson = next((x for x in LESSONS if x.key == chosen.lesson), None)
    if lesson is not None:
        with solara.Card(t("read_out", lang) + ": " + lesson.title[lang], classes=["read-out"]):
            solara.HTML(tag="p", unsafe_innerHTML=html.escape(lesson.text[lang]))
    labels = _labels(chosen, lang)
    with solara.Row(classes=["arm-labels"]):
        for arm, label in zip(("baseline", "variant"), labels, strict=True):
            solara.Text(
                f"■ {t(arm, lang)}" + (f": {label}" if chosen.labels else ""),
                style={"color": charts.COLOURS[arm], "font-weight": "bold"},
            )
    WhatDiffers(chosen, lang, "what-differs")
    solara.Text(t("same_seeds", lang), style={"font-size": "0.9em"})
    with solara.Div(classes=["comparison-figure"]):
        solara.Image(figure, width="100%")
    rows = []
    for theme, outcome in chosen.themes.items():
        mean, low, high = comparison.effect(outcome)
        interval = f" [{_number(low)}, {_number(high)}]" if len(comparison.seeds) > 1 else ""
        rows.append(
            f"<tr><td>{html.escape(t('theme_' + theme, lang))}</td><td>{outcome}</td>"
            f"<td class='effect-{theme}'>{_number(mean)}{interval}</td>"
            f"<td>{html.escape(OUTCOME[outcome].unit)}</td></tr>"
        )
    solara.HTML(
        tag="table",
        unsafe_innerHTML=f"<caption>{html.escape(t('effect', lang))} "
        f"({html.escape(t('difference', lang))})</caption>" + "".join(rows),
        classes=["effects"],
    )
    with solara.Row():
        solara.FileDownload(
            figure, filename="comparison.png", label=t("export_png", lang), mime_type="image/png"
        )
        solara.FileDownload(
            lambda: comparison.to_csv(list(chosen.themes.values())),
            filename="comparison.csv",
            label=t("export_csv", lang),
            mime_type="text/csv",
        )


@solara.lab.task
def play_task() -> None:
    """Step the live city month after month until paused or at the horizon (in a thread)."""
    city = live.value
    while playing.value and city is not None and city.step():
        live_month.value = city.month
        time.sleep(PLAY_PAUSE_SECONDS)
    playing.value = False


def _play() -> None:
    playing.value = True
    play_task()


@solara.component
def LiveTab():
    """The variant's city month by month: play, pause, step, reset; the map and the charts."""
    lang = language.value
    if live.value is None:
        live.value = LiveCity(setup.value.variant_scenario())
        live_setup.value = setup.value
    city = live.value

    def step() -> None:
        if city.step():
            live_month.value = city.month

    def reset() -> None:
        playing.value = False
        city.reset(setup.value.variant_scenario())  # the chosen preset with the levers
        live_setup.value = setup.value
        live_month.value = city.month

    month = live_month.value
    with solara.Row(classes=["live-controls"]):
        solara.Button(
            t("play", lang),
            on_click=_play,
            disabled=playing.value,
            classes=["play"],
        )
        solara.Button(
            t("pause", lang),
            on_click=lambda: playing.set(False),
            disabled=not playing.value,
            classes=["pause"],
        )
        solara.Button(t("step", lang), on_click=step, disabled=playing.value, classes=["step"])
        solara.Button(t("reset", lang), on_click=reset, classes=["reset"])
        solara.Text(
            f"{t('city_month', lang)} {month} / {city.model.months} — {city.scenario.city.name}",
            classes=["live-month"],
        )
    if live_setup.value != setup.value:
        solara.Warning(t("press_reset", lang), classes=["press-reset"])
    picture = solara.use_memo(
        lambda: (
            charts.png(charts.city_map(city.model, lang)),
            charts.png(charts.live_figure(city.timeseries(), lang)),
        ),
        [month, lang, city.model],
    )
    with solara.Div(classes=["city-map"]):
        solara.Image(picture[0], width="100%")
    with solara.Div(classes=["live-charts"]):
        solara.Image(picture[1], width="100%")


def _budget_item(item: str, lang: str) -> str:
    """A budget line's name: the money outcomes by label, a policy with its schema meaning."""
    if item in MONEY:
        return t(item, lang)
    meaning = PoliciesParams.model_fields[item].description
    return f"{item.replace('_', ' ')} — {meaning}"


@solara.component
def BudgetTab():
    """Each policy's monthly cost, the mandates, the money and the gap, for both arms."""
    lang = language.value
    if result.value is None:
        solara.Info(t("no_comparison", lang))
        return
    chosen, comparison = result.value
    labels = _labels(chosen, lang)
    head = (
        f"<tr><th>{html.escape(t('budget_item', lang))}</th>"
        f"<th>{html.escape(t('budget_price', lang))}</th><th>{html.escape(labels[0])}</th>"
        f"<th>{html.escape(labels[1])}</th></tr>"
    )
    body = "".join(
        f"<tr><td>{html.escape(_budget_item(line.item, lang))}</td>"
        f"<td>{'' if line.per_1000 is None else format(line.per_1000, ',.0f')}</td>"
        f"<td>{line.baseline:,.0f}</td><td>{line.variant:,.0f}</td></tr>"
        for line in budget(comparison)
    )
    solara.HTML(tag="table", unsafe_innerHTML=head + body, classes=["budget"])
    solara.Text(t("budget_hint", lang), style={"font-size": "0.85em"})


STYLE = """
table.effects, table.budget { border-collapse: collapse; margin: 8px 0; }
table.effects td, table.budget td, table.budget th { border: 1px solid #ccc; padding: 3px 8px; }
table.budget td:nth-child(n+2) { text-align: right; }
.lever { margin-bottom: 6px; }
"""


@solara.component
def Page():
    """The whole page."""
    lang = language.value
    solara.Style(STYLE)
    solara.Title(t("title", lang))
    with solara.AppBar():
        solara.Button(
            t("language", lang),
            on_click=lambda: language.set(LANGUAGES[1 - LANGUAGES.index(lang)]),
            text=True,
            classes=["language-switch"],
        )
    with solara.AppBarTitle():
        solara.Text(t("title", lang), classes=["page-title"])
    with solara.Sidebar():
        Levers()
    names = ("lessons", "compare", "city", "budget")
    with (
        solara.Div(classes=["tab-bar"]),
        solara.ToggleButtonsSingle(
            value=names[tab.value], on_value=lambda n: tab.set(names.index(n))
        ),
    ):
        for name in names:
            solara.Button(t(f"tab_{name}", lang), value=name, classes=[f"tab-{name}"])
    (LessonsTab, CompareTab, LiveTab, BudgetTab)[tab.value]()
    solara.Text(t("offline", lang), style={"font-size": "0.8em", "color": "#777"})
