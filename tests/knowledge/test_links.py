from __future__ import annotations

from pathlib import Path

from assist.knowledge.articles import load_catalog
from assist.knowledge.links import dead_links


def _write(root: Path, name: str, body: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\nid: {path.stem}\ntitle: {path.stem}\n---\n{body}", encoding="utf-8")


def test_dead_links_names_each_link_to_no_article_at_its_line(tmp_path: Path) -> None:
    _write(tmp_path, "retail/returns.md", "Send it back.\n\nSee [sizes](sizes.md) and [old](exchanges.md).\n"
                                          "Also [refunds](article:refunds) and [gone](article:store-cards).\n")
    _write(tmp_path, "retail/sizes.md", "Sizes run small. [Returns](returns-policy)\n\n[ref]: ../nowhere/faq.md\n")
    _write(tmp_path, "retail/refunds.md", "Refunds take five days; [how to return](./returns.md#steps).\n")
    problems = dead_links(load_catalog(tmp_path).articles)
    found = sorted((p.path.name, p.line, p.message.split(":")[0]) for p in problems)
    assert found == [("returns.md", 7, "dead link to 'exchanges.md'"),
                     ("returns.md", 8, "dead link to 'article"),
                     ("sizes.md", 5, "dead link to 'returns-policy'"),
                     ("sizes.md", 7, "dead link to '../nowhere/faq.md'")]
    assert all(p.severity == "warning" for p in problems)


def test_dead_links_leaves_web_mail_phone_anchor_and_image_links_alone(tmp_path: Path) -> None:
    _write(tmp_path, "faq.md", "[web](https://example.com/x.md) [mail](mailto:a@b.c) [call](tel:555) "
                               "[top](#top) ![logo](logo.png) [page](help/page.html)\n")
    assert dead_links(load_catalog(tmp_path).articles) == []
