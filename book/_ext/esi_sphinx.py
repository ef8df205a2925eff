"""Small Sphinx fixes for the esi-reference book (loaded through _config.yml ``local_extensions``).

Jupyter Book 1 registers the inline configuration scripts of sphinx-thebe and sphinx-togglebutton twice,
so every page declared ``const THEBE_JS_URL`` twice and the browser logged "Identifier 'THEBE_JS_URL'
has already been declared". This drops exact duplicate scripts from each page, keeping the first.

It also keeps long reference tables out of the search index: an element with the class ``esi-noindex``
(the rule and NCCI tables repeated on every code page, the labels of the quick-facts card) is removed from
the copy of the page that Sphinx indexes, so "bilateral" no longer matches every code page. The page itself
is unchanged.
"""

from __future__ import annotations

import os
import re
from typing import Any

from docutils import nodes

NOINDEX = "esi-noindex"
_NOINDEX_HTML = re.compile(r'<(dt|span|div|td)\b[^>]*class="[^"]*\besi-noindex\b[^"]*"[^>]*>.*?</\1>', re.DOTALL)


def _for_search(doctree: nodes.document) -> nodes.document:
    """A copy of ``doctree`` without the parts marked ``esi-noindex``."""
    copy = doctree.deepcopy()
    for node in list(copy.findall(nodes.Element)):
        if NOINDEX in node.get("classes", ()) and node.parent is not None:
            node.parent.remove(node)
    for raw in list(copy.findall(nodes.raw)):
        text = raw.astext()
        if NOINDEX in text:
            raw.parent.replace(raw, nodes.raw("", _NOINDEX_HTML.sub("", text), format=raw.get("format", "")))
    return copy


def _scorer_from_srcdir(app: Any, config: Any) -> None:
    """Sphinx opens ``html_search_scorer`` relative to the working directory: make it relative to the book."""
    scorer = config.html_search_scorer
    if scorer and not os.path.isabs(scorer):
        config.html_search_scorer = os.path.join(app.srcdir, scorer)


def _index_without_noindex(app: Any) -> None:
    builder = app.builder
    original = getattr(builder, "index_page", None)
    if original is None:
        return

    def index_page(pagename: str, doctree: nodes.document, title: str) -> None:
        original(pagename, _for_search(doctree), title)

    builder.index_page = index_page


def _dedupe_scripts(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    unique = []
    for script in scripts:
        # an inline script is registered once with filename None and once with "": same script
        key = (str(getattr(script, "filename", script) or ""),
               tuple(sorted((k, str(v)) for k, v in getattr(script, "attributes", {}).items())))
        if key in seen:
            continue
        seen.add(key)
        unique.append(script)
    scripts[:] = unique  # in place: handlers that run later still add their page scripts to this list


def setup(app: Any) -> dict[str, Any]:
    # early: html-page-context stops at the first handler that returns a template name
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    app.connect("config-inited", _scorer_from_srcdir)
    app.connect("builder-inited", _index_without_noindex)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
