"""The fast Markdown parser (markdown-it-pyrs) renders exactly what the reference (markdown-it-py) does."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zaitun.content import markdown
from zaitun.content.markdown import reference_render, render_markdown
from zaitun.content.model import split_front_matter

ROOT = Path(__file__).resolve().parent.parent
pytest.importorskip("markdown_it_pyrs")

INLINE = st.sampled_from([
    "泉州", "外籍人士", "Quanzhou", "240小时过境免签", " ", "，", "。", "*强调*", "**加粗**", "`代码<b>`",
    "[办事指南](https://example.org/a?b=1&c=2)", "[附件](files/form.pdf)", "![地图](images/map.png)",
    "[恶意](javascript:alert(1))", "<script>alert(1)</script>", "<b>粗</b>", "&amp;", "&copy;", "&lt;x&gt;",
    "\\*", "<https://example.org>", "[ref]", "![](x.png)", "[同页](#section)", "[页](../guides/a.md)",
    "a_b_c", "~~删~~", "1. ", "# ", "\"引号\"", "'单'", "...", "--", "(c)", "https://example.org/bare",
])
line = st.lists(INLINE, min_size=1, max_size=8).map("".join)
BLOCK = st.one_of(
    line,
    line.map(lambda t: f"## {t}"), line.map(lambda t: f"### {t}"), line.map(lambda t: f"# {t}"),
    line.map(lambda t: f"#### {t}"), line.map(lambda t: f"{t}\n---"), line.map(lambda t: f"{t}\n{t}\n==="),
    st.lists(line, min_size=1, max_size=4).map(lambda items: "\n".join(f"- {i}" for i in items)),
    st.lists(line, min_size=1, max_size=4).map(lambda items: "\n".join(f"{n}. {i}" for n, i in enumerate(items, 1))),
    line.map(lambda t: f"> {t}"), st.sampled_from([">", "> ", ">\n>", "> >", "-", "1.", "## ", "> ## "]),
    line.map(lambda t: f"```\n{t}\n```"), line.map(lambda t: f"    {t}"),
    st.lists(line, min_size=2, max_size=3).map(lambda cells: "| 项目 | 说明 |\n| --- | --- |\n"
                                                + "\n".join(f"| {c} | {c} |" for c in cells)),
    st.just("[ref]: https://example.org/ref \"标题\""), st.just("***"), st.just("## 重复\n\n## 重复\n\n## 重复"),
)
documents = st.lists(BLOCK, min_size=1, max_size=10).map("\n\n".join)


def rewrite(target: str) -> str | None:
    return None if target.startswith("x") else f"/media/guides/{target}"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=documents)
def test_fast_parser_renders_what_the_reference_renders(text):
    assert render_markdown(text) == reference_render(text)


@settings(max_examples=200, deadline=None)
@given(text=documents)
def test_file_links_are_rewritten_the_same_whichever_parser_renders(text):
    assert render_markdown(text, rewrite) == reference_render(text, rewrite)


def test_every_content_file_of_the_project_renders_the_same_with_both_parsers():
    files = sorted((ROOT / "content").rglob("*.md")) + sorted((ROOT / "tests").rglob("*.md"))
    assert len(files) >= 8
    for path in files:
        text = path.read_text(encoding="utf-8")
        body = split_front_matter(text, path)[1] if text.startswith("---") else text
        assert render_markdown(body) == reference_render(body), path


def test_unsafe_links_and_raw_html_are_refused_by_the_fast_parser_too():
    html = render_markdown("## 标题\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n<script>x</script>")
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert html.startswith('<h2 id="标题">')


def test_duplicate_headings_get_numbered_anchors_as_the_reference_gives_them():
    text = "## 适用条件\n\n## 适用条件\n\n### 适用条件"
    assert render_markdown(text) == reference_render(text)
    assert 'id="适用条件-2"' in render_markdown(text)


@pytest.mark.parametrize("text", [">", ">  ", "> >", ">\n>", "> ## ", "## ", "-", "1.", "```", "|a|\n|-|"])
def test_empty_blocks_render_as_the_reference_renders_them(text):
    assert render_markdown(text) == reference_render(text)


@pytest.mark.parametrize("text", ["[`", "请运行[`zaitun check 查看。", "![`", "[``", "[ `", "见[附件]，再运行`x"])
def test_a_backtick_after_a_bracket_renders_as_the_reference_does_and_never_panics(text):
    assert render_markdown(text) == reference_render(text)


def test_a_heading_over_two_lines_falls_back_to_the_reference():
    text = "第一行\n第二行\n---"  # the anchors plugin joins the lines without the break
    assert markdown._with_anchors(markdown._fast_parser().render(text)) is None
    assert render_markdown(text) == reference_render(text)
