"""docs/format.md's key tables are generated from the field table (journeymap/fields.py) and
current; the table is consistent and is what the loader validates with.

Regenerate with ``python docs/gen_format.py`` (also run by ``make docs``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from journeymap import load
from journeymap.fields import (
    FIELDS,
    SECTIONS,
    fields_of,
    keys_of,
    marked_sections,
    render_reference,
    update_format_doc,
)

ROOT = Path(__file__).resolve().parent.parent
FORMAT_DOC = ROOT / "docs" / "format.md"
# Types the loader's structure code walks (sections, lists of them, transitions, uses); every
# other type must have a reader.
STRUCTURAL = {"sections", "integrations", "stages", "touchpoints", "next", "uses", "between"}


def _gen_format() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_format", ROOT / "docs" / "gen_format.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_format"] = module
    spec.loader.exec_module(module)
    return module


def test_format_doc_tables_are_current() -> None:
    text = FORMAT_DOC.read_text(encoding="utf-8")
    assert update_format_doc(text) == text, (
        "docs/format.md is out of date: run `python docs/gen_format.py`"
    )


def test_generator_check_passes_on_the_committed_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert _gen_format().main(["--check"]) == 0
    assert capsys.readouterr().err == ""


def test_every_section_has_one_table_in_the_docs() -> None:
    marked = marked_sections(FORMAT_DOC.read_text(encoding="utf-8"))
    assert sorted(marked) == sorted(s.name for s in SECTIONS)


def test_the_docs_say_how_to_regenerate() -> None:
    text = FORMAT_DOC.read_text(encoding="utf-8")
    assert "python docs/gen_format.py" in text
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    docs_target = makefile.split("\ndocs:", 1)[1].split("\n\n", 1)[0]
    assert "docs/gen_format.py" in docs_target


def test_a_stale_table_is_rewritten() -> None:
    text = (
        "intro\n<!-- fields:transition:start -->\n| old | table |\n"
        "<!-- fields:transition:end -->\nafter\n"
    )
    new = update_format_doc(text)
    assert new == (
        "intro\n<!-- fields:transition:start -->\n"
        + render_reference("transition")
        + "<!-- fields:transition:end -->\nafter\n"
    )
    assert "| `wait` | duration | — |" in new
    with pytest.raises(ValueError, match="unknown section 'nope'"):
        update_format_doc("<!-- fields:nope:start -->\n<!-- fields:nope:end -->\n")


def test_table_rows_name_key_type_default_and_doc() -> None:
    rows = render_reference("touchpoint").splitlines()
    assert rows[0] == "| key | value | default | meaning |"
    assert (
        "| `stage` | stage id | required | The stage this touchpoint belongs to (a stage id). |"
        in rows
    )
    assert [row.split(" | ")[0][3:-1] for row in rows[2:]] == list(keys_of("touchpoint"))


def test_field_table_is_consistent() -> None:
    seen = set()
    for f in FIELDS:
        assert f.doc.strip() and f.doc[0].isupper(), f.name
        assert set(f.required) <= set(f.sections), f.name
        for section in f.sections:
            assert (section, f.name) not in seen, (section, f.name)
            seen.add((section, f.name))
    assert {s for s, _ in seen} == {s.name for s in SECTIONS}


def test_every_value_type_has_a_reader_in_the_loader() -> None:
    kinds = {f.type.kind for f in FIELDS}
    readers = set(load._CONVERTERS)
    assert kinds - STRUCTURAL <= readers
    assert not readers & STRUCTURAL


def test_the_loader_takes_its_keys_from_the_table() -> None:
    for section in SECTIONS:
        assert load.SECTION_KEYS[section.name] == keys_of(section.name)
    assert keys_of("journey") == load.JOURNEY_KEYS
    assert keys_of("organisation") == load.ORGANISATION_KEYS


def test_model_attributes_exist_for_every_field() -> None:
    from journeymap import model

    classes = {
        "function": model.Function,
        "system": model.System,
        "channel": model.Channel,
        "stage": model.Stage,
        "touchpoint": model.Touchpoint,
        "transition": model.Transition,
        "journey": model.Journey,
    }
    for section, cls in classes.items():
        attrs = set(cls.__dataclass_fields__)
        for f in fields_of(section).values():
            if f.type.kind in STRUCTURAL - {"next", "uses", "stages"} or f.name == "journeymap":
                continue  # merged organisation sections, the format version
            assert f.model_attr in attrs, (section, f.name)
