"""What the review pages show, computed from the store: segment cards, previews (the queue is status.py's).

Pure functions returning plain data; the templates escape every piece of it (content is
untrusted input). The only HTML built here comes from `render_markdown`, which has raw
HTML switched off.
"""

from __future__ import annotations

import difflib
import html
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from zaitun.content.files import file_link_for
from zaitun.content.markdown import render_markdown
from zaitun.content.model import document_from_row
from zaitun.content.segmenter import document_pieces, render_pieces
from zaitun.project import Project
from zaitun.review import qa
from zaitun.review.actions import counted, dated_later
from zaitun.review.gate import released_english
from zaitun.review.status import ENGLISH_OFFLINE
from zaitun.state.segments import SegmentState, progress, segment_states
from zaitun.state.store import Store

FACT_LABELS = {"doc_number": "Document number", "issuer": "Issued by", "valid_from": "Valid from",
               "valid_until": "Valid until"}  # the facts the English page shows beside the text
MEDIA_PREFIX = "/media/"  # where the review UI serves files beside documents, for previews
STAGES = ("draft", "translating", "in review", "update in review", ENGLISH_OFFLINE, "approved", "withdrawn")


@dataclass
class Problems:
    """The queue's box of what the last passes held back: files to fix, files zaitun does not read, which
    need converting or linking instead (content/unread.py says how, file by file), and documents that are the
    same notice as another (content/twice.py), which reviewers would otherwise review twice."""

    to_fix: list[tuple[str, str]]  # (state, message)
    unread: list[tuple[str, str]]  # (state, message), a folder's unlinked files in one
    unread_advice: str = ""  # what to do with a file not read (zaitun.failures.FIX_UNREAD)
    unlinked: int = 0  # of the files the `unread` lines tell of, those merely not linked (a folder's in one line)
    twice: list[str] = field(default_factory=list)  # messages naming both files
    twice_advice: str = ""  # zaitun.failures.FIX_TWICE

    def __bool__(self) -> bool:
        return bool(self.to_fix or self.unread or self.twice)

    @property
    def heading(self) -> str:
        from zaitun.failures import NOT_LINKED

        fix, unlinked = len(self.to_fix), self.unlinked
        unread = sum(1 for state, _ in self.unread if state != NOT_LINKED)
        said = ([f"{counted(fix, 'file')} need{'s' if fix == 1 else ''} fixing"] * bool(fix)
                + [f"{counted(unread, 'file')} cannot be read"] * bool(unread)
                + [f"{counted(unlinked, 'file')} no document links"] * bool(unlinked)
                + [f"{counted(len(self.twice), 'document')} the same notice as another"] * bool(self.twice))
        return "; ".join([*said, "everything else went through"])


def failures(project: Project, store: Store) -> Problems:
    """Each file a pass held back, quarantined or did not read, and each notice in twice, paths shown from the
    project folder."""
    from zaitun import failures as recorded

    root = f"{project.root}/"
    current = recorded.current(store)
    unread = [f for f in current if f.state in recorded.UNREAD]  # a folder's unlinked pictures: one line
    told = recorded.per_folder([(f.source, f.message, f.state == recorded.NOT_LINKED) for f in unread])
    states = {f.message: f.state for f in unread}
    return Problems([(f.state, f.message.replace(root, "")) for f in current if f.state not in recorded.WARNINGS],
                    [(states.get(line, recorded.NOT_LINKED), line.replace(root, "")) for line in told],
                    recorded.FIX_UNREAD, sum(1 for f in unread if f.state == recorded.NOT_LINKED),
                    [f.message.replace(root, "") for f in current if f.state == recorded.SAME_NOTICE],
                    recorded.FIX_TWICE)


@dataclass
class SegmentView:
    """One segment card of the document page."""

    state: SegmentState
    parts: list[tuple[str, qa.Term | None]]
    terms: list[qa.Term]
    old_parts: list[tuple[bool, str]] = field(default_factory=list)  # (changed?, text) of the old Chinese
    new_parts: list[tuple[bool, str]] = field(default_factory=list)
    online: bool = False  # its English is released: rejecting it takes the page offline (or keeps it from going online)
    later: str = ""  # the document's date (YYYY-MM-DD) when it is dated later, not online yet (actions.dated_later)

    @property
    def seg_id(self) -> str:
        return self.state.seg_id

    def rendered(self, term: qa.Term) -> bool:
        return term.en.lower() in self.state.target.lower()


TOKEN_RE = re.compile(r"\d[\d.,]*|[A-Za-z]+|\s+|.", re.DOTALL)


def char_diff(old: str, new: str) -> tuple[list[tuple[bool, str]], list[tuple[bool, str]]]:
    """Both texts as runs of (changed?, text): Chinese compared by character, numbers and words whole."""
    a, b = TOKEN_RE.findall(old), TOKEN_RE.findall(new)
    old_parts: list[tuple[bool, str]] = []
    new_parts: list[tuple[bool, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        _append(old_parts, tag != "equal", "".join(a[i1:i2]))
        _append(new_parts, tag != "equal", "".join(b[j1:j2]))
    return old_parts, new_parts


def _append(parts: list[tuple[bool, str]], changed: bool, text: str) -> None:
    if not text:
        return
    if parts and parts[-1][0] == changed:
        parts[-1] = (changed, parts[-1][1] + text)
    else:
        parts.append((changed, text))


def segment_views(project: Project, store: Store, slug: str) -> list[SegmentView]:
    terms = qa.glossary(project.glossary_dir)
    views, release, later = [], store.latest_release(slug), dated_later(project, store, slug)
    for state in segment_states(store, slug):
        view = SegmentView(state, qa.split_terms(state.source, terms), qa.found_terms(state.source, terms),
                           online=released_english(state, release), later=later.isoformat() if later else "")
        if state.previous:
            view.old_parts, view.new_parts = char_diff(state.previous["source"], state.source)
        views.append(view)
    return views


def next_open(views: list[SegmentView], after: str) -> str | None:
    """The first segment after `after` still needing a decision (wrapping around), for the next focus."""
    ids = [v.seg_id for v in views]
    start = ids.index(after) + 1 if after in ids else 0
    for view in views[start:] + views[:start]:
        if view.state.state != "approved":
            return view.seg_id
    return None


def summary(views: list[SegmentView]) -> dict:
    return progress([v.state for v in views])


@dataclass
class Preview:
    title_zh: str
    title_en: str
    html_zh: str  # from render_markdown: safe to insert as it is
    html_en: str
    missing: int
    facts: list[tuple[str, str, str]] = field(default_factory=list)  # (label, Chinese, English or "")


def preview(store: Store, slug: str, content_dir: Path | None = None) -> Preview:
    """The page in both languages; English from the current targets, missing ones marked. With
    `content_dir`, images and files beside the document link to the review UI's /media/."""
    doc = document_from_row(store.document(slug))
    link = file_link_for(doc.source, content_dir, MEDIA_PREFIX) if content_dir else None
    meta_segs, pieces = document_pieces(doc)
    current = store.current_translations(slug)
    targets = {seg_id: tr["target"] for seg_id, tr in current.items() if tr["target"].strip()}
    missing = {piece.segment.id: piece.segment.source for piece in pieces
               if piece.segment is not None and piece.segment.id not in targets}
    html_en = _marked(pieces, targets, missing, link)
    title_en = next((targets.get(s.id, "") for s in meta_segs if s.kind == "title"), "")
    facts = [(FACT_LABELS[s.kind], s.source, targets.get(s.id, "")) for s in meta_segs if s.kind in FACT_LABELS]
    return Preview(doc.title, title_en, render_markdown(doc.body, link), html_en, len(missing), facts)


_TAG_RE = re.compile(r"<[^<>]*>")


def _marked(pieces: list, targets: dict[str, str], missing: dict[str, str], link) -> str:
    """The English page with each segment without English (`missing`: id -> Chinese) shown as its Chinese,
    marked. Each goes through Markdown as a token of plain letters and digits (Markdown leaves them alone)
    holding a random key, drawn for this page and found in none of its texts: no English a reviewer types
    (nor an entity that renders as such text) can be taken for a mark."""
    texts = "\n".join([*targets.values(), *missing.values()])
    key = next(key for key in iter(lambda: secrets.token_hex(8).upper(), None) if key not in texts)
    tokens = {seg_id: f"ZAITUN{key}M{n}X" for n, seg_id in enumerate(missing)}
    chinese = {token: html.escape(missing[seg_id]) for seg_id, token in tokens.items()}
    token_re = re.compile(f"ZAITUN{key}M[0-9]+X")
    rendered = render_markdown(render_pieces(pieces, targets | tokens), link)
    # in a tag (an image's alt text) the Chinese goes in plain: a mark there would end the tag early
    rendered = _TAG_RE.sub(lambda tag: token_re.sub(lambda m: chinese[m.group()], tag.group()), rendered)
    return token_re.sub(lambda m: f'<mark class="missing" title="no English yet">{chinese[m.group()]}</mark>',
                        rendered)
