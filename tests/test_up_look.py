"""`zaitun up` looks at glossary/ and tm/ while it runs: a file caught half-written is not read as it is."""

from __future__ import annotations

import os
import time

from zaitun.up import Look

FORBIDDEN = "zh,en,forbidden,note\n宣传部,Publicity Department,Propaganda Department,\n"


def aged(path) -> None:
    """The file as a later look finds it, its writer done a second ago."""
    then = time.time() - 1
    os.utime(path, (then, then))


def test_a_glossary_file_caught_half_written_is_told_once_it_is_quiet(tmp_path):
    """An editor saving forbidden.csv in place empties it first: a rebuild then would screen the English against
    no forbidden renderings and put online what they hold back. The change is told when the writing is done."""
    glossary = tmp_path / "glossary"
    glossary.mkdir()
    terms = glossary / "forbidden.csv"
    terms.write_text(FORBIDDEN, encoding="utf-8")
    aged(terms)
    look = Look(glossary, every=0)
    assert not look.changed()
    terms.write_text("", encoding="utf-8")  # the truncation, the write still to come
    assert not look.changed()
    terms.write_text(FORBIDDEN + "海丝,Maritime Silk Road,Sea Silk Road,\n", encoding="utf-8")
    assert not look.changed()  # written this moment: perhaps not all of it yet
    aged(terms)
    assert look.changed() and not look.changed()


def test_a_file_removed_from_tm_is_told_at_the_next_look(tmp_path):
    """A removal leaves nothing half-written: the memory forgets the file's pairs at once."""
    memory = tmp_path / "tm"
    memory.mkdir()
    (memory / "ports.tmx").write_text("<tmx/>", encoding="utf-8")
    aged(memory / "ports.tmx")
    (memory / "old.tmx").write_text("<tmx/>", encoding="utf-8")
    aged(memory / "old.tmx")
    look = Look(memory, every=0)
    (memory / "old.tmx").unlink()
    assert look.changed()
