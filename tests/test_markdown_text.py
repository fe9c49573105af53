"""Names from the analysed repository are inert in report.md and plan.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from decomposer.reports.markdown_text import md_code, md_text, mermaid_label


@pytest.mark.parametrize(("value", "expected"), [
    ("shop.orders.sum_of_parts", "shop.orders.sum_of_parts"),
    ("shipping <-> orders (a -> b)", "shipping <-> orders (a -> b)"),
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)>"),
    ("a</b>&amp;", "a&lt;/b>&amp;amp;"),
    ("x`y|z", "x\\`y\\|z"),
    ("[click](javascript:alert(1))", "\\[click\\](javascript:alert(1))"),
    ("two\nlines", "two lines"),
    ("_private", "\\_private"),
])
def test_md_text(value: str, expected: str):
    assert md_text(value) == expected


def test_md_code_keeps_plain_names_in_code_and_others_as_text():
    assert md_code("shop.orders.checkout: place_order, Cart") == "`shop.orders.checkout: place_order, Cart`"
    assert md_code("app.a`b") == "app.a\\`b"
    assert md_code("<script>") == "&lt;script>"


def test_mermaid_label():
    assert mermaid_label('a"b<c>#') == "a#quot;b#lt;c#gt;#35;"


def test_a_hostile_repository_name_stays_text(cli, make_repo, tmp_path: Path):
    repo = make_repo({"app/__init__.py": "", "app/a.py": "import app.b\n", "app/b.py": "import app.a\n",
                      "app/c.py": "import app.a\n"}, name="<img src=x onerror=alert(1)>", commit=True)
    result = cli("analyze", repo, "--out", tmp_path / "out", "-q", "--format", "md", "--format", "plan")
    assert result.exit_code == 0, result.output
    for name in ("report.md", "plan.md"):
        text = (tmp_path / "out" / name).read_text()
        assert "<img" not in text
        assert "&lt;img src=x onerror=alert(1)> @ " in text
