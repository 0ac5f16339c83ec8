from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zaitun.content.model import Document
from zaitun.content.segmenter import document_segments, render_pieces, segment_body, split_sentences

BODY = """## 一、总则

本措施适用于泉州。外国人可以**免签**入境！详见[网站](https://www.nia.gov.cn "国家移民管理局")；谢谢。

- 第一项
1. 第二项。第二句。

| 名称 | 数量 |
|---|---|
| 口岸 | 55 |

```
不翻译的代码
```

![泉州古城](img/a.png "古城照片")

https://example.com/path
"""


def doc(body: str, slug: str = "doc", **meta) -> Document:
    return Document(Path(f"{slug}.md"), "guides", slug, {"title": "标题", "date": None, **meta}, body)


def sources(body: str) -> list[str]:
    return [p.segment.source for p in segment_body(body, "doc") if p.segment]


def test_joining_pieces_gives_back_the_body():
    assert "".join(p.text for p in segment_body(BODY, "doc")) == BODY


def test_blocks_become_segments_and_urls_do_not():
    found = sources(BODY)
    assert found == [
        "一、总则", "本措施适用于泉州。", "外国人可以**免签**入境！",
        '详见[网站](https://www.nia.gov.cn "国家移民管理局")；', "谢谢。",
        "第一项", "第二项。", "第二句。", "名称", "数量", "口岸", "不翻译的代码", "泉州古城", "古城照片",
    ]
    assert not any("example.com" in s for s in found)


def test_a_fenced_code_block_is_one_segment_so_its_text_is_reviewed():
    body = "说明。\n\n```python\n  print('Propaganda Department')  # 注释。第二句。\nx = 1\n```\n\n~~~\n12 34\n~~~\n"
    pieces = segment_body(body, "doc")
    code = [p.segment for p in pieces if p.segment and p.segment.kind == "code"]
    assert [s.source for s in code] == ["print('Propaganda Department')  # 注释。第二句。\nx = 1"]
    assert "".join(p.text for p in pieces) == body
    english = render_pieces(pieces, {code[0].id: "print('Publicity Department')\nx = 1"})
    assert "  print('Publicity Department')\nx = 1\n```" in english


def test_a_fence_indented_under_a_list_item_is_that_items_code_block():
    # four spaces in under `- `: the page shows a code block in the item; its text was one paragraph segment with
    # the fences in it, which a translator could turn into prose that the English page showed instead of code
    body = "- 列表项\n\n    ```python\n    print('代码')\n    x = 1\n    ```\n\n结尾段落。\n"
    pieces = segment_body(body, "doc")
    assert [(p.segment.kind, p.segment.source) for p in pieces if p.segment] == [
        ("list_item", "列表项"), ("code", "print('代码')\n    x = 1"), ("paragraph", "结尾段落。")]
    assert "".join(p.text for p in pieces) == body
    code = next(p.segment for p in pieces if p.segment and p.segment.kind == "code")
    english = render_pieces(pieces, {code.id: "print('code')\n    x = 1"})
    assert "    ```python\n    print('code')\n    x = 1\n    ```\n" in english


def test_a_fence_in_a_list_item_ends_with_the_item():
    body = "1.  步骤一\n\n    ```\n    代码\n结尾段落。\n\n    缩进段落。\n"
    assert sources(body) == ["步骤一", "代码", "结尾段落。", "缩进段落。"]


def test_a_fence_indented_four_spaces_outside_a_list_is_not_a_fence():
    assert [p.segment.kind for p in segment_body("段落。\n\n    ```\n    代码\n    ```\n", "doc") if p.segment] == [
        "paragraph", "paragraph"]


def test_an_unclosed_fence_runs_to_the_end_and_its_text_is_still_a_segment():
    body = "说明。\n\n```\nvisa-free transit\n"
    assert sources(body) == ["说明。", "visa-free transit"]


@pytest.mark.parametrize("text", ["Ｖｉｓａ－ｆｒｅｅ ｔｒａｎｓｉｔ", "Ελλάδα", "Россия", "ビザ"])
def test_text_in_any_script_is_a_segment(text):
    assert sources(f"{text}\n\n- {text}\n") == [text, text]


def test_numbers_urls_and_punctuation_alone_stay_literal():
    assert sources("2024\n\n——\n\n０５９５－１２３４５６７８\n\nhttps://example.com/a\n") == []


def test_segment_kinds_follow_the_markdown_blocks():
    kinds = {p.segment.source: p.segment.kind for p in segment_body(BODY, "doc") if p.segment}
    assert kinds["一、总则"] == "heading"
    assert kinds["第一项"] == "list_item"
    assert kinds["口岸"] == "table_cell"
    assert kinds["泉州古城"] == "alt"
    assert kinds["古城照片"] == "image_title"


def test_inline_markup_stays_attached_to_its_sentence():
    assert split_sentences("请看[第一。第二](https://a.cn)。完") == ["请看[第一。第二](https://a.cn)。", "完"]
    assert split_sentences("代码`a。b`结束。") == ["代码`a。b`结束。"]


def test_closing_quotes_stay_with_their_sentence():
    assert split_sentences("他说：“好。”然后走了。") == ["他说：“好。”", "然后走了。"]


def test_editing_one_sentence_changes_only_that_segment_id():
    before = document_segments(doc(BODY))
    after = document_segments(doc(BODY.replace("外国人可以", "外国游客可以")))
    changed = {s.id for s in after} - {s.id for s in before}
    assert len(changed) == 1
    assert [s.source for s in after if s.id in changed] == ["外国游客可以**免签**入境！"]


def test_ids_are_scoped_by_document_and_unique_for_repeated_text():
    body = "- 是。\n- 是。\n"
    ids = [s.id for s in document_segments(doc(body))]
    assert len(set(ids)) == len(ids)
    assert not set(ids) & {s.id for s in document_segments(doc(body, slug="other"))}


def test_front_matter_title_summary_and_social_are_segments():
    segs = document_segments(doc("正文。", summary="摘要。", social="欢迎来泉州！"))
    expected = [("title", "标题"), ("summary", "摘要。"), ("social", "欢迎来泉州！")]
    assert [(s.kind, s.source) for s in segs[:3]] == expected


def test_rendering_replaces_segments_and_separates_english_sentences():
    pieces = segment_body("第一句。第二句。\n\n- 项目\n", "doc")
    targets = {p.segment.id: f"S{i}." for i, p in enumerate(pieces) if p.segment}
    assert render_pieces(pieces, targets) == "S0. S1.\n\n- S4.\n".replace("S4", f"S{len(pieces) - 2}")


def test_rendering_keeps_the_source_where_no_target_exists():
    pieces = segment_body("第一句。\n", "doc")
    assert render_pieces(pieces, {}) == "第一句。\n"


markdownish = st.lists(
    st.sampled_from([*"泉州市外国人。！？；，：“”（）abc 123#-*|`[]()!>\n\t~", "```", "](", "|---|", "\n\n", "## "]),
    max_size=120,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(markdownish)
def test_segmenting_then_joining_loses_no_text(body):
    pieces = segment_body(body, "doc")
    assert "".join(p.text for p in pieces) == body
    assert all(p.text for p in pieces)


@settings(max_examples=200, deadline=None)
@given(markdownish)
def test_rendering_with_source_as_target_is_the_body_up_to_sentence_gaps(body):
    pieces = segment_body(body, "doc")
    targets = {p.segment.id: p.segment.source for p in pieces if p.segment}
    assert render_pieces(pieces, targets, sentence_gap="") == body


@pytest.mark.parametrize("body, words", [
    ("&#80;&#114;&#111;&#112;&#97;&#103;&#97;&#110;&#100;&#97;\n", "&#80;"),  # entities a page shows as letters
    ("## &#85;&#110;&#97;\n", "&#85;"),
    ("| 人数 | &#85;&#110;&#97; |\n", "&#85;"),
    ("Ⓤⓝⓐⓟⓟⓡⓞⓥⓔⓓ ⓔⓝⓖⓛⓘⓢⓗ\n", "Ⓤⓝⓐ"),  # letter-like symbols
    ("```Propaganda Department```\n", "Propaganda"),  # a code span, not a fence: an info string has no backtick
    ("\t```Propaganda tab\n", "Propaganda"),  # a tab indents code: no fence
    ("```\n代码\n```Propaganda inside\n```\n", "Propaganda"),  # a closing fence holds nothing else: code
    ("````\n代码\n```\nPropaganda four\n````\n", "Propaganda"),  # closed by as many backticks at least
    ("`![图](Unapproved_src)`\n", "Unapproved_src"),  # an image in a code span is its text
    ("![地图](<Unapproved_two)\n", "Unapproved_two"),  # no image: an unclosed `<`
    ("[Propaganda&#32;Department](mailto:a@b.c)\n", "Propaganda"),  # a link, not an e-mail address
    ("https://a.b/[Propaganda&#32;Department](https://c.d)\n", "Propaganda"),
    ("<https://a.b>Unapproved_words\n", "Unapproved"),
])
def test_any_text_a_reader_sees_as_words_is_in_a_segment(body, words):
    """What the segmenter copies as it is reaches the English page unread: only Markdown syntax, numbers and bare
    addresses may be copied, as a CommonMark renderer reads them."""
    assert any(words in source for source in sources(body)), segment_body(body, "doc")


def test_bare_addresses_and_fenced_code_without_words_stay_literal():
    assert sources("https://www.nia.gov.cn/n741440/index.html\n\nservice@quanzhou.gov.cn\n\n```\n12 34\n```\n") == []
