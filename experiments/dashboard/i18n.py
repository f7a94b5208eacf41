"""The page's labels in English and French (the seed's language and that of many officials).

One table: each label's key maps to its text in every language. ``tests/test_dashboard.py``
checks that every label the page uses has every language. Lever meanings and outcome definitions
come from the schema and the outcome registry (in English) and are shown as the model states them.
"""

from __future__ import annotations

LANGUAGES = ("en", "fr")

LABELS: dict[str, dict[str, str]] = {
    "title": {"en": "Arrival city — trainers' page", "fr": "Ville d'arrivée — page des formateurs"},
    "language": {"en": "Français", "fr": "English"},
    "preset": {"en": "City preset", "fr": "Ville de référence"},
    "tab_lessons": {"en": "Lessons", "fr": "Leçons"},
    "tab_compare": {"en": "Side by side", "fr": "Côte à côte"},
    "tab_city": {"en": "Live city", "fr": "Ville en direct"},
    "tab_budget": {"en": "Budget", "fr": "Budget"},
    "levers": {"en": "Levers of the variant", "fr": "Leviers de la variante"},
    "levers_hint": {
        "en": "The baseline is the preset (or the lesson's baseline); the levers set the variant.",
        "fr": "La référence est la ville choisie (ou celle de la leçon) ; les leviers font la "
        "variante.",
    },
    "group_inflow": {"en": "Inflow: shape and total", "fr": "Arrivées : forme et total"},
    "group_national": {"en": "National rules", "fr": "Règles nationales"},
    "group_governance": {"en": "Governance dials", "fr": "Gouvernance"},
    "group_policies": {"en": "City policies", "fr": "Politiques de la ville"},
    "group_partners": {"en": "Partners", "fr": "Partenaires"},
    "theme_work": {"en": "Work", "fr": "Emploi"},
    "theme_housing": {"en": "Housing", "fr": "Logement"},
    "theme_waits": {"en": "Waiting times", "fr": "Temps d'attente"},
    "theme_unmet_need": {"en": "Unmet need", "fr": "Besoins non satisfaits"},
    "theme_cohesion": {"en": "Cohesion", "fr": "Cohésion"},
    "theme_money": {"en": "Money", "fr": "Argent"},
    "theme_coordination": {"en": "Coordination", "fr": "Coordination"},
    "baseline": {"en": "Baseline", "fr": "Référence"},
    "variant": {"en": "Variant", "fr": "Variante"},
    "difference": {"en": "Variant − baseline", "fr": "Variante − référence"},
    "month": {"en": "month", "fr": "mois"},
    "months": {"en": "Months", "fr": "Mois"},
    "seeds": {
        "en": "Seeds (from 2: a 95 % band, narrower with more)",
        "fr": "Graines (dès 2 : une bande à 95 %, plus étroite avec plus)",
    },
    "run_compare": {"en": "Run side by side", "fr": "Lancer la comparaison"},
    "running": {"en": "Running…", "fr": "Calcul en cours…"},
    "reset_levers": {"en": "Back to the baseline", "fr": "Revenir à la référence"},
    "no_comparison": {
        "en": "Load a lesson or press “Run side by side”.",
        "fr": "Chargez une leçon ou appuyez sur « Lancer la comparaison ».",
    },
    "what_differs": {"en": "The variant differs by", "fr": "La variante diffère par"},
    "nothing": {"en": "nothing (the same city twice)", "fr": "rien (deux fois la même ville)"},
    "effect": {"en": "Effect over the run", "fr": "Effet sur la période"},
    "same_seeds": {
        "en": "Same seeds in both runs (common random numbers): the difference is the "
        "variant's effect, not noise.",
        "fr": "Mêmes graines dans les deux simulations (nombres aléatoires communs) : l'écart "
        "est l'effet de la variante, pas du bruit.",
    },
    "export_png": {"en": "Download PNG", "fr": "Télécharger PNG"},
    "export_csv": {"en": "Download CSV", "fr": "Télécharger CSV"},
    "load_lesson": {"en": "Load this lesson", "fr": "Charger cette leçon"},
    "read_out": {"en": "Read out", "fr": "À lire"},
    "play": {"en": "Play", "fr": "Lecture"},
    "pause": {"en": "Pause", "fr": "Pause"},
    "step": {"en": "Step", "fr": "Pas"},
    "reset": {"en": "Reset", "fr": "Réinitialiser"},
    "press_reset": {
        "en": "The city or the levers changed: press Reset to run the city with them.",
        "fr": "La ville ou les leviers ont changé : appuyez sur Réinitialiser pour les appliquer.",
    },
    "city_month": {"en": "Month", "fr": "Mois"},
    "map_rent": {"en": "Rent", "fr": "Loyer"},
    "map_informality": {"en": "Informal dwellings (share)", "fr": "Logement informel (part)"},
    "map_newcomers": {"en": "Newcomers (share)", "fr": "Nouveaux arrivants (part)"},
    "map_sites": {"en": "Service sites", "fr": "Sites de services"},
    "budget_item": {"en": "Item (currency/month)", "fr": "Poste (monnaie/mois)"},
    "budget_price": {
        "en": "Price per 1,000 residents at full level",
        "fr": "Prix pour 1 000 habitants, à plein niveau",
    },
    "budget_hint": {
        "en": "Policies cost their price per 1,000 residents (model/policies.py); mandates, "
        "money and gap are the run's monthly means.",
        "fr": "Chaque politique coûte son prix pour 1 000 habitants (model/policies.py) ; "
        "mandats, moyens et déficit sont les moyennes mensuelles de la simulation.",
    },
    "city_mandate": {"en": "What the city's mandates cost", "fr": "Coût des mandats de la ville"},
    "city_funding": {"en": "The city's money", "fr": "Moyens de la ville"},
    "budget_gap": {"en": "Gap (mandates − money)", "fr": "Déficit (mandats − moyens)"},
    "bad_value": {"en": "Not allowed", "fr": "Valeur refusée"},
    "offline": {
        "en": "Served from this computer: no internet needed.",
        "fr": "Servie par cet ordinateur : aucune connexion requise.",
    },
}


def t(key: str, language: str) -> str:
    """The label ``key`` in ``language`` (English if the language is unknown).

    Raises:
        KeyError: an unknown label (a typo in the page's code).
    """
    texts = LABELS[key]
    return texts.get(language, texts["en"])


def missing() -> list[str]:
    """Labels lacking a language or with an empty text (empty when the table is complete)."""
    return [
        f"{key}.{lang}"
        for key, texts in LABELS.items()
        for lang in LANGUAGES
        if not texts.get(lang)
    ]
