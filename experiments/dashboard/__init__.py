"""The trainers' page: a local web page that shows policy trade-offs side by side.

``state``, ``compare``, ``levers``, ``lessons`` and ``i18n`` are plain Python (tested without a
browser); ``app`` is the Solara page that shows them; ``command`` serves it.
"""

DEFAULT_PRESET = "northern_midsize_asylum"
