"""Only English a reviewer approved reaches the English page: text the segmenter once copied over as it was
(a fenced code block, a paragraph in full-width Latin, Greek or Cyrillic) is a segment like any other, and a
Chinese edit adding such text sends the document back to review instead of re-releasing it."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from test_dates import NOTICE, SLUG, released_project, zaitun

ADDED = """
```
Propaganda Department of Quanzhou
```

Ｖｉｓａ－ｆｒｅｅ ｆｏｒ ａｌｌ

Въезд без визы
"""


def open_segments(root: Path) -> list[dict]:
    shown = json.loads(zaitun(root, "review", "show", SLUG, "--json"))
    return [seg for seg in shown["segments"] if seg["state"] != "approved"]


def approve_all(root: Path, token: str, english=lambda source: f"EN {source}") -> None:
    for seg in open_segments(root):
        zaitun(root, "review", "edit", SLUG, f"{seg['id']}@{seg['version']}", "--target", english(seg["source"]),
               "--approve", token=token)


def english_page(root: Path) -> str:
    return (root / "publish" / "en" / "policies" / SLUG / "index.html").read_text(encoding="utf-8")


def test_text_added_in_a_code_block_or_another_script_waits_for_a_reviewer_before_the_english_page_shows_it(
        tmp_path):
    root = tmp_path / "site"
    token = released_project(root)
    source = root / "content" / "policies" / f"{SLUG}.md"
    zaitun(root, "build")
    assert "EN 现印发给你们" in english_page(root)

    source.write_text(textwrap.dedent(NOTICE) + ADDED, encoding="utf-8")
    zaitun(root, "intake")
    zaitun(root, "translate", "--provider", "offline")
    waiting = {seg["source"]: seg for seg in open_segments(root)}
    assert set(waiting) == {"Propaganda Department of Quanzhou", "Ｖｉｓａ－ｆｒｅｅ ｆｏｒ ａｌｌ", "Въезд без визы"}
    assert waiting["Propaganda Department of Quanzhou"]["target"] == "Propaganda Department of Quanzhou"
    zaitun(root, "build")
    page = english_page(root)
    assert "EN 现印发给你们" in page  # the approved release stays up
    assert not any(text in page for text in ("Propaganda", "Ｖｉｓａ", "Въезд"))

    approve_all(root, token, english=lambda source: "Publicity Department of Quanzhou"
                if source.startswith("Propaganda") else f"EN {source}")
    zaitun(root, "build")
    page = english_page(root)
    assert "<code>Publicity Department of Quanzhou" in page and "Propaganda" not in page
    assert "EN Ｖｉｓａ－ｆｒｅｅ ｆｏｒ ａｌｌ" in page and "EN Въезд без визы" in page
