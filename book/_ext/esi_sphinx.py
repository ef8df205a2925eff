"""Small Sphinx fixes for the esi-reference book (loaded through _config.yml ``local_extensions``).

Jupyter Book 1 registers the inline configuration scripts of sphinx-thebe and sphinx-togglebutton twice,
so every page declared ``const THEBE_JS_URL`` twice and the browser logged "Identifier 'THEBE_JS_URL'
has already been declared". This drops exact duplicate scripts from each page, keeping the first.

It also keeps long reference tables out of the search index: an element with the class ``esi-noindex``
(the rule and NCCI tables repeated on every code page, the boilerplate facts of the quick-facts card) is removed from
the copy of the page that Sphinx indexes, so "bilateral" no longer matches every code page. The page itself
is unchanged.
"""

from __future__ import annotations

import os
import re
from typing import Any

from docutils import nodes

NOINDEX = "esi-noindex"
_TAGS = re.compile(r"<[^<]+?>")
_NOINDEX_HTML = re.compile(r'<(dl|dt|span|div|td)\b[^>]*class="[^"]*\besi-noindex\b[^"]*"[^>]*>.*?</\1>', re.DOTALL)


def _for_search(doctree: nodes.document) -> nodes.document:
    """A copy of ``doctree`` without the parts marked ``esi-noindex``."""
    copy = doctree.deepcopy()
    for node in list(copy.findall(nodes.Element)):
        if NOINDEX in node.get("classes", ()) and node.parent is not None:
            node.parent.remove(node)
    for raw in list(copy.findall(nodes.raw)):
        text = raw.astext()
        if NOINDEX in text:
            kept = _TAGS.sub(" ", _NOINDEX_HTML.sub(" ", text))  # a space per tag: adjacent cells stay two words
            raw.parent.replace(raw, nodes.raw("", kept, format=raw.get("format", "")))
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

    load_indexer = getattr(builder, "load_indexer", None)
    if load_indexer is not None:

        def load_keeping_index_entries(docnames: Any) -> None:
            load_indexer(docnames)
            _restore_index_entries(builder, set(docnames))

        builder.load_indexer = load_keeping_index_entries


def _restore_index_entries(builder: Any, rebuilt: set[str]) -> None:
    """Sphinx 7.4 reloads the search index of unchanged pages on an incremental build but forgets their
    ``index`` entries (the code numbers of the code pages): put them back from the previous index."""
    from sphinx.search import js_index

    try:
        with open(os.path.join(builder.outdir, builder.searchindex_filename), encoding="utf-8") as fh:
            frozen = js_index.load(fh)
    except (OSError, ValueError):
        return
    names = frozen.get("docnames", []) if isinstance(frozen, dict) else []
    restored: dict[str, set[tuple[str, str, str]]] = {}
    for entry, places in frozen.get("indexentries", {}).items() if names else ():
        for doc, target, main in places:
            docname = names[doc]
            if docname not in rebuilt and docname in builder.env.all_docs:
                restored.setdefault(docname, set()).add((entry, target, "main" if main else ""))
    for docname, entries in restored.items():
        builder.indexer._index_entries.setdefault(docname, sorted(entries))


def _dedupe_scripts(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    unique = []
    for script in scripts:
        # an inline script is registered once with filename None and once with "": same script
        key = (
            str(getattr(script, "filename", script) or ""),
            tuple(sorted((k, str(v)) for k, v in getattr(script, "attributes", {}).items())),
        )
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
