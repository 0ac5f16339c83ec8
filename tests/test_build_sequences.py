"""Whatever staff and reviewers do, in whatever order, a rebuild writes the site a build from nothing writes of the
same store and files: warm in a process that built before (`zaitun up`, warm.py), or in a new process that
starts from what the build online saved (snapshot.py, the manifest). Each is checked after every step of random
sequences of edits, retitles, redates (a day later than today too), tag and programme changes, moves,
withdrawals and re-additions, approvals, rejections, glossary lines forbidding approved English, and new days.
One difference is by design: a programme's feeds are dated by a document that left the programme, which a build
from nothing cannot know."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from publish_helpers import TODAY, age, copy_store, make_fixture
from test_site_warm import _same_site

from zaitun.project import Project
from zaitun.publish import extras, output, warm
from zaitun.review.gate import reject
from zaitun.state import heads
from zaitun.state.segments import segment_states

GUIDES = range(4)
TITLES = ["指南{n}", "新的指南{n}标题"]
DATES = ["2025-04-0{n}", "2025-06-30", "2025-07-02", "2024-12-17"]  # 2025-07-02: dated later, the day after TODAY
TAGS = ["[]", "[payments]", "[出入境]", "[payments, 出入境]"]
PROGRAMMES = ["", "programme: 240-hour-transit\n", "programme: foreign-residents\n"]
SECTIONS = ["guides", "policies"]


class BuildSequences(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="zaitun-seq-"))
        self.fx = make_fixture(self.folder / "p")
        self.today = TODAY
        self.docs = {n: {"title": 0, "date": 0, "tags": n % len(TAGS), "programme": 0, "section": 0, "body": 0,
                         "present": True} for n in GUIDES}
        for n in GUIDES:
            self._write(n)
        self.fx.ingest()
        self.fx.translate_and_approve("guide-0")
        age(self.fx.project.root)
        self.step = 0

    def teardown(self) -> None:
        warm.forget(self.fx.out)
        heads.forget(self.fx.store)
        self.fx.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _path(self, n: int) -> Path:
        return self.fx.project.content_dir / SECTIONS[self.docs[n]["section"]] / f"guide-{n}.md"

    def _write(self, n: int) -> None:
        doc = self.docs[n]
        front = (f"title: {TITLES[doc['title']].format(n=n)}\ndate: {DATES[doc['date']].format(n=n + 1)}\n"
                 f"summary: 第{n}篇指南。\ntags: {TAGS[doc['tags']]}\n{PROGRAMMES[doc['programme']]}")
        self.fx.write(SECTIONS[doc["section"]], f"guide-{n}", front, f"## 正文\n\n第{n}篇，第{doc['body']}次修改。")

    def _change(self, n: int, **change: int) -> None:
        if self.docs[n]["present"]:
            if "section" in change:
                self._path(n).unlink()
            self.docs[n].update(change)
            self._write(n)
            self.fx.ingest()

    @rule(n=st.sampled_from(GUIDES))
    def edit_body(self, n: int) -> None:
        self._change(n, body=self.docs[n]["body"] + 1)

    @rule(n=st.sampled_from(GUIDES), title=st.sampled_from(range(len(TITLES))))
    def retitle(self, n: int, title: int) -> None:
        self._change(n, title=title)

    @rule(n=st.sampled_from(GUIDES), date=st.sampled_from(range(len(DATES))))
    def redate(self, n: int, date: int) -> None:
        self._change(n, date=date)

    @rule(n=st.sampled_from(GUIDES), tags=st.sampled_from(range(len(TAGS))))
    def retag(self, n: int, tags: int) -> None:
        self._change(n, tags=tags)

    @rule(n=st.sampled_from(GUIDES), programme=st.sampled_from(range(len(PROGRAMMES))))
    def change_programme(self, n: int, programme: int) -> None:
        self._change(n, programme=programme)

    @rule(n=st.sampled_from(GUIDES))
    def move_to_the_other_section(self, n: int) -> None:
        self._change(n, section=1 - self.docs[n]["section"])

    @rule(n=st.sampled_from(GUIDES))
    def withdraw_or_put_back(self, n: int) -> None:
        doc = self.docs[n]
        if doc["present"]:
            self._path(n).unlink()
        else:
            self._write(n)
        doc["present"] = not doc["present"]
        self.fx.ingest()

    @rule(n=st.sampled_from(GUIDES))
    def approve_english(self, n: int) -> None:
        if self.docs[n]["present"]:
            self.fx.translate_and_approve(f"guide-{n}")

    @rule(n=st.sampled_from(GUIDES))
    def reject_english(self, n: int) -> None:
        approved = [s for s in segment_states(self.fx.store, f"guide-{n}") if s.state == "approved"]
        if self.docs[n]["present"] and approved:
            reject(self.fx.store, f"guide-{n}", approved[0].seg_id, "rita", "wrong", seen=approved[0].version)

    @rule()
    def forbid_or_allow_the_english_given(self) -> None:
        """A glossary line forbidding "EN" for 正文, which every heading's approved English here holds (its
        English is held back, and comes back once allowed again), or that line taken out."""
        terms = self.fx.project.glossary_dir / "terms.csv"
        line = "正文,Main text,EN,\n"
        text = terms.read_text(encoding="utf-8")
        terms.write_text(text.replace(line, "") if line in text else text + line, encoding="utf-8")

    @precondition(lambda self: self.today < TODAY + dt.timedelta(days=2))
    @rule()
    def next_day(self) -> None:
        self.today += dt.timedelta(days=1)

    @invariant()
    def rebuilt_as_from_nothing(self) -> None:
        """After every step: one build in three in a new process (`zaitun build` from cron beside this process,
        starting from the build online), the others warm in this one."""
        self.step += 1
        if self.step % 3 == 0:
            _build_in_another_process(self.fx.project, self.today)
        else:
            self.fx.build(self.today)
        full = _built_from_nothing(self.fx.project, self.folder / f"full-{self.step}", self.today)
        site, whole = self.fx.out.resolve(), full.publish_dir.resolve()
        later = _dated_by_a_departure(site, whole, _same_site(site, whole))
        assert _same_site(site, whole) == sorted(later)
        records, built = (output.read_manifest(output.current(out))[0] for out in (self.fx.out, full.publish_dir))
        for path in later:  # their keys hold the date
            del records["files"][path], built["files"][path]
        assert records == built
        shutil.rmtree(full.root)


FEED_DATE = re.compile(r"<updated>[^<]*</updated>|<lastBuildDate>[^<]*</lastBuildDate>")


def _dated_by_a_departure(site: Path, whole: Path, differing: list[str]) -> list[str]:
    """The programme feeds that differ only in their own date, later in the site built step by step: a
    document that left the programme dates them (feeds.py), which only a build that saw it leave knows."""
    later = []
    for path in differing:
        if not path.startswith(PROGRAMME_FEEDS) or not (whole / path).is_file() or not (site / path).is_file():
            continue
        (mine, at), (theirs, then) = (_feed_date((folder / path).read_text(encoding="utf-8"))
                                      for folder in (site, whole))
        if mine == theirs and at > then:
            later.append(path)
    return later


PROGRAMME_FEEDS = ("zh/programmes/", "en/programmes/")


def _feed_date(feed: str) -> tuple[str, dt.datetime]:
    found = FEED_DATE.search(feed)
    text = found.group(0).split(">", 1)[1].split("<", 1)[0]
    at = dt.datetime.fromisoformat(text) if found.group(0).startswith("<updated>") else \
        email.utils.parsedate_to_datetime(text)
    return feed[:found.start()] + feed[found.end():], at


def _built_from_nothing(project: Project, folder: Path, today: dt.date) -> Project:
    """The same store and files, built with no build online and no cache in .zaitun/, in a new process."""
    shutil.copytree(project.root, folder, ignore=shutil.ignore_patterns(
        "publish*", ".publish*", extras.LINES_FILE, "bodies.sqlite*", "state.db*"))
    copy_store(project, folder)
    _build_in_another_process(Project(folder), today)
    return Project(folder)


def _build_in_another_process(project: Project, today: dt.date) -> None:
    script = ("import datetime as dt\nfrom zaitun.project import Project\nfrom zaitun.state.store import Store\n"
              "from zaitun.publish.site import build_site\n"
              f"project = Project({str(project.root)!r}); store = Store.open(project.database_url)\n"
              f"build_site(project, store, today=dt.date.fromordinal({today.toordinal()}))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr


BuildSequences.TestCase.settings = settings(max_examples=8, stateful_step_count=8, deadline=None,
                                            suppress_health_check=list(HealthCheck))
test_any_sequence_of_changes_builds_the_site_a_build_from_nothing_builds = BuildSequences.TestCase
