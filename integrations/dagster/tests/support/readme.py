"""The README's quickstart blocks (those after a ``<!-- quickstart: NAME -->`` marker), read from
the file itself so the test and the UI screenshot script run exactly what a reader pastes."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
SNIPPET = re.compile(r"<!-- quickstart: (\S+) -->\s*```\w*\n(.*?)```", re.DOTALL)
NAMES = {"floe.yaml", "definitions.py", "materialize"}


def quickstart_snippets() -> dict[str, str]:
    found = {name: body for name, body in SNIPPET.findall(README.read_text(encoding="utf-8"))}
    assert set(found) == NAMES, f"README quickstart blocks: {sorted(found)}"
    return found


def write_quickstart_project(directory: Path) -> dict[str, str]:
    """Writes floe.yaml and definitions.py into ``directory``; returns every block."""
    blocks = quickstart_snippets()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "floe.yaml").write_text(blocks["floe.yaml"], encoding="utf-8")
    (directory / "definitions.py").write_text(blocks["definitions.py"], encoding="utf-8")
    return blocks


if __name__ == "__main__":
    import sys

    write_quickstart_project(Path(sys.argv[1]))
