"""A body built to make a pattern backtrack is segmented in time linear in its size, and the same as before.

The segmenter once matched headings, list items and quotes with a lazy `(.*?)` before optional blanks, and
images and code spans by scanning the rest of the text from every `![` and backtick: one file of 4,000
spaces in a heading stopped every other document's intake for minutes. The patterns it used then are kept
here as the reference the linear code must agree with.
"""

import json
import re
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from zaitun.content import segmenter
from zaitun.content.segmenter import code_spans, segment_body

OLD = {"heading": re.compile(r"^([ \t]{0,3}#{1,6}[ \t]+)(.*?)([ \t]*#*[ \t]*\n?)$"),
       "list_item": re.compile(r"^([ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+)(.*?)([ \t]*\n?)$"),
       "quote": re.compile(r"^([ \t]{0,3}>[ \t]?)(.*?)([ \t]*\n?)$")}
OLD_TABLE_SEP = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*\n?$")
OLD_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)

LINE_CHARS = st.sampled_from([" ", "\t", "#", "-", "*", "+", "1", ".", ")", ">", "|", ":", "文", "a", "\r", "`"])
INLINE_CHARS = st.sampled_from(["`", "!", "[", "]", "(", ")", " ", '"', "<", "a", "中", "\n", "\t"])


@settings(max_examples=600, deadline=None)
@given(st.text(LINE_CHARS, max_size=24), st.booleans())
def test_block_lines_split_as_the_old_patterns_split_them(text, newline):
    line = text + ("\n" if newline else "")
    for kind, old in OLD.items():
        m = old.match(line)
        assert segmenter._line_parts(line, kind) == (m.groups() if m else None), kind
    assert bool(segmenter.TABLE_SEP_RE.match(line)) == bool(OLD_TABLE_SEP.match(line))


@settings(max_examples=600, deadline=None)
@given(st.text(INLINE_CHARS, max_size=40))
def test_images_and_code_spans_are_found_as_the_old_patterns_found_them(text):
    assert [m.span() for m in segmenter._images(text)] == [m.span() for m in segmenter.IMAGE_RE.finditer(text)]
    assert code_spans(text) == [m.span() for m in OLD_CODE_SPAN.finditer(text)]


def test_known_lines_keep_their_parts():
    assert segmenter._line_parts("## 标题 ##  \n", "heading") == ("## ", "标题", " ##  \n")
    assert segmenter._line_parts("- 第一项\t\n", "list_item") == ("- ", "第一项", "\t\n")
    assert segmenter._line_parts(">  引文", "quote") == ("> ", " 引文", "")
    assert segmenter._line_parts("#标题", "heading") is None
    assert code_spans("a ```b`` c`` d") == [(3, 8)]  # no run of three closes it: one fewer, two


PATHOLOGICAL = {  # each took from seconds to hours before; together they take well under a second now
    "a heading's spaces": "# 中" + " " * 200_000 + "文\n",
    "a list item's tabs": "- 中" + "\t" * 200_000 + "文\n",
    "a quote's spaces": "> 中" + " " * 200_000 + "文\n",
    "a table row of spaces": " " * 100_000 + "|" + " " * 100_000 + "中\n",
    "backtick runs of every length": "".join("中" + "`" * k for k in range(1, 1_500)),
    "image openings": "![" * 200_000 + "中",
    "image openings closed once": "![" * 200_000 + "](a 中",
}


def test_a_body_built_to_backtrack_is_segmented_at_once_and_whole():
    """In a process of its own with a generous limit: a pattern gone back to backtracking fails this test
    instead of hanging the suite."""
    script = ("import sys, json\nfrom zaitun.content.segmenter import segment_body\n"
              "for body in json.loads(sys.stdin.read()):\n"
              "    assert ''.join(p.text for p in segment_body(body, 'k')) == body\n")
    done = subprocess.run([sys.executable, "-c", script], input=json.dumps(list(PATHOLOGICAL.values())),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_a_long_heading_keeps_its_text_as_one_segment():
    body = "# 标题" + " " * 5_000 + "#\n\n正文。\n"
    pieces = segment_body(body, "k")
    assert [p.segment.source for p in pieces if p.segment] == ["标题", "正文。"]
    assert "".join(p.text for p in pieces) == body
