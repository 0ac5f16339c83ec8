"""Glossary loading, longest-leftmost matching, versions and lint."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zaitun.errors import GlossaryConflict
from zaitun.translate.checks import check_translation, forbidden_renderings
from zaitun.translate.glossary import Entry, Glossary, lint_glossaries, load_glossary, parse_file, write_csv


def glossary(*pairs: tuple[str, str]) -> Glossary:
    return Glossary([Entry(zh, en) for zh, en in pairs])


def found(g: Glossary, text: str) -> list[str]:
    return [m.entry.zh for m in g.matches(text)]


def write(folder, name: str, text: str):
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_longer_nested_term_wins():
    g = glossary(("宣传部", "Publicity Department"), ("市委宣传部", "Publicity Department of the CPC Committee"))
    assert found(g, "市委宣传部发布") == ["市委宣传部"]
    assert found(g, "宣传部发布") == ["宣传部"]


def test_long_term_is_never_half_matched_by_a_shorter_overlapping_one():
    g = glossary(("晋江", "Jinjiang"), ("机场", "airport"), ("国际机场", "international airport"),
                 ("晋江国际机场", "Quanzhou Jinjiang International Airport"), ("泉州", "Quanzhou"))
    assert found(g, "从泉州晋江国际机场出发") == ["泉州", "晋江国际机场"]
    assert found(g, "晋江的机场") == ["晋江", "机场"]


def test_leftmost_match_is_taken_before_a_longer_one_that_starts_later():
    g = glossary(("泉州市", "Quanzhou"), ("市委宣传部", "Publicity Department"))
    assert found(g, "泉州市委宣传部") == ["泉州市"]


def test_match_positions_cover_the_term():
    g = glossary(("机场", "airport"))
    [m] = g.matches("在机场")
    assert (m.start, m.end) == (1, 3)


def _brute_force(text: str, terms: list[str]) -> list[tuple[int, str]]:
    out, i = [], 0
    while i < len(text):
        best = max((t for t in terms if text.startswith(t, i)), key=len, default=None)
        if best:
            out.append((i, best))
        i += len(best) if best else 1
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text("甲乙𠮷a", min_size=1, max_size=4), min_size=1, max_size=6, unique=True),
       st.text("甲乙𠮷a丁 ", max_size=25))
def test_matching_agrees_with_the_definition_of_longest_leftmost(terms, text):
    g = glossary(*[(t, t) for t in terms])
    assert [(m.start, m.entry.zh) for m in g.matches(text)] == _brute_force(text, terms)


def test_all_matches_include_nested_terms():
    g = glossary(("宣传部", "a"), ("市委宣传部", "b"))
    assert sorted(m.entry.zh for m in g.all_matches("市委宣传部")) == ["宣传部", "市委宣传部"]


def test_load_reads_every_file_with_forbidden_list_note_and_line(tmp_path):
    folder = tmp_path / "glossary"
    write(folder, "a.csv", "zh,en,forbidden,note\n宣传部,Publicity Department,Propaganda Department|PR Dept,a note\n")
    write(folder, "b.csv", "zh,en,forbidden,note\n\n泉州,Quanzhou,,\n")
    g = load_glossary(folder)
    assert len(g) == 2
    entry = g.by_term["宣传部"]
    assert entry.forbidden == ("Propaganda Department", "PR Dept") and entry.note == "a note" and entry.line == 2
    assert g.by_term["泉州"].line == 3 and g.by_term["泉州"].path.endswith("b.csv")


def test_version_changes_when_a_file_changes(tmp_path):
    folder = tmp_path / "glossary"
    path = write(folder, "a.csv", "zh,en,forbidden,note\n泉州,Quanzhou,,\n")
    first = load_glossary(folder).version
    assert load_glossary(folder).version == first
    path.write_text("zh,en,forbidden,note\n泉州,Quanzhou City,,\n", encoding="utf-8")
    assert load_glossary(folder).version != first and len(first) == 12


def test_lint_reports_each_problem_with_path_and_line(tmp_path):
    folder = tmp_path / "glossary"
    write(folder, "a.csv", "zh,en,forbidden,note\n泉州,Quanzhou,,\n宣传部,Publicity Department,Publicity Department,\n"
                           "机场,,,\n")
    write(folder, "b.csv", "zh,en,forbidden,note\n泉州,Quanzhou,,\n宣传部,Propaganda Department,,\n")
    write(folder, "c.csv", "chinese,english\n泉州,Quanzhou\n")
    write(folder, "d.csv", "zh,en,forbidden,note\n厦门,Xiamen,Amoy\n")
    problems = [str(e) for e in lint_glossaries(folder)]
    text = "\n".join(problems)
    assert f"{folder / 'a.csv'}:3: 宣传部: forbidden rendering 'Publicity Department' is the approved" in text
    assert f"{folder / 'a.csv'}:4: 机场: empty English rendering" in text
    assert f"{folder / 'b.csv'}:2: 泉州: duplicate of a.csv:2" in text
    assert f"{folder / 'b.csv'}:3: 宣传部: conflicting renderings 'Propaganda Department' here" in text
    assert f"{folder / 'c.csv'}:1: the first line must be the header zh,en,forbidden,note" in text
    assert f"{folder / 'd.csv'}:2: expected 4 columns" in text
    assert len(problems) == 6


def test_a_duplicate_line_without_the_bans_of_the_other_is_the_one_to_delete_and_following_that_keeps_them(tmp_path):
    """extra.csv sorts first: calling government.csv:2 a plain duplicate sent people to delete the line that
    forbids "Propaganda Department"; the message names the line holding the bans and the one to delete."""
    folder = tmp_path / "glossary"
    extra = write(folder, "extra.csv", "zh,en,forbidden,note\n宣传部,Publicity Department,,\n")
    write(folder, "government.csv", "zh,en,forbidden,note\n泉州,Quanzhou,,\n"
                                    "宣传部,Publicity Department,Propaganda Department|Propaganda Office,\n")
    assert [str(e) for e in lint_glossaries(folder)] == [
        f"{folder / 'government.csv'}:3: 宣传部: same rendering as extra.csv:2, but only this line forbids "
        "'Propaganda Department' and 'Propaganda Office': delete extra.csv:2, not this line (or move them there "
        "first)"]
    extra.write_text("zh,en,forbidden,note\n", encoding="utf-8")  # the advice followed
    g = load_glossary(folder)
    assert g.problems == []
    assert [found for found, _ in forbidden_renderings("宣传部负责解释。", "The Propaganda Department interprets it.",
                                                       g)] == ["Propaganda Department"]


def test_a_duplicate_line_forbidding_no_more_than_the_other_is_the_one_to_delete(tmp_path):
    folder = tmp_path / "glossary"
    write(folder, "a.csv", PUBLICITY)
    write(folder, "b.csv", "zh,en,forbidden,note\n宣传部,Publicity Department,propaganda  department,\n")
    write(folder, "c.csv", "zh,en,forbidden,note\n宣传部,Publicity Department,,\n")
    write(folder, "d.csv", "zh,en,forbidden,note\n宣传部,Publicity Department,Propaganda Office,\n")
    assert [str(e) for e in lint_glossaries(folder)] == [
        f"{folder / 'b.csv'}:2: 宣传部: duplicate of a.csv:2; delete one of the lines",
        f"{folder / 'c.csv'}:2: 宣传部: duplicate of a.csv:2, which forbids all this line does and more; delete "
        "this line",
        f"{folder / 'd.csv'}:2: 宣传部: same rendering as a.csv:2, each line forbidding what the other does not (this "
        "one 'Propaganda Office', that one 'Propaganda Department'): move them all to one line, then delete the "
        "other"]


def test_empty_line_is_reported_once_and_not_as_a_conflict_with_the_real_entry(tmp_path):
    folder = tmp_path / "glossary"
    write(folder, "a.csv", "zh,en,forbidden,note\n外国人,,,\n")
    write(folder, "b.csv", "zh,en,forbidden,note\n外国人,foreign national,,\n")
    assert [str(e) for e in lint_glossaries(folder)] == [
        f"{folder / 'a.csv'}:2: 外国人: empty English rendering: fill in the en column"]


def test_forbidden_spelling_that_differs_only_in_case_is_allowed(tmp_path):
    folder = tmp_path / "glossary"
    write(folder, "a.csv", "zh,en,forbidden,note\n万事达卡,Mastercard,MasterCard,\n")
    assert lint_glossaries(folder) == []


HEADER = "zh,en,forbidden,note\n"
PUBLICITY = HEADER + "宣传部,Publicity Department,Propaganda Department,\n"
CONFLICT = ("glossary conflict: 宣传部 is 'Publicity Department' in a.csv:2 and 'Propaganda Department' in aaa.csv:2; "
            "keep one in the glossary, then check this English")


def issues(g: Glossary, source: str, target: str) -> dict[str, str]:
    return {i["check"]: i["message"] for i in check_translation(source, target, g)}


def test_a_term_given_two_renderings_in_two_files_flags_every_segment_holding_it(tmp_path):
    folder = tmp_path / "glossary"
    write(folder, "a.csv", PUBLICITY)
    write(folder, "aaa.csv", HEADER + "宣传部,Propaganda Department,,\n")
    g = load_glossary(folder)
    assert issues(g, "宣传部负责解释。", "The Publicity Department interprets it.") == {"glossary": CONFLICT}
    assert issues(g, "宣传部负责解释。", "The Propaganda Department interprets it.").keys() == {"glossary", "forbidden"}
    assert g.rendering("宣传部") == "Publicity Department"  # drafts never take the rendering another line forbids
    [problem] = g.problems
    assert isinstance(problem, GlossaryConflict) and str(problem).startswith(
        f"{folder / 'aaa.csv'}:2: 宣传部: conflicting renderings 'Propaganda Department' here and "
        "'Publicity Department' at a.csv:2; keep one")


def test_a_rendering_forbidden_on_any_line_of_a_term_is_still_refused(tmp_path):
    folder = tmp_path / "glossary"
    write(folder, "a.csv", HEADER + "宣传部,Propaganda Department,,\n")
    write(folder, "b.csv", PUBLICITY)
    g = load_glossary(folder)
    [(found, entry)] = forbidden_renderings("宣传部负责解释。", "The Propaganda  Department interprets it.", g)
    assert found == "Propaganda Department" and entry.path.endswith("b.csv")


def test_an_approved_rendering_another_term_forbids_is_a_conflict(tmp_path):
    folder = tmp_path / "glossary"
    write(folder, "a.csv", PUBLICITY + "中宣部,Propaganda-Department,,\n")
    g = load_glossary(folder)
    assert issues(g, "中宣部负责解释。", "The Propaganda-Department interprets it.") == {"glossary": (
        "glossary conflict: 中宣部 is 'Propaganda-Department' in a.csv:3, a rendering a.csv:2 forbids for 宣传部; "
        "keep one in the glossary, then check this English")}
    assert issues(g, "宣传部负责解释。", "The Publicity Department interprets it.") == {}
    assert [str(p) for p in g.problems] == [
        f"{folder / 'a.csv'}:3: 中宣部: its rendering 'Propaganda-Department' is forbidden for 宣传部 at a.csv:2; "
        "keep one (until then segments holding 中宣部 are flagged for review)"]


def test_a_forbidden_rendering_inside_a_longer_rendering_of_a_term_not_holding_its_own_is_no_conflict(tmp_path):
    """外籍人员就业证 does not hold 外国人, so its "Alien Employment Permit" lifts no ban of 外国人's; nor does a
    longer term's English holding another word, or the forbidden spelling in another case where case matters."""
    folder = tmp_path / "glossary"
    write(folder, "a.csv", PUBLICITY + "外国人,foreign national,alien,\n外籍人员就业证,Alien Employment Permit,,\n"
                                       "万事达卡,Mastercard,MasterCard,\n万事达卡持卡人,Mastercard holders,,\n"
                                       "宣传部门,publicity departments,,\n外国人才,foreign talent,,\n")
    g = load_glossary(folder)
    assert g.problems == [] and g.conflicts == {}
    assert issues(g, "外国人持外籍人员就业证的可以停留。",
                  "Foreign nationals holding an Alien Employment Permit may stay.") == {}
    assert issues(g, "宣传部门负责解释。", "Publicity departments interpret it.") == {}


@pytest.mark.parametrize(("lines", "term", "target", "banned", "by"), [
    ("宣传部门,propaganda departments,,\n", "宣传部门", "Propaganda departments interpret it.",
     "Propaganda Department", "宣传部"),
    ("宣传部门,PROPAGANDA DEPARTMENTS,,\n", "宣传部门", "PROPAGANDA DEPARTMENTS interpret it.",
     "Propaganda Department", "宣传部"),
    ("市委宣传部,Propaganda Department of the CPC Quanzhou Municipal Committee,,\n", "市委宣传部",
     "The Propaganda Department of the CPC Quanzhou Municipal Committee interprets it.", "Propaganda Department",
     "宣传部"),
    ("外国人,foreign national,alien,\n外国人就业许可证,Alien Employment Permit,,\n", "外国人就业许可证",
     "The Alien Employment Permit interprets it.", "alien", "外国人"),
    ("万事达卡,Mastercard,MasterCard,\n万事达卡持卡人,MasterCard holders,,\n", "万事达卡持卡人",
     "MasterCard holders interpret it.", "MasterCard", "万事达卡"),
])
def test_a_longer_terms_rendering_holding_one_forbidden_for_a_term_it_holds_is_a_conflict_and_refused(
        tmp_path, lines, term, target, banned, by):
    """宣传部门 holds 宣传部: "propaganda departments" renders it as its forbidden "Propaganda Department", so the
    line is a conflict (named by check, segments flagged) and the longer rendering lifts no ban at the gate."""
    folder = tmp_path / "glossary"
    write(folder, "a.csv", PUBLICITY + lines)
    g = load_glossary(folder)
    line = 3 + lines.count("\n") - 1
    en = next(row.split(",")[1] for row in lines.splitlines() if row.startswith(term + ","))
    place = next(f"a.csv:{n}" for n, row in enumerate((PUBLICITY + lines).splitlines(), 1)
                 if row.startswith(by + ","))
    [problem] = g.problems
    assert isinstance(problem, GlossaryConflict) and str(problem) == (
        f"{folder / 'a.csv'}:{line}: {term}: its rendering {en!r} holds {banned!r}, which {place} forbids for {by} "
        f"(a term {term} holds); render it otherwise (until then segments holding {term} are flagged for review)")
    assert g.conflicts[term] == (f"glossary conflict: {term} is {en!r} in a.csv:{line}, holding {banned!r}, a "
                                 f"rendering {place} forbids for {by}; keep one in the glossary, then check this "
                                 "English")
    found = issues(g, f"{term}负责解释。", target)
    assert found.keys() == {"glossary", "forbidden"}, found
    assert [entry.zh for _, entry in forbidden_renderings(f"{term}负责解释。", target, g)] == [by]


def test_a_longer_terms_rendering_holding_one_a_line_without_english_forbids_is_a_conflict(tmp_path):
    """A line giving only forbidden renderings (its English still to fill in) bans them all the same: a longer
    term's line rendering it so is named as a conflict, not taken as the term's approved English."""
    folder = tmp_path / "glossary"
    write(folder, "a.csv", "zh,en,forbidden,note\n宣传部,,Propaganda Department,\n宣传部门,propaganda departments,,\n")
    g = load_glossary(folder)
    conflict = [str(p) for p in g.problems if isinstance(p, GlossaryConflict)]
    assert conflict == [f"{folder / 'a.csv'}:3: 宣传部门: its rendering 'propaganda departments' holds 'Propaganda "
                        "Department', which a.csv:2 forbids for 宣传部 (a term 宣传部门 holds); render it otherwise "
                        "(until then segments holding 宣传部门 are flagged for review)"]
    assert g.conflicts["宣传部门"].startswith("glossary conflict: 宣传部门 is 'propaganda departments' in a.csv:3")


@given(renderings=st.lists(st.text(st.sampled_from("ab |\\,\"")).map(str.strip).filter(bool), max_size=4))
def test_any_forbidden_renderings_come_back_from_the_csv_unchanged(tmp_path_factory, renderings):
    """`|` and `\\` inside a rendering are escaped in the forbidden column, so nothing is split or changed."""
    path = tmp_path_factory.mktemp("glossary") / "a.csv"
    with path.open("w", encoding="utf-8") as out:
        write_csv([Entry("热线", "hotline", tuple(renderings))], out)
    assert parse_file(path)[0][0].forbidden == tuple(renderings)


def test_a_forbidden_rendering_of_invisible_characters_only_is_reported_and_finds_nothing(tmp_path):
    """Once invisible characters go, such a rendering is empty: it would be "found" in every English."""
    folder = tmp_path / "glossary"
    write(folder, "a.csv", HEADER + "热线,hotline,\u200b|\u00ad \u200d|hot line,\n")
    g = load_glossary(folder)
    assert forbidden_renderings("热线", "Call the hotline.", g) == []
    assert [found for found, _ in forbidden_renderings("热线", "Call the hot line.", g)] == ["hot line"]
    assert [str(p) for p in g.problems] == [
        f"{folder / 'a.csv'}:2: 热线: forbidden rendering {r!r} is only invisible characters and spaces; "
        "remove it from the forbidden column" for r in ("\u200b", "\u00ad \u200d")]


def test_a_forbidden_rendering_beginning_or_ending_in_a_sign_is_caught_against_letters(tmp_path):
    """Only a letter or digit at a rendering's own edge needs a word boundary there ("alien" is not in "aliens")."""
    folder = tmp_path / "glossary"
    write(folder, "a.csv", HEADER + "中国,China,(PRC)|C++,\n")
    g = load_glossary(folder)
    assert [found for found, _ in forbidden_renderings("中国", "China(PRC) and C++11 rules.", g)] == ["(PRC)", "C++"]


def test_loading_keeps_the_rest_of_the_glossary_and_names_each_line_it_cannot_use(tmp_path):
    folder = tmp_path / "glossary"
    write(folder, "a.csv", PUBLICITY + "厦门,Xiamen,Amoy\n泉州,Quanzhou,,\n")
    (folder / "b.csv").write_bytes((HEADER + "机场,airport,,\n").encode("gbk"))
    g = load_glossary(folder)
    assert sorted(g.by_term) == ["宣传部", "泉州"]
    assert [str(p).split(": ", 1)[0] for p in g.problems] == [f"{folder / 'a.csv'}:3", f"{folder / 'b.csv'}:2"]
    assert "save the file as UTF-8" in str(g.problems[1])
    assert [str(p) for p in g.problems] == [str(p) for p in lint_glossaries(folder)]


def test_an_undecodable_glossary_is_reported_at_the_line_of_the_bad_byte(tmp_path):
    folder = tmp_path / "glossary"
    folder.mkdir()
    text = b"\xef\xbb\xbf" + (HEADER + "泉州,Quanzhou,,\n").encode() + "机场,airport,,\n".encode("gbk")  # a BOM, too
    (folder / "a.csv").write_bytes(text)
    [problem] = lint_glossaries(folder)
    assert problem.line == 3 and "cannot read the file as UTF-8 CSV" in str(problem)


def test_shipped_glossary_is_large_clean_and_matches_nested_terms():
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "glossary"
    g = load_glossary(folder)
    assert len(g) >= 150 and lint_glossaries(folder) == []
    assert found(g, "市委宣传部") == ["市委宣传部"]
    assert found(g, "经泉州晋江国际机场") == ["泉州晋江国际机场"]


def test_foreign_talent_is_not_read_as_foreign_national_plus_a_stray_character():
    from pathlib import Path

    g = load_glossary(Path(__file__).resolve().parent.parent / "glossary")
    assert found(g, "引进外国人才") == ["外国人才"]
    assert found(g, "外国人来华工作") == ["外国人"]
    issues = check_translation("引进外国人才。", "Attract foreign talent.", g)
    assert not [i for i in issues if i["check"] == "term"], issues


def test_thousands_of_terms_are_all_found_in_a_long_text():
    rng = random.Random(1)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 300)]
    terms = {"".join(rng.choices(chars, k=rng.randint(2, 6))) for _ in range(2000)}
    g = glossary(*[(t, t) for t in terms])
    planted = sorted(terms)[:50]
    text = "".join(rng.choices(chars, k=20000)) + "，".join(planted)
    tail = [m.entry.zh for m in g.matches(text) if m.start >= 20000]
    assert tail == planted


def project_glossary(root: Path) -> Path:
    """A project's glossary folder, beside its state folder (where a file is kept as it last read whole)."""
    (root / ".zaitun").mkdir()
    (root / "glossary").mkdir()
    return root / "glossary"


def test_a_slip_on_one_line_of_a_glossary_file_lifts_no_ban_of_its_lines_new_or_kept(tmp_path):
    """The file read whole once (kept); then a line is added and another written with a column too few."""
    from zaitun.translate.checks import forbidden_renderings

    folder = project_glossary(tmp_path)
    terms = folder / "government.csv"
    terms.write_text("zh,en,forbidden,note\n宣传部,Publicity Department,Propaganda Department,\n", encoding="utf-8")
    assert load_glossary(folder).problems == []  # (kept as it reads whole)
    terms.write_text("zh,en,forbidden,note\n统战部,United Front Work Department,United Front Department,\n"
                     "外事办,Foreign Affairs Office,Foreign Office\n", encoding="utf-8")
    glossary = load_glossary(folder)
    [problem] = glossary.problems
    assert problem.line == 3 and "is refused still" in problem.message
    assert forbidden_renderings("统战部召开会议。", "The United Front Department met.", glossary)  # the new line's
    assert forbidden_renderings("宣传部召开会议。", "The Propaganda Department met.", glossary)  # the kept line's
    assert glossary.english_of("统战部") == "United Front Work Department"  # (the file's readable lines in force)


def test_a_glossary_file_deleted_leaves_no_copy_to_bring_back_its_lines_under_its_name(tmp_path):
    folder = project_glossary(tmp_path)
    old = folder / "old.csv"
    old.write_text("zh,en,forbidden,note\n外事办,Foreign Affairs Office,,\n", encoding="utf-8")
    load_glossary(folder)
    old.unlink()
    load_glossary(folder)
    old.write_text("zh,en,forbidden\n", encoding="utf-8")  # a new file of that name, starting broken
    assert load_glossary(folder).english_of("外事办") is None


def test_a_glossary_file_saved_while_it_is_read_is_kept_only_as_a_whole_reading_of_it(tmp_path):
    """An editor saving the file (truncate, then write) all along: each load keeps the very bytes it parsed whole,
    never a second reading taken mid-save, which would leave no copy to hold the bans at the next slip."""
    import subprocess
    import sys

    folder = project_glossary(tmp_path)
    terms = folder / "government.csv"
    whole = "zh,en,forbidden,note\n宣传部,Publicity Department,\"Propaganda Department\",\n".encode()
    terms.write_bytes(whole)
    editor = subprocess.Popen([sys.executable, "-c", (
        "import os, sys\n"
        f"whole = {whole!r}\n"
        "while True:\n"
        "    with open(sys.argv[1], 'wb') as f:\n"
        "        f.write(whole[:50])\n"  # inside the quoted cell: a quote never closed
        "        f.flush()\n"
        "        f.write(whole[50:])\n"), str(terms)])
    try:
        kept = tmp_path / ".zaitun" / "glossary-kept" / "government.csv"
        for _ in range(300):
            load_glossary(folder)
            if kept.exists():
                assert parse_file(kept)[1] == [], kept.read_bytes()
    finally:
        editor.kill()
        editor.wait()
    assert kept.read_bytes() == whole


def test_a_glossary_file_that_cannot_be_read_is_a_problem_at_it_and_its_kept_copy_stays_in_force(tmp_path):
    folder = project_glossary(tmp_path)
    terms = folder / "government.csv"
    terms.write_text("zh,en,forbidden,note\n宣传部,Publicity Department,Propaganda Department,\n", encoding="utf-8")
    load_glossary(folder)
    terms.unlink()
    terms.mkdir()  # (what a read of it raises, as a file unreadable or gone since the folder was listed does)
    glossary = load_glossary(folder)
    [problem] = glossary.problems
    assert problem.path == terms and problem.line == 1 and problem.message.startswith("cannot read the file: ")
    assert glossary.english_of("宣传部") == "Publicity Department"
