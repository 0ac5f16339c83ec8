import datetime as dt

import pytest
import yaml
from conftest import write_doc
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from zaitun.content.model import _loader, load_document, load_documents
from zaitun.errors import ContentError


def test_front_matter_fields_are_parsed_with_dates(tmp_project):
    path = write_doc(tmp_project.root, "guides/transit.md", """
        title: 240小时过境免签
        date: 2025-06-12
        valid_until: 2026-12-31
        programme: 240-hour-transit
        tags: [签证, 过境]
    """, "正文。")
    doc = load_document(path, tmp_project.content_dir)
    assert (doc.section, doc.slug) == ("guides", "transit")
    assert doc.date == dt.date(2025, 6, 12)
    assert doc.valid_until == dt.date(2026, 12, 31)
    assert doc.tags == ["签证", "过境"]
    assert doc.body.strip() == "正文。"
    assert doc.is_expired(dt.date(2027, 1, 1)) and not doc.is_expired(dt.date(2026, 12, 31))


@pytest.mark.parametrize("front, message, line", [
    ("title: [unclosed\ndate: 2025-01-01", "broken YAML", 2),
    ("title: 坏的\ndate: [2025", "(on line 4) while parsing a flow sequence begun on this line: close or quote it", 3),
    ("date: 2025-01-01", "missing required field 'title'", 1),
    ("title: 标题", "missing required field 'date'", 1),
    ("date: 2025-01-01\ntitle: \"\"", "'title' is empty", 3),  # written, with nothing after it: at its line
    ("title:\ndate: 2025-01-01", "'title' is empty", 2),
    ("title: 标题\ndate: 2025-13-45", "bad date in 'date'", 3),
    ("title: 标题\ndate: 2026-02-30", "bad date in 'date': '2026-02-30' is no day of the calendar (day is out of "
                                   "range for month): check the month and day", 3),
    ("title: 标题\ndate: 2025-01-01\nvalid_until: soon", "bad date in 'valid_until'", 4),
    ("title: 标题\ndate: 0001-01-01", "bad date in 'date': 0001-01-01 is before 1900: check the year", 3),
    ("title: 标题\ndate: 2025-01-01\ntags: 签证", "'tags' must be a list", 4),
    # the mistakes staff make most, said in their words at their line (YAML finds the first a line later)
    ("title：标题\ndate: 2025-01-01", "'title：' is written with a full-width colon (a Chinese keyboard's): write "
                                     "'title:' with a Latin one", 2),
    ("title: 通知: 关于开展检查\ndate: 2025-01-01", "a value holding ': ' must be in quotes, title: \"…\"", 2),
    ("title: 标题\ndate: 2025-01-01\ntags:\n\t- 签证", "a tab indents this line; YAML indents with spaces", 5),
    # a title of spaces would go online blank, on the page, in the feeds and in every list
    ("date: 2025-01-01\ntitle: '\u3000 '", "'title' holds only spaces or invisible characters: write it, or delete", 3),
    ("title: \"\\u200b\"\ndate: 2025-01-01", "'title' holds only spaces or invisible characters", 2),
    ("title: 标题\ndate: 2025-01-01\nsummary: '  '", "'summary' holds only spaces or invisible characters: write "
                                                  "it, or delete the line to leave it out", 4),
])
def test_bad_front_matter_names_file_and_line(tmp_project, front, message, line):
    path = tmp_project.content_dir / "guides" / "bad.md"
    path.parent.mkdir()
    path.write_text(f"---\n{front}\n---\n正文\n", encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_document(path, tmp_project.content_dir)
    assert message in info.value.message
    assert info.value.line == line
    assert str(info.value).startswith(f"{path}:{line}: ")


def test_every_bad_field_of_a_file_is_named_at_once_the_first_at_its_line(tmp_project):
    path = tmp_project.content_dir / "guides" / "bad.md"
    path.parent.mkdir()
    path.write_text("---\ntitle: 标题\ndate: 2025-01-01\nvalid_from: soon\nvalid_until: later\nsumary: x\n---\n正文\n",
                    encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_document(path, tmp_project.content_dir)
    assert info.value.line == 4 and info.value.message.startswith("bad date in 'valid_from'")
    assert "(also line 5: bad date in 'valid_until': 'later' (use YYYY-MM-DD); line 6: unknown front-matter " \
           "key 'sumary': did you mean 'summary'?)" in info.value.message


def test_unclosed_front_matter_is_reported(tmp_project):
    path = tmp_project.content_dir / "a" / "b.md"
    path.parent.mkdir()
    path.write_text("---\ntitle: x\n正文\n", encoding="utf-8")
    with pytest.raises(ContentError, match="not closed"):
        load_document(path, tmp_project.content_dir)


@pytest.mark.parametrize("rel", ["guides/Bad_Slug.md", "Guides/ok.md", "guides/深圳.md", "loose.md", "a/b/c.md"])
def test_bad_slugs_and_places_are_rejected(tmp_project, rel):
    path = tmp_project.content_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\ntitle: x\ndate: 2025-01-01\n---\n", encoding="utf-8")
    with pytest.raises(ContentError):
        load_document(path, tmp_project.content_dir)


def test_duplicate_slug_in_another_section_is_rejected_and_others_still_load(tmp_project):
    write_doc(tmp_project.root, "guides/same.md", "title: 一\ndate: 2025-01-01", "一。")
    write_doc(tmp_project.root, "policies/same.md", "title: 二\ndate: 2025-01-01", "二。")
    write_doc(tmp_project.root, "policies/other.md", "title: 三\ndate: 2025-01-01", "三。")
    result = load_documents(tmp_project.content_dir)
    assert sorted(d.slug for d in result.documents) == ["other", "same"]
    assert len(result.errors) == 1 and "already used" in result.errors[0].message


def test_gbk_bytes_are_reported_as_undecodable_with_line(tmp_project):
    path = tmp_project.content_dir / "guides" / "gbk.md"
    path.parent.mkdir()
    path.write_bytes(b"---\ntitle: x\ndate: 2025-01-01\n---\n" + "正文".encode("gbk"))
    with pytest.raises(ContentError, match="undecodable") as info:
        load_document(path, tmp_project.content_dir)
    assert info.value.line == 5


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_a_file_saved_as_utf16_is_told_so_not_taken_for_gbk(tmp_project, encoding):
    path = tmp_project.content_dir / "guides" / "u16.md"
    path.parent.mkdir()
    path.write_bytes(("\ufeff" if encoding.endswith("be") else "")
                     .join(["", "---\ntitle: 标题\ndate: 2025-01-01\n---\n正文。\n"]).encode(encoding))
    with pytest.raises(ContentError, match=r"saved as UTF-16 \(Notepad's \"Unicode\"\): save it as UTF-8") as info:
        load_document(path, tmp_project.content_dir)
    assert info.value.line == 1 and "GBK" not in info.value.message


def test_bom_and_crlf_are_accepted(tmp_project):
    path = tmp_project.content_dir / "guides" / "bom.md"
    path.parent.mkdir()
    path.write_bytes("\ufeff---\r\ntitle: 标题\r\ndate: 2025-01-01\r\n---\r\n正文。\r\n".encode())
    doc = load_document(path, tmp_project.content_dir)
    assert doc.title == "标题" and doc.body == "正文。\n"


def test_oversized_file_is_refused(tmp_project):
    path = tmp_project.content_dir / "guides" / "big.md"
    path.parent.mkdir()
    path.write_text("---\ntitle: x\ndate: 2025-01-01\n---\n" + "字" * 400_000, encoding="utf-8")
    with pytest.raises(ContentError, match="limit"):
        load_document(path, tmp_project.content_dir)


def test_every_front_matter_key_of_the_schema_is_documented_in_the_readme():
    from conftest import REPO

    from zaitun.content.schema import SCHEMA

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = readme[readme.index("```markdown"):readme.index("## 政策概况")]
    assert all(key.help for key in SCHEMA)
    assert [line.split(":")[0] for line in example.split("\n")[2:] if ":" in line] == [k.name for k in SCHEMA]


_SCALARS = st.one_of(st.text(max_size=12), st.integers(), st.booleans(), st.none(),
                     st.sampled_from(["2025-06-12", "2024-12-17T08:00:00", "1e3", "0x1F", "yes", "~", "null"]))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                          st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                       max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.dictionaries(st.text(min_size=1, max_size=8), _VALUES, max_size=5).map(
    lambda meta: yaml.safe_dump(meta, allow_unicode=True, default_flow_style=None)), st.text(max_size=40)))
def test_front_matter_reads_the_same_with_libyaml_as_with_pure_python_yaml(text):
    """Intake parses front matter with libyaml for speed: front matter both parsers read gives the same
    values (dates left as text). They differ over odd whitespace, which libyaml, closer to the YAML spec,
    accepts (`0\t`), and over an empty value tagged `!` ('' against None): tags have no use in front matter."""
    assume("!" not in text)
    pure = type("Pure", (yaml.SafeLoader,), {"yaml_implicit_resolvers": _loader().yaml_implicit_resolvers})

    def read(loader):
        try:
            return yaml.load(text, Loader=loader)
        except yaml.YAMLError:
            return _REFUSED

    fast, slow = read(_loader()), read(pure)
    if fast is not _REFUSED and slow is not _REFUSED:
        assert fast == slow


_REFUSED = object()


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=8), _VALUES, max_size=5))
def test_front_matter_written_by_a_yaml_tool_reads_the_same_with_libyaml(meta):
    """Front matter as editors and `zaitun import` write it: libyaml reads exactly what pure-Python YAML
    reads."""
    text = yaml.safe_dump(meta, allow_unicode=True, default_flow_style=None)
    pure = type("Pure", (yaml.SafeLoader,), {"yaml_implicit_resolvers": _loader().yaml_implicit_resolvers})
    assert yaml.load(text, Loader=_loader()) == yaml.load(text, Loader=pure)


def test_a_document_linked_from_outside_content_is_refused_not_read(tmp_project, tmp_path):
    """A symbolic link in content/ to a file elsewhere is refused by name, a link to a folder elsewhere not
    walked: intake never reads a file outside the content folder."""
    outside = tmp_path / "elsewhere"
    (outside / "sub").mkdir(parents=True)
    secret = "---\ntitle: 外部\ndate: 2025-01-01\n---\n不应发布。\n"
    (outside / "secret.md").write_text(secret, encoding="utf-8")
    (outside / "sub" / "other.md").write_text(secret, encoding="utf-8")
    guides = tmp_project.content_dir / "guides"
    guides.mkdir(parents=True)
    (guides / "secret.md").symlink_to(outside / "secret.md")
    (tmp_project.content_dir / "linked").symlink_to(outside / "sub")
    write_doc(tmp_project.root, "guides/fine.md", "title: 好\ndate: 2025-01-01", "正文。")
    loaded = load_documents(tmp_project.content_dir)
    assert [d.slug for d in loaded.documents] == ["fine"]
    refused = {e.path.name: str(e) for e in loaded.errors}
    assert sorted(refused) == ["linked", "secret.md"] and "outside the content folder" in refused["secret.md"]
    assert "is a link to a folder" in refused["linked"]  # named, not walked: other.md is never read


@pytest.mark.parametrize("link", ["a-link.md", "z-link.md"])
def test_a_link_to_a_document_in_content_is_named_as_a_link_and_the_file_itself_is_read(tmp_project, link):
    """Whichever comes first in the folder, the file is the document and the link is refused as a link (not told
    to rename itself, as a second file of one slug is)."""
    real = write_doc(tmp_project.root, "guides/m.md", "title: 好\ndate: 2025-01-01", "正文。")
    (real.parent / link).symlink_to("m.md")
    for owners in (None, {"m": "guides/m.md"}):  # (as check reads it, and as intake does once it is stored)
        loaded = load_documents(tmp_project.content_dir, owners=owners)
        assert [d.path for d in loaded.documents] == [real]
    [error] = loaded.errors
    assert str(error) == (f"{real.parent / link}:1: is a link to {real.resolve()}, read already as document 'm': "
                          "remove the link (a document is published once; copy the file under another name to "
                          "publish it twice)")


def _refusal(tmp_project, front: str) -> ContentError:
    path = tmp_project.content_dir / "policies" / "bad.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"---\n{front}\n---\n正文\n", encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_document(path, tmp_project.content_dir)
    assert str(info.value).startswith(f"{path}:{info.value.line}: ")
    return info.value


def test_a_document_dated_after_its_last_day_in_force_is_refused_at_valid_until(tmp_project):
    error = _refusal(tmp_project, "title: 通知\ndate: 2026-12-20\nvalid_until: 2026-12-05")
    assert error.line == 4
    assert "'valid_until' (2026-12-05) is before the document's 'date' (2026-12-20): it would go online expired" \
        in error.message


def test_validity_that_ends_before_it_starts_is_refused_at_valid_until(tmp_project):
    error = _refusal(tmp_project, "title: 通知\ndate: 2025-06-01\nvalid_from: 2026-01-01\nvalid_until: 2025-01-01")
    assert error.line == 5
    assert "'valid_until' (2025-01-01) is before 'valid_from' (2026-01-01)" in error.message


def test_validity_of_a_single_day_is_accepted(tmp_project):
    path = write_doc(tmp_project.root, "policies/day.md",
                     "title: 通知\ndate: 2025-06-01\nvalid_from: 2025-06-02\nvalid_until: 2025-06-02", "正文。")
    assert load_document(path, tmp_project.content_dir).valid_until == dt.date(2025, 6, 2)


@pytest.mark.parametrize("front", [
    "title: 一\ndate: 2025-01-01\ntitle: 二",
    "title: 类型\ndate: 2025-01-01\ntitle : [x]",  # the same key, spaced otherwise
    "title: 一\ndate: 2025-01-01\n'title': 二",
])
def test_a_front_matter_key_given_twice_is_refused_at_its_second_line(tmp_project, front):
    error = _refusal(tmp_project, front)
    assert error.line == 4
    assert "'title' is given twice (first on line 2)" in error.message


@pytest.mark.parametrize("written", ["null", "~", "true", "no", "2", "1.5"])
def test_a_key_yaml_reads_as_a_value_is_named_as_written_at_its_line(tmp_project, written):
    error = _refusal(tmp_project, f"title: 标题\ndate: 2025-01-01\n{written}: 2")
    assert error.line == 4
    assert f"unknown front-matter key '{written}'" in error.message


@pytest.mark.parametrize("front, message, line", [
    ("date: 2025-01-01\ntitle : [x]", "'title' must be text", 3),  # a space before the colon
    ("  title: 标题\n  date: 2025-01-01\n  valid_until: 2025-02-30", "bad date in 'valid_until'", 4),  # indented
    ("title: 标题\ndate: 2025-01-01\ntitel : x", "unknown front-matter key 'titel'", 4),
    ("title: 标题\ndate: 2025-01-01\n\"tags\": 签证", "'tags' must be a list", 4),
])
def test_a_bad_value_is_reported_at_the_line_of_its_key_however_the_key_is_written(tmp_project, front, message,
                                                                                    line):
    error = _refusal(tmp_project, front)
    assert message in error.message and error.line == line


def test_valid_until_is_the_last_day_in_force_and_valid_from_the_first():
    from zaitun.content.validity import validity_on

    start, end = dt.date(2024, 12, 20), dt.date(2026, 12, 31)
    assert validity_on(start, end, dt.date(2024, 12, 19)) == "not_yet"
    assert validity_on(start, end, start) == "valid"
    assert validity_on(start, end, dt.date(2026, 12, 1), 60) == "expiring"
    assert validity_on(start, end, end, 60) == "expiring"  # its last day: still in force
    assert validity_on(start, end, dt.date(2027, 1, 1), 60) == "expired"
    assert validity_on(None, None, end) == ""
