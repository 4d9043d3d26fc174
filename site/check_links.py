"""Check a built site's local links and assets, offline (``make site`` runs it).

Every ``href``/``src`` that points inside the site must name a file that exists, and a
``#fragment`` must name an id on that page. Scripts, stylesheets, images and fonts must be
local: a page that needs the network to render is an error (links to papers are fine).

    python site/check_links.py build/site
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# tags whose URL the browser fetches to render the page (must be local)
_ASSET_ATTRS = {("script", "src"), ("img", "src"), ("link", "href"), ("iframe", "src"),
                ("source", "src"), ("video", "src"), ("audio", "src")}
_NAVIGATION_LINKS = {"canonical", "alternate", "next", "prev", "search", "index", "author",
                     "help", "license", "copyright", "top"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, url)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attrs[key])
        for attr in ("href", "src"):
            url = attrs.get(attr)
            if url is None:
                continue
            if tag == "link" and _NAVIGATION_LINKS & set((attrs.get("rel") or "").split()):
                continue  # a link to another page, not an asset the page loads
            self.urls.append((tag, attr, url))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def check_site(root: str | Path) -> list[str]:
    """All problems found under the built site ``root``: one line each, empty when clean."""
    root = Path(root).resolve()
    if not (root / "index.html").is_file():
        raise FileNotFoundError(
            f"{root} holds no index.html: build the site first with `make site`")
    pages = {p: _parse(p) for p in sorted(root.rglob("*.html"))
             if "_static" not in p.relative_to(root).parts}  # theme templates, not pages
    problems = []
    for path, page in pages.items():
        where = path.relative_to(root).as_posix()
        for tag, attr, url in page.urls:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") or url.startswith("//"):
                if (tag, attr) in _ASSET_ATTRS:
                    problems.append(f"{where}: <{tag} {attr}={url!r}> loads from the network")
                continue
            if parts.scheme or url.startswith("#") and not url[1:]:
                continue  # mailto:, javascript:, data:, a bare '#'
            target = path if not parts.path else (path.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if root not in target.parents and target != root:
                problems.append(f"{where}: {url!r} points outside the site")
            elif not target.exists():
                problems.append(f"{where}: {url!r} points to a missing file")
            elif parts.fragment and target.suffix == ".html":
                fragment = unquote(parts.fragment)
                if fragment not in pages.get(target, _Page()).ids:
                    problems.append(f"{where}: {url!r} names no id #{fragment} on that page")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    problems = check_site(argv[0])
    for line in problems:
        print(line)
    print(f"{len(problems)} broken local links or network assets", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
