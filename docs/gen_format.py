"""Regenerate what the field table (journeymap/fields.py) drives outside the loader.

    python docs/gen_format.py           # rewrite docs/format.md's key tables and the schema
    python docs/gen_format.py --check   # exit 1 if either is out of date (CI, tests)

docs/format.md keeps its prose by hand; only the tables between ``<!-- fields:SECTION:start -->``
and ``<!-- fields:SECTION:end -->`` are generated. The packaged JSON Schema,
``journeymap/schema/journey.schema.json``, is rewritten from ``journeymap.schema.build_schema``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from journeymap.fields import update_format_doc
from journeymap.schema import SCHEMA_FILE, render_schema

ROOT = Path(__file__).resolve().parent.parent
FORMAT_DOC = ROOT / "docs" / "format.md"
SCHEMA = ROOT / "journeymap" / "schema" / SCHEMA_FILE


def outputs() -> dict[Path, str]:
    """Each generated file and the text it must have."""
    return {
        FORMAT_DOC: update_format_doc(FORMAT_DOC.read_text(encoding="utf-8")),
        SCHEMA: render_schema(),
    }


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for path, text in outputs().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if not check:
            path.write_text(text, encoding="utf-8")
            sys.stdout.write(f"wrote {path.relative_to(ROOT)}\n")
    if check and stale:
        for path in stale:
            sys.stderr.write(
                f"{path.relative_to(ROOT)} is out of date: run python docs/gen_format.py\n"
            )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
