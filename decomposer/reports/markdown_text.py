"""Names from the analysed repository, made inert in Markdown.

File, folder and module names are the repository's, so they may hold markup (`<img ...>`),
backticks, table bars or newlines. In report.md and plan.md they never become live HTML, leave a
code span, split a table row or start a link: `md_text` escapes them for running text, and
`md_code` keeps a plain name in a code span but writes any other as escaped text. Ordinary
dotted module names pass through unchanged.
"""

from __future__ import annotations

import re

__all__ = ["md_code", "md_text", "mermaid_label"]

_SPECIAL = re.compile(r"([\\`|\[\]*_])")
_TAG = re.compile(r"<(?=[A-Za-z/!?])")  # what could open an HTML tag, comment or autolink ("<->" cannot)
_ENTITY = re.compile(r"&(?=#?\w+;)")  # what could start a character reference
_PLAIN_NAME = re.compile(r"[\w.:/, ()=-]*")


def md_text(value: object) -> str:
    """`value` as Markdown text that renders as itself: no HTML, no code span, no link, one line."""
    text = " ".join(str(value).splitlines()) if "\n" in str(value) or "\r" in str(value) else str(value)
    text = _ENTITY.sub("&amp;", text)
    text = _TAG.sub("&lt;", text)
    return _SPECIAL.sub(r"\\\1", text) if _needs_escapes(text) else text


def md_code(value: object) -> str:
    """`value` in a code span when it is a plain name, else as escaped text."""
    text = str(value)
    return f"`{text}`" if _PLAIN_NAME.fullmatch(text) else md_text(text)


def mermaid_label(value: object) -> str:
    """`value` inside a quoted Mermaid label: entity codes for quotes and angle brackets."""
    return (" ".join(str(value).splitlines()).replace("#", "#35;").replace('"', "#quot;")
            .replace("<", "#lt;").replace(">", "#gt;").replace("`", "#96;"))


def _needs_escapes(text: str) -> bool:
    # Underscores and stars inside ordinary names (snake_case modules) never make emphasis in
    # CommonMark when letters stand on both sides; escape them only next to characters that may.
    return any(char in text for char in "\\`|[]") or bool(re.search(r"(^|\W)[*_]|[*_](\W|$)", text))
