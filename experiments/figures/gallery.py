"""Write ``docs/FIGURES.md``, the figure book's gallery, from the figures' provenance files.

``python -m experiments.figures.gallery docs/figures docs/FIGURES.md`` (run by ``make figures``):
each figure, its question, its one-line answer as the model says it, and its command.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from experiments.figures import RECIPES, recipe

HEAD = """# The figure book

Every figure is one command away: `arrival-city figure NAME` resumes or runs its sweep
(`experiments/sweeps/figure_*.toml`) through the runner and the results database, then writes
`NAME.png`, `NAME.svg`, `NAME.csv` (exactly the plotted numbers: means and 95 % intervals over
seeds) and `NAME.json` (provenance: code version, sweep file hashes, seeds, settings).
`arrival-city figure --list` names them; `arrival-city figure --all` makes them all.

The pictures and tables below are committed in `docs/figures/`, each at the settings it names
(full unless said otherwise); they are regenerated with `make figures` whenever the model changes
(and the quick references of the tests with `make figures-quick`). The answers are what the
model says, not findings about real cities: read them with docs/ODD.md (assumptions and
calibration) and the `evidence` figure.
"""


def gallery(folder: Path, link: str) -> str:
    """The gallery's Markdown, from ``folder/NAME.json`` of each figure made there.

    Args:
        folder: where the figures are.
        link: the folder as written in links from the gallery file.
    """
    parts = [HEAD]
    for name in RECIPES:
        module = recipe(name)
        meta_path = folder / f"{name}.json"
        parts.append(f"\n## {name}\n\n**{module.QUESTION}**\n")
        if not meta_path.is_file():
            parts.append("\n(not made yet: its input is missing; see its command.)\n")
        else:
            meta = json.loads(meta_path.read_text())
            settings = meta["settings"]
            parts.append(
                f"\n![{name}]({link}/{name}.png)\n\n*The model says:* {meta['answer']}\n\n"
                f"Numbers: [{name}.csv]({link}/{name}.csv) (**{settings} settings**, made "
                f"{meta['made_at']} by {meta['code'].get('git', '')}; provenance in "
                f"[{name}.json]({link}/{name}.json)).\n"
            )
        parts.append(f"\n```sh\narrival-city figure {name}\n```\n")
    return "".join(parts)


def main(argv: list[str] | None = None) -> int:
    """``python -m experiments.figures.gallery FOLDER OUT.md``."""
    folder, out = (Path(a) for a in (argv or sys.argv[1:]))
    relative = folder.resolve().relative_to(out.parent.resolve())
    out.write_text(gallery(folder, relative.as_posix()))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
