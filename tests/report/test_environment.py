"""The Jinja environment: autoescape for every template name, StrictUndefined, templates found."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from journeymap.report.environment import make_environment, templates_dir


def test_templates_are_found_beside_the_package() -> None:
    folder = templates_dir()
    for name in ("journey.html.j2", "index.html.j2", "base.html.j2", "report.css", "report.js"):
        assert (folder / name).is_file(), name


@pytest.mark.parametrize("name", ["page.html.j2", "page.txt", "page.svg.j2", "noext"])
def test_autoescape_is_on_for_every_template_name(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("{{ value }}", encoding="utf-8")
    env = make_environment(str(tmp_path))
    out = env.get_template(name).render(value="<script>alert(1)</script>\"'&")
    assert out == "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;&amp;"


def test_from_string_templates_are_escaped_too() -> None:
    env = make_environment()
    assert env.from_string("{{ v }}").render(v="<b>") == "&lt;b&gt;"


def test_undefined_variables_raise(tmp_path: Path) -> None:
    (tmp_path / "t.j2").write_text("{{ missing }}", encoding="utf-8")
    with pytest.raises(jinja2.UndefinedError):
        make_environment(str(tmp_path)).get_template("t.j2").render()


def test_user_text_is_never_template_source() -> None:
    env = make_environment()
    assert env.from_string("{{ v }}").render(v="{{7*7}}") == "{{7*7}}"
