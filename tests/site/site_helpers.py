"""Pure-Python HTML reading for the site tests (standard library only)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
HTML = BOOK / "_build" / "html"

#: Output folders that are not Sphinx pages: JupyterLite (its own app), widget/theme assets.
NOT_PAGES = ("lite", "_static", "_sources", "_downloads", "_images", "@jupyter-widgets", "jupyter_execute")


class PageParser(HTMLParser):
    """Collects ids, links (a/link/script/img) and img alt attributes of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key) and (key == "id" or tag == "a"):
                self.ids.add(a[key] or "")
        if (tag == "a" and a.get("href")) or (tag == "link" and a.get("href")):
            self.links.append((tag, a["href"] or ""))
        elif tag in ("script", "img", "iframe") and a.get("src"):
            self.links.append((tag, a["src"] or ""))
        if tag == "img":
            self.images.append(a)


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def site_pages(html_dir: Path) -> list[Path]:
    """Every HTML page Sphinx wrote (not the JupyterLite app or asset folders)."""
    return sorted(p for p in html_dir.rglob("*.html") if p.relative_to(html_dir).parts[0] not in NOT_PAGES)
