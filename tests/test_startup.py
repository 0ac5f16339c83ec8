"""Start-up, as a person or cron runs zaitun (real processes): `zaitun build` with nothing to do says so
without loading the store's SQLAlchemy or the renderer, every kind of change still makes it build, a build
of a SQLite store loads SQLAlchemy only to write failures, and commands load only what they use."""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from publish_helpers import PAYING, TRANSIT, TRANSIT_BODY, age, edit_stored_file, standard_project
from sqlalchemy.engine import make_url
from test_held_back import FAULT, faulty_renderer  # noqa: F401 - the fixture, used by name
from test_site_incremental import versions

import zaitun
from zaitun import failures
from zaitun.publish import lint, output
from zaitun.publish.delta import settled_build
from zaitun.publish.lock import build_lock
from zaitun.state.changes import change_state, sqlite_file, sqlite_path
from zaitun.state.store import Store

# What a build that has something to do loads and one with nothing to do must not: the store's SQL
# toolkit, the build and its renderer, templates, Markdown, the lint's HTML parser, YAML, the bars, the
# HTTP client, and pydantic (which typer 0.29 loads to check option values).
HEAVY = ("sqlalchemy", "zaitun.pipeline", "zaitun.publish.site", "zaitun.state.store", "zaitun.publish.render",
         "jinja2", "markdown_it", "lxml", "yaml", "rich", "httpx", "pydantic")
# What a build with work does not use, whatever it renders: the store's SQL toolkit (a SQLite store is read with
# sqlite3 when the build has no failure to write), the process machinery of `zaitun up`, a pool of
# processes (a few pages render in the build's own), the review web app, Prefect, the HTTP client (no hub is
# set), the translation engines, rich and pydantic; nor, for texts with no file link to rewrite, the reference
# Markdown parser; nor the installed packages' metadata (and the email package it parses them with): the body
# cache knows a parser's copy by its file.
UNUSED_BY_A_BUILD = ("sqlalchemy", "zaitun.state.store", "zaitun.up", "multiprocessing", "markdown_it",
                     "mdit_py_plugins", "zaitun.review.web", "zaitun.review.views", "zaitun.translate.engines",
                     "prefect", "fastapi", "starlette", "httpx", "rich", "pydantic", "importlib.metadata", "email")
SUMMARY = re.compile(r"^built (?P<out>\S+): rendered (?P<rendered>\d+), unchanged (?P<unchanged>\d+), "
                     r"removed (?P<removed>\d+), social posts queued (?P<queued>\d+).* in \d+\.\d\ds$", re.M)


class Built:
    def __init__(self, done: subprocess.CompletedProcess) -> None:
        self.output, self.code = done.stdout, done.returncode
        self.modules = set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \| +(\S+)$", done.stderr, re.M))
        self.errors = "\n".join(line for line in done.stderr.splitlines() if not line.startswith("import time:"))
        summary = SUMMARY.search(self.output)
        self.rendered = int(summary["rendered"]) if summary else None

    def loaded(self, among: tuple[str, ...] = HEAVY) -> list[str]:
        """The modules (and their submodules) of `among`, by default the heavy ones, this process imported."""
        return sorted(m for m in self.modules if any(m == h or m.startswith(h + ".") for h in among))


def run_zaitun(root: Path, *args: str, code: int = 0) -> Built:
    """A zaitun command in its own process, recording every module it imports (python -X importtime); it
    exits with `code`."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "zaitun", "--project", str(root), *args],
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    built = Built(done)
    assert built.code == code, built.output + built.errors
    return built


def zaitun_build(root: Path) -> Built:
    return run_zaitun(root, "build")


@pytest.fixture
def fx(tmp_path):
    fx = standard_project(tmp_path / "proj")
    age(fx.project.root)
    return fx


PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def built(fx):
    """The project built once by `zaitun build` (which had something to do)."""
    first = zaitun_build(fx.project.root)
    assert first.rendered  # it had something to do
    return fx


def test_a_build_with_nothing_to_do_says_so_without_loading_the_store_toolkit_or_the_renderer(built):
    before = versions(built)
    again = zaitun_build(built.project.root)
    assert again.loaded() == []
    summary = SUMMARY.search(again.output)
    assert (summary["rendered"], summary["removed"], summary["queued"]) == ("0", "0", "0")
    assert summary["out"] == str(built.out)
    assert int(summary["unchanged"]) == len(output.load_summary(output.current(built.out))["paths"]) > 0
    assert again.output.strip() == summary.group(0)  # as the build itself reports nothing to do: one line
    assert versions(built) == before


def test_a_build_with_work_loads_only_what_it_uses(built):
    built.write("guides", "paying", PAYING, "## 刷卡\n\n所有商场均可。\n")
    age(built.project.root)
    built.ingest()
    again = zaitun_build(built.project.root)
    assert again.rendered
    assert again.loaded(UNUSED_BY_A_BUILD) == []
    assert {"jinja2", "lxml.etree", "markdown_it_pyrs"} <= again.modules  # what it does use


def test_a_one_change_build_of_a_sqlite_store_reads_it_without_loading_sqlalchemy(built):
    built.write("guides", "paying", PAYING, "## 刷卡\n\n所有商场均可。\n")  # a Chinese body changed, taken in
    age(built.project.root)
    built.ingest()
    chinese = zaitun_build(built.project.root)
    assert chinese.rendered and chinese.loaded(("sqlalchemy", "zaitun.state.store")) == []
    assert "所有商场均可" in (built.out / "zh/guides/paying/index.html").read_text(encoding="utf-8")
    built.translate_and_approve("paying", lambda source: f"EN<{source}>")  # an English release approved
    english = zaitun_build(built.project.root)
    assert english.rendered and english.loaded(("sqlalchemy", "zaitun.state.store")) == []
    assert "EN&lt;所有商场均可。&gt;" in (built.out / "en/guides/paying/index.html").read_text(encoding="utf-8")
    assert zaitun_build(built.project.root).rendered == 0


def test_a_build_records_a_broken_document_through_the_store_and_the_next_clears_it(built):
    edit_stored_file(built.project, "paying", "date: 2025-05-01", "date: 不是日期")  # no longer reads
    broken = run_zaitun(built.project.root, "build", code=1)
    assert "paying" in broken.errors and "sqlalchemy" in broken.modules  # the failure written through the Store
    assert [(f.stage, f.slug, f.state) for f in failures.current(built.store)] == [
        ("build", "paying", failures.HELD_BACK)]
    assert "大型商场均可" in (built.out / "zh/guides/paying/index.html").read_text(encoding="utf-8")  # as online
    edit_stored_file(built.project, "paying", "date: 不是日期", "date: 2025-05-01")
    fixed = zaitun_build(built.project.root)
    assert "sqlalchemy" in fixed.modules and failures.current(built.store) == []  # cleared through the Store
    built.write("guides", "paying", PAYING, "## 刷卡\n\n所有商场均可。\n")
    age(built.project.root)
    built.ingest()
    again = zaitun_build(built.project.root)  # nothing to record nor to clear: nothing written
    assert again.rendered and "sqlalchemy" not in again.modules and failures.current(built.store) == []
    assert "所有商场均可" in (built.out / "zh/guides/paying/index.html").read_text(encoding="utf-8")


def test_help_loads_neither_the_store_toolkit_nor_the_renderer(tmp_path):
    helped = run_zaitun(tmp_path, "--help")
    assert "build" in helped.output
    assert helped.loaded(("sqlalchemy", "zaitun.state", "zaitun.up", "zaitun.pipeline", "zaitun.publish.site",
                          "zaitun.publish.render", "jinja2", "lxml", "yaml", "httpx", "pydantic")) == []
    assert "rich" in helped.modules  # what draws typer's help (with markdown-it, for rich's Markdown)


def test_intake_and_status_load_neither_the_templates_nor_the_notice_importer(built):
    built.write("guides", "paying", PAYING, "## 刷卡\n\n所有商场均可。\n")
    age(built.project.root)
    taken = run_zaitun(built.project.root, "intake")
    assert "ingested 1," in taken.output
    status = run_zaitun(built.project.root, "status")
    assert "paying" in status.output
    for done in (taken, status):  # no template is rendered, no .txt/.docx notice was dropped in
        assert done.loaded(("jinja2", "zaitun.publish.jinja", "zaitun.content.importer", "zaitun.up")) == []


def test_listing_the_documents_to_review_loads_neither_the_web_pages_nor_the_checks(built):
    listed = run_zaitun(built.project.root, "review", "list")
    assert "paying" in listed.output
    assert listed.loaded(("zaitun.review.views", "zaitun.review.web", "zaitun.review.qa", "zaitun.translate.checks",
                          "jinja2", "fastapi", "zaitun.up")) == []


def test_listing_the_kept_builds_loads_neither_the_store_toolkit_nor_the_renderer(built):
    listed = run_zaitun(built.project.root, "rollback", "--list")
    assert listed.loaded() == [] and "(online)" in listed.output


def test_a_dry_run_deploy_loads_neither_the_store_toolkit_nor_the_renderer(built, tmp_path):
    deployed = run_zaitun(built.project.root, "deploy", "--dry-run", "--to", str(tmp_path / "target"))
    assert "would upload index.html" in deployed.output
    assert not {"sqlalchemy", "zaitun.state.store", "zaitun.publish.site", "jinja2", "markdown_it"} & deployed.modules


def test_the_quick_answer_is_the_one_the_build_gives(built):
    quick = settled_build(built.project, built.project.today())
    full = built.build(today=built.project.today())  # the build itself, through the store
    assert quick is not None and full.rendered == [] and sorted(quick.reused) == sorted(full.reused)
    assert quick.summary().rsplit(" in ", 1)[0] == full.summary().rsplit(" in ", 1)[0]


def test_a_build_with_nothing_to_do_waits_for_a_build_under_way(built):
    """It answers from the build online only once a build under way (a flow's) has put its own online."""
    with build_lock(built.project):
        waiting = subprocess.Popen([sys.executable, "-m", "zaitun", "--project", str(built.project.root), "build"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
        with pytest.raises(subprocess.TimeoutExpired):
            waiting.wait(timeout=3)
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert SUMMARY.search(out)["rendered"] == "0"


def test_a_document_taken_in_is_built(built):
    built.write("guides", "paying", PAYING, "## 刷卡\n\n所有商场均可。\n")
    age(built.project.root)
    built.ingest()
    again = zaitun_build(built.project.root)
    assert "zh/guides/paying/index.html" in output.load_summary(output.current(built.out))["touched"]
    assert again.rendered and "所有商场均可" in (built.out / "zh/guides/paying/index.html").read_text(encoding="utf-8")


def test_a_write_to_the_store_made_outside_zaitun_is_built(built):
    edit_stored_file(built.project, "paying", "大型商场均可", "所有商场均可")
    assert zaitun_build(built.project.root).rendered
    assert "所有商场均可" in (built.out / "zh/guides/paying/index.html").read_text(encoding="utf-8")


def test_an_english_approval_is_built(built):
    built.translate_and_approve("paying")
    assert zaitun_build(built.project.root).rendered
    assert (built.out / "en/guides/paying/index.html").is_file()


def test_a_changed_setting_is_built(built):
    config = built.project.config_path
    config.write_text(config.read_text(encoding="utf-8").replace("https://example.org", "https://example.net"),
                      encoding="utf-8")
    age(built.project.root)
    assert zaitun_build(built.project.root).rendered
    assert "https://example.net/" in (built.out / "sitemap.xml").read_text(encoding="utf-8")


def test_a_changed_tag_label_in_the_glossary_is_built(built):
    (built.project.glossary_dir / "tags.yaml").write_text("出入境:\n  en: Entry and exit\n", encoding="utf-8")
    age(built.project.root)
    assert zaitun_build(built.project.root).rendered
    assert "Entry and exit" in (built.out / "en/guides/transit/index.html").read_text(encoding="utf-8")


def test_a_new_static_file_is_built(built):
    (built.project.static_dir).mkdir()
    (built.project.static_dir / "note.txt").write_text("hello", encoding="utf-8")
    age(built.project.root)
    again = zaitun_build(built.project.root)
    assert again.rendered
    assert "feedgen" not in again.modules  # no feed changed: the feed writer is not even loaded
    assert (built.out / "static/note.txt").read_text(encoding="utf-8") == "hello"


def test_a_changed_file_linked_beside_a_document_is_built(fx):
    form = fx.project.content_dir / "guides" / "form.pdf"
    form.write_bytes(PDF)
    fx.write("guides", "transit", TRANSIT, TRANSIT_BODY + "\n请下载[申请表](form.pdf)。\n")
    age(fx.project.root)
    fx.ingest()
    zaitun_build(fx.project.root)
    assert zaitun_build(fx.project.root).rendered == 0
    form.write_bytes(PDF + b"new")
    age(fx.project.root)
    assert zaitun_build(fx.project.root).rendered
    assert (fx.out / "media/guides/form.pdf").read_bytes() == PDF + b"new"


def test_a_changed_template_of_zaitun_is_built(built):
    """zaitun's own code and templates are inputs too (an upgrade changes pages): one template's time stamp
    is moved, then put back."""
    template = next((Path(zaitun.__file__).parent / "publish").rglob("*.html"))
    stamp = template.stat()
    os.utime(template, ns=(stamp.st_atime_ns, stamp.st_mtime_ns - 10**9))
    try:
        assert zaitun_build(built.project.root).rendered is not None
        assert versions(built)[-1] != "000001"  # a new build, not the answer "nothing to do"
    finally:
        os.utime(template, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))


def test_a_new_day_is_built(built):
    assert settled_build(built.project, built.project.today()) is not None
    assert settled_build(built.project, built.project.today() + dt.timedelta(days=1)) is None


def test_a_document_held_back_last_time_is_built_again(fx, faulty_renderer):  # noqa: F811
    fx.build(today=fx.project.today())
    fx.write("guides", "transit", TRANSIT.replace("政策指南", "政策指南（修订）"), TRANSIT_BODY + f"\n{FAULT}\n")
    age(fx.project.root)
    fx.ingest()
    assert fx.build(today=fx.project.today()).problems  # held back, its last good pages online
    assert settled_build(fx.project, fx.project.today()) is None
    again = zaitun_build(fx.project.root)  # no fault in this process: the edit renders now
    assert "zh/guides/transit/index.html" in output.load_summary(output.current(fx.out))["touched"]
    assert again.rendered
    assert "政策指南（修订）" in (fx.out / "zh/guides/transit/index.html").read_text(encoding="utf-8")


def test_posts_not_queued_when_the_build_went_online_are_queued_by_the_next_build(fx):
    from zaitun.publish.site import build_site

    build_site(fx.project, fx.store, today=fx.project.today(), social=False)  # as if stopped before the outbox
    assert settled_build(fx.project, fx.project.today()) is None
    zaitun_build(fx.project.root)
    assert output.load_summary(output.current(fx.out))["social"] is True
    assert zaitun_build(fx.project.root).rendered == 0


def test_a_postgresql_store_is_asked_through_the_store(tmp_path, postgres):
    fx = standard_project(tmp_path / "proj")
    fx.store.close()
    url = postgres.new_database()
    fx.project.config_path.write_text(fx.project.config_path.read_text(encoding="utf-8")
                                      + f'\n[review]\ndatabase_url = "{url}"\n', encoding="utf-8")
    fx.project.__dict__.pop("config", None)
    fx.store = Store.open(url)
    try:
        fx.ingest()
    finally:
        fx.store.close()
    age(fx.project.root)
    assert zaitun_build(fx.project.root).rendered
    assert settled_build(fx.project, fx.project.today()) is None  # not SQLite: no quick answer
    again = zaitun_build(fx.project.root)
    assert again.rendered == 0 and "sqlalchemy" in again.modules


@pytest.mark.parametrize("url", ["sqlite:////tmp/a b/state.db", "sqlite:////tmp/a%20b/state.db", "sqlite:///rel.db",
                                 "sqlite+pysqlite:////srv/z/state.db", "sqlite:////srv/z/state.db?mode=ro",
                                 "sqlite://", "sqlite:///:memory:", "postgresql+psycopg://u@h/db"])
def test_the_sqlite_file_of_a_database_url_is_the_one_sqlalchemy_opens(url):
    path = sqlite_file(url)
    if path is not None:
        assert path == make_url(url).database and not make_url(url).query
    else:
        parsed = make_url(url)
        assert parsed.get_backend_name() != "sqlite" or parsed.query or parsed.database in (None, ":memory:")
    assert sqlite_path(url) == (make_url(url).database if make_url(url).get_backend_name() == "sqlite"
                                and make_url(url).database not in (None, ":memory:") else None)  # options or not


def test_the_change_number_and_identity_read_with_sqlite3_are_the_stores(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    store = Store.open(url)
    assert change_state(url) == (store.change_seq(), store.identity(), store.writes_digest(0)) == (
        0, store.identity(), store.writes_digest(0))
    with store.tx() as conn:
        store.save_document(conn, "a", "guides", "a.md", "x")
        store.add_release(conn, "a", "en", "h", {"body": ""})
    assert change_state(url) == (store.change_seq(), store.identity(), store.writes_digest(2)) == (
        2, store.identity(), store.writes_digest(2))
    assert store.writes_digest(2) != store.writes_digest(0)  # of the two writes
    assert len(store.identity()) == 32
    store.close()


def test_the_change_number_is_not_read_from_a_store_not_made_yet_nor_made_by_reading(tmp_path):
    missing = tmp_path / "state.db"
    assert change_state(f"sqlite:///{missing}") is None and not missing.exists()
    sqlite3.connect(missing).close()  # an empty file, as a store being created leaves it for an instant
    assert change_state(f"sqlite:///{missing}") is None


def test_the_manifest_version_follows_the_lint_read_by_path():
    assert output.LINT == Path(lint.__file__)
