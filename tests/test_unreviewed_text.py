"""Only English a reviewer approved reaches the English page: text the segmenter once copied over as it was
(a fenced code block, a paragraph in full-width Latin, Greek or Cyrillic) is a segment like any other, and a
Chinese edit adding such text sends the document back to review instead of re-releasing it."""

from __future__ import annotations

import base64
import json
import textwrap
from pathlib import Path

import pytest
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


def take_in(root: Path, added: str) -> None:
    """The notice with `added` after it, taken in and drafted again (the offline provider)."""
    (root / "content" / "policies" / f"{SLUG}.md").write_text(textwrap.dedent(NOTICE) + added, encoding="utf-8")
    zaitun(root, "intake")
    zaitun(root, "translate", "--provider", "offline")


def english_page(root: Path) -> str:
    return (root / "publish" / "en" / "policies" / SLUG / "index.html").read_text(encoding="utf-8")


def test_text_added_in_a_code_block_or_another_script_waits_for_a_reviewer_before_the_english_page_shows_it(
        tmp_path):
    root = tmp_path / "site"
    token = released_project(root)
    zaitun(root, "build")
    assert "EN 现印发给你们" in english_page(root)

    take_in(root, ADDED)
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


TABLE = "\n| 问题 | 答复 |\n|---|---|\n| 需要签证吗 | 否 |\n| 可以延期吗 | 否 |\n"
SWAPPED = "\n| 问题 | 答复 |\n|---|---|\n| 可以延期吗 | 否 |\n| 需要签证吗 | 否 |\n"
ANSWERS = {"需要签证吗": "Is a visa required", "可以延期吗": "Can it be extended"}


def table_online(root: Path) -> str:
    """The notice with TABLE, each 否 approved with its own English and built: the reviewer's token."""
    token = released_project(root)
    take_in(root, TABLE)
    order = iter(["No, a visa is not required", "No, it cannot be extended"])
    approve_all(root, token, english=lambda zh: next(order) if zh == "否" else ANSWERS.get(zh, f"EN {zh}"))
    zaitun(root, "build")
    return token


def test_rows_swapped_around_a_repeated_answer_send_that_answer_back_to_review_not_to_the_site(tmp_path):
    """Segment ids count the occurrences of a text: swapping two rows hands each row's approved 否 to the other.
    Those answers come back to review, flagged; the English page keeps the rows as approved meanwhile."""
    root = tmp_path / "site"
    token = table_online(root)
    assert "Is a visa required</td>\n<td>No, a visa is not required" in english_page(root)

    take_in(root, SWAPPED)
    waiting = open_segments(root)
    assert [seg["source"] for seg in waiting] == ["否", "否"]
    assert all("occurs more than once" in issue["message"] for seg in waiting for issue in seg["issues"][:1])
    zaitun(root, "build")
    page = english_page(root)
    assert "Is a visa required</td>\n<td>No, a visa is not required" in page  # as approved, until read again
    assert "Can it be extended</td>\n<td>No, a visa is not required" not in page

    order = iter(["No, it cannot be extended", "No, a visa is not required"])  # the reviewer puts them right
    approve_all(root, token, english=lambda zh: next(order))
    zaitun(root, "build")
    page = english_page(root)
    assert "Can it be extended</td>\n<td>No, it cannot be extended" in page
    assert "Is a visa required</td>\n<td>No, a visa is not required" in page


@pytest.mark.parametrize("edited", [
    "\n| 问题 | 答复 |\n|---|---|\n| 可以延期吗 | 否 |\n",  # the first row removed
    "\n| 问题 | 答复 |\n|---|---|\n| 需要签证吗 | 是 |\n| 可以延期吗 | 否 |\n",  # the first answer changed
])
def test_the_first_of_two_repeated_answers_removed_or_changed_sends_the_other_back_to_review(tmp_path, edited):
    """The answer left held the text once, so it was not counted as repeated: it kept the first answer's id and
    approval, and the page said "Can it be extended — No, a visa is not required", which nobody read there."""
    root = tmp_path / "site"
    token = table_online(root)
    take_in(root, edited)
    for seg in [seg for seg in open_segments(root) if seg["source"] == "是"]:  # the answer changed: read, approved
        zaitun(root, "review", "edit", SLUG, f"{seg['id']}@{seg['version']}", "--target", "Yes", "--approve",
               token=token, expect=1)  # and the other answer held back as it is released
    waiting = {seg["source"]: seg for seg in open_segments(root)}
    assert list(waiting) == ["否"] and "occurs more than once" in waiting["否"]["issues"][0]["message"]
    zaitun(root, "build")
    assert "Can it be extended</td>\n<td>No, a visa is not required" not in english_page(root)


def test_an_answer_read_before_the_rows_were_swapped_and_approved_after_comes_back_to_review(tmp_path):
    """The second 否 drafted anew and read beside 可以延期吗; the rows are then swapped, and the reviewer approves
    what was read: it now stands beside 需要签证吗, where nobody read it."""
    root = tmp_path / "site"
    token = released_project(root)
    take_in(root, TABLE + "\n备注。\n")
    order = iter(["No, a visa is not required", "No, it cannot be extended"])
    approve_all(root, token, english=lambda zh: next(order) if zh == "否" else ANSWERS.get(zh, f"EN {zh}"))
    zaitun(root, "build")
    take_in(root, TABLE + "\n备注二。\n")  # another paragraph changed: the document waits for a reviewer
    second = [seg for seg in json.loads(zaitun(root, "review", "show", SLUG, "--json"))["segments"]
              if seg["source"] == "否"][1]
    zaitun(root, "review", "edit", SLUG, f"{second['id']}@{second['version']}", "--target",
           "No, it can never be extended", token=token)  # a draft, read in the second row
    [read] = [seg for seg in open_segments(root) if seg["source"] == "否"]
    take_in(root, SWAPPED + "\n备注二。\n")
    for seg in open_segments(root):
        if seg["source"] != "否":
            zaitun(root, "review", "edit", SLUG, f"{seg['id']}@{seg['version']}", "--target", "Note two.",
                   "--approve", token=token)
    zaitun(root, "review", "approve", SLUG, f"{read['id']}@{read['version']}", token=token, expect=1)
    waiting = {seg["id"]: seg for seg in open_segments(root)}
    assert read["id"] in waiting and "occurs more than once" in waiting[read["id"]]["issues"][0]["message"]
    zaitun(root, "build")
    assert "No, it can never be extended" not in english_page(root)


PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/"
                       "PchI7wAAAABJRU5ErkJggg==")
FEES = "\n| 项目 | 收费（元） |\n|---|---|\n| 签证延期 | 100 |\n| 证件补办 | 50 |\n"


def test_a_number_changed_in_a_table_sends_the_text_beside_it_back_to_review_before_the_english_page_shows_it(
        tmp_path):
    """Numbers are copied from the Chinese, not translated: a fee changed from 100 to 999 alone would have
    re-released the page with no review. The row's text comes back to review naming the change, and keeps
    its flag when the glossary changes (no "approve all unflagged" passes it unread)."""
    root = tmp_path / "site"
    token = released_project(root)
    take_in(root, FEES)
    approve_all(root, token)
    zaitun(root, "build")
    assert "EN 签证延期</td>\n<td>100</td>" in english_page(root)

    take_in(root, FEES.replace("100", "999"))
    (root / "glossary" / "terms.csv").write_text("zh,en,forbidden,note\n证件,document,,\n", encoding="utf-8")
    zaitun(root, "translate", "--provider", "offline")  # a new glossary: drafts are checked again
    waiting = open_segments(root)
    assert [seg["source"] for seg in waiting] == ["签证延期"]
    assert "“100” became “999”" in waiting[0]["issues"][0]["message"]
    zaitun(root, "build")
    page = english_page(root)
    assert "<td>100</td>" in page and "<td>999</td>" not in page and "under review" in page  # (999 may be in a hash)

    approve_all(root, token)
    zaitun(root, "build")
    page = english_page(root)
    assert "EN 签证延期</td>\n<td>999</td>" in page and "under review" not in page


def test_an_approval_read_before_a_number_beside_it_changed_sends_that_text_back_not_the_new_number_online(tmp_path):
    """A draft read (its version taken) while the fee was 100; the fee becomes 999; the reviewer then approves
    what was read. The draft predates the change, so its approval cannot have been read beside 999: it comes
    back to review naming the change, and the English page keeps 100 until it is approved again."""
    root = tmp_path / "site"
    token = released_project(root)
    take_in(root, FEES)
    approve_all(root, token)
    zaitun(root, "build")
    take_in(root, FEES.replace("证件补办", "证件补发"))  # another row's text: the fee's row stays approved
    [other] = open_segments(root)
    zaitun(root, "review", "edit", SLUG, f"{other['id']}@{other['version']}", "--target", "EN reissue",
           "--approve", token=token)
    fee = next(seg for seg in json.loads(zaitun(root, "review", "show", SLUG, "--json"))["segments"]
               if seg["source"] == "签证延期")
    zaitun(root, "review", "edit", SLUG, f"{fee['id']}@{fee['version']}", "--target", "Visa extension fee",
           token=token)  # a draft, read as it stands beside 100
    [read] = [seg for seg in open_segments(root) if seg["source"] == "签证延期"]
    take_in(root, FEES.replace("证件补办", "证件补发").replace("100", "999"))
    approval = zaitun(root, "review", "approve", SLUG, f"{read['id']}@{read['version']}", token=token, expect=1)
    assert f"held back {read['id']}: beside this text, “100” became “999”" in approval
    [waiting] = open_segments(root)
    assert waiting["source"] == "签证延期" and "“100” became “999”" in waiting["issues"][0]["message"]
    zaitun(root, "build")
    page = english_page(root)
    assert "<td>100</td>" in page and "<td>999</td>" not in page and "under review" in page  # (999 may be in a hash)

    approve_all(root, token)
    zaitun(root, "build")
    assert "EN 签证延期</td>\n<td>999</td>" in english_page(root)


def test_a_row_of_numbers_removed_or_an_image_replaced_is_read_again_where_it_was(tmp_path):
    root = tmp_path / "site"
    token = released_project(root)
    for name in ("flow-2025.png", "flow-2026.png"):
        (root / "content" / "policies" / name).write_bytes(PNG)
    take_in(root, FEES + "\n![办事流程](flow-2025.png)\n")
    approve_all(root, token)

    edited = FEES.replace("| 证件补办 | 50 |\n", "") + "\n![办事流程](flow-2026.png)\n"
    take_in(root, edited)
    waiting = {seg["source"]: seg["issues"][0]["message"] for seg in open_segments(root)}
    assert set(waiting) == {"签证延期", "办事流程"}, waiting
    assert "“证件补办”" not in waiting and "“50” was removed" in waiting["签证延期"], waiting
    assert "flow-2025.png" in waiting["办事流程"] and "flow-2026.png" in waiting["办事流程"]


def test_symbols_swapped_in_a_table_send_both_rows_back_to_review(tmp_path):
    """✓ and ✗ hold no letter or digit, yet they answer the row: swapped, France would read “not visa-free”."""
    root = tmp_path / "site"
    token = released_project(root)
    take_in(root, "\n| 国家 | 免签 |\n|---|---|\n| 法国 | ✓ |\n| 美国 | ✗ |\n")
    approve_all(root, token)
    take_in(root, "\n| 国家 | 免签 |\n|---|---|\n| 法国 | ✗ |\n| 美国 | ✓ |\n")
    waiting = {seg["source"]: seg["issues"][0]["message"] for seg in open_segments(root)}
    assert set(waiting) == {"法国", "美国"}, waiting
    assert all("✓" in why or "✗" in why for why in waiting.values()), waiting
