"""The search indexer's service is started, and has loaded Chinese, before a build that will index writes its
pages; a build with nothing to index starts none, and a build that fails leaves none running."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from publish_helpers import age, leftovers, search_index_whole, searchable_pages, standard_project

from zaitun.errors import PublishError
from zaitun.publish import indexer, layout, lint, search

FERRY = ("title: 轮渡时刻\ndate: 2025-06-02\nsummary: 泉州轮渡。", "轮渡每天八点开。")


def recording_pagefind(folder: Path) -> Path:
    """Pagefind's own binary behind a script that notes when each service starts (ns) and keeps what it is sent."""
    script = folder / "pagefind"
    script.write_text(f'#!/bin/sh\ndate +%s%N >> "{folder}/started"\n'
                      f'tee -a "{folder}/sent" | "{indexer.executable()}" "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return script


def sent(folder: Path) -> list[dict]:
    """The messages the services were sent, in order."""
    raw = (folder / "sent").read_bytes() if (folder / "sent").exists() else b""
    return [json.loads(base64.b64decode(part))["payload"] for part in raw.split(b",") if part]


def starts(folder: Path) -> list[int]:
    path = folder / "started"
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def zaitun_build(root: Path, pagefind: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PAGEFIND_BINARY_PATH"] = str(pagefind)
    done = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(root), "build"], capture_output=True,
                          text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    return done


def ferry_taken_in(tmp_path: Path):
    """The standard project built, then a guide taken in; and a folder for what a recording Pagefind notes."""
    fx = standard_project(tmp_path / "proj")
    fx.build()
    fx.write("guides", "ferry", *FERRY)
    fx.ingest()
    record = tmp_path / "record"
    record.mkdir()
    return fx, record


def test_zaitun_build_starts_the_indexer_and_loads_chinese_before_it_writes_a_page(tmp_path):
    fx, record = ferry_taken_in(tmp_path)
    zaitun_build(fx.project.root, recording_pagefind(record))
    page = fx.out / "zh" / "guides" / "ferry" / "index.html"
    assert starts(record) and starts(record)[0] < page.stat().st_mtime_ns
    added = [message for message in sent(record) if message["type"] == "AddFile"]
    assert added[0]["file_contents"] == indexer.WARM_PAGE  # first of all: the dictionary loads while pages are made
    assert "/zh/guides/ferry/" in [message["url"] for message in added[1:]]
    assert search_index_whole(fx.out)


def test_a_rebuild_of_a_few_pages_in_both_languages_indexes_them_all_on_one_service(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    fx.write("guides", "ferry", *FERRY)
    fx.ingest()
    fx.translate_and_approve("ferry")
    record = tmp_path / "record"
    record.mkdir()
    zaitun_build(fx.project.root, recording_pagefind(record))
    urls = [message["url"] for message in sent(record) if message["type"] == "AddFile"]
    assert {"/zh/guides/ferry/", "/en/guides/ferry/"} <= set(urls)
    assert len(starts(record)) == 1  # the warm service: a second one would cost more than it shares
    assert search_index_whole(fx.out)


def test_zaitun_build_with_nothing_to_index_starts_no_indexer(tmp_path):
    fx = standard_project(tmp_path / "proj")
    age(fx.project.root)  # files written a moment ago are not trusted unchanged (see publish/delta.py)
    record = tmp_path / "record"
    record.mkdir()
    pagefind = recording_pagefind(record)
    zaitun_build(fx.project.root, pagefind)
    before = starts(record)
    zaitun_build(fx.project.root, pagefind)
    assert starts(record) == before


def test_a_build_with_no_change_starts_no_indexer(tmp_path):
    fx = standard_project(tmp_path / "proj")
    age(fx.project.root)
    fx.build()
    indexer.end_warm()
    assert fx.build().search is None
    assert indexer._warm["indexer"] is None


def test_a_build_that_fails_after_its_indexer_started_leaves_no_indexer_running(tmp_path, monkeypatch):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    indexer.end_warm()
    fx.write("guides", "ferry", *FERRY)
    fx.ingest()
    running = []

    def failing(*args):
        running.append(indexer._warm["indexer"]._process)  # started before the pages were written
        return ["zh/index.html: has 2 h1 elements"]

    monkeypatch.setattr(lint, "lint_site", failing)
    with pytest.raises(PublishError, match="has 2 h1 elements"):
        fx.build()
    assert running[0] is not None and running[0].poll() is not None  # ended, and waited for
    assert indexer._warm["indexer"]._process is None


def test_the_service_is_out_of_reach_of_the_terminals_ctrl_c_which_is_for_zaitun_to_stop_and_build_once_more():
    """A terminal's Ctrl-C signals its whole foreground process group: `zaitun up` stops and builds the last
    approvals, on this service, which must not have been interrupted with it."""
    indexer.end_warm()
    indexer.prepare()
    try:
        service = indexer._warm["indexer"]._process
        assert service is not None and service.poll() is None
        assert os.getpgid(service.pid) != os.getpgrp() and os.getsid(service.pid) != os.getsid(0)
    finally:
        indexer.end_warm()
    assert service.poll() is not None


def test_a_warmed_service_indexes_a_language_byte_for_byte_as_a_cold_one(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    site = fx.out.resolve()
    names = searchable_pages(site, "zh")
    with indexer.Indexer() as cold:
        expected = dict(cold.index(site, names))
    with indexer.Indexer() as service:
        service.warm_up()
        assert dict(service.index(site, names)) == expected
    assert any(name.startswith("fragment/") for name in expected)


SLOW_FIRST = """import os, subprocess, sys, threading, time
folder, delay = sys.argv[1], float(sys.argv[2])
with open(f"{folder}/started", "a") as started:
    started.write(f"{time.time_ns()}\\n")
n = len(open(f"{folder}/started").read().split())
real = subprocess.Popen([sys.argv[3], *sys.argv[4:]], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

def forward():  # what this service is sent, kept apart (sent.N)
    with open(f"{folder}/sent.{n}", "ab") as sent:
        while chunk := os.read(0, 1 << 16):
            sent.write(chunk)
            sent.flush()
            real.stdin.write(chunk)
            real.stdin.flush()
    real.stdin.close()

threading.Thread(target=forward, daemon=True).start()
answered, until = 0, time.monotonic() + delay
while chunk := real.stdout.read1(1 << 16):
    if n == 1 and answered >= 1:  # the first service: its answers after the first held back, as if it were slow
        while not os.path.exists(f"{folder}/go") and time.monotonic() < until:
            time.sleep(0.05)
    answered += chunk.count(b",")
    os.write(1, chunk)
"""


def slow_first_pagefind(folder: Path, delay: float = 20.0) -> Path:
    """Pagefind behind a script that keeps each service's messages apart (`sent.N`, N its start) and holds back
    the first service's answers but the first (its start) for `delay` seconds, or until the file `go` is in
    `folder`: loading its Chinese dictionary takes that long at least, however slow or fast the machine."""
    (folder / "slow_first.py").write_text(SLOW_FIRST, encoding="utf-8")
    script = folder / "pagefind"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{folder}/slow_first.py" "{folder}" {delay} '
                      f'"{indexer.executable()}" "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return script


def added_urls(folder: Path, service: int) -> list[str]:
    """The pages service number `service` was sent, by URL (the warm page's is "/")."""
    path = folder / f"sent.{service}"
    raw = path.read_bytes() if path.exists() else b""
    messages = [json.loads(base64.b64decode(part))["payload"] for part in raw.split(b",") if part]
    return [message["url"] for message in messages if message["type"] == "AddFile"]


def test_a_rebuild_with_no_chinese_page_to_index_does_not_wait_for_the_chinese_dictionary(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.write("guides", "ferry", *FERRY)
    fx.ingest()
    fx.build()
    fx.translate_and_approve("ferry")  # its English page is all there is to index
    record = tmp_path / "record"
    record.mkdir()
    zaitun_build(fx.project.root, slow_first_pagefind(record))
    assert len(starts(record)) == 2
    assert added_urls(record, 1) == ["/"]  # the warm page alone: the first service was still loading
    assert "/en/guides/ferry/" in added_urls(record, 2)
    assert not [url for url in added_urls(record, 2) if url.startswith("/zh/")]
    assert search_index_whole(fx.out)
    indexed = [json.loads(listed.read_text(encoding="utf-8"))
               for listed in (fx.out / layout.SEARCH_DIR / "en").glob(f"*/{search.PAGES}")]
    assert any("en/guides/ferry/index.html" in pages for pages in indexed)


def test_a_rebuild_with_a_chinese_page_to_index_waits_for_the_service_loading_the_dictionary(tmp_path):
    fx, record = ferry_taken_in(tmp_path)
    zaitun_build(fx.project.root, slow_first_pagefind(record, delay=0.5))
    assert len(starts(record)) == 1
    assert "/zh/guides/ferry/" in added_urls(record, 1)
    assert search_index_whole(fx.out)


def test_a_service_still_loading_its_dictionary_says_so_without_waiting_and_not_once_it_answered(tmp_path,
                                                                                                  monkeypatch):
    record = tmp_path / "record"
    record.mkdir()
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(slow_first_pagefind(record)))
    site = one_english_page(tmp_path / "site")
    with indexer.Indexer() as service:
        assert not service.warming()  # nothing sent to it yet
        service.warm_up()
        assert service.warming()
        (record / "go").touch()
        assert any(name.startswith("fragment/") for name, _ in service.index(site, ["en/p/index.html"]))
        assert not service.warming()


def test_a_service_that_ended_while_loading_is_not_waited_for_and_the_next_bundle_starts_another(tmp_path):
    site = one_english_page(tmp_path / "site")
    with indexer.Indexer() as service:
        service.warm_up()
        service._process.kill()
        service._process.wait()
        assert not service.warming()
        assert any(name.startswith("fragment/") for name, _ in service.index(site, ["en/p/index.html"]))


def one_english_page(site: Path) -> Path:
    (site / "en" / "p").mkdir(parents=True)
    (site / "en" / "p" / "index.html").write_text(
        '<html lang="en"><body><main data-pagefind-body><p>Quanzhou ferry</p></main></body></html>', encoding="utf-8")
    return site


DYING = f"""import os, subprocess, sys
real = subprocess.Popen([{indexer.executable()!r}, *sys.argv[1:]], stdin=subprocess.PIPE)
sent = 0
while sent < 5 and (chunk := os.read(0, 1 << 16)):
    real.stdin.write(chunk)
    real.stdin.flush()
    sent += chunk.count(b",")
real.kill()
sys.exit("killed mid-build")
"""


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def children() -> list[int]:
    """This process's child processes still running (or not waited for)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            found.append(int(stat.parent.name))
    return found


def test_a_first_build_indexes_its_shards_as_its_pages_are_written_into_the_bundles_indexing_after_makes(
        tmp_path, monkeypatch):
    monkeypatch.setattr(search, "MAX_PAGES", 1)  # a shard a document: several bundles a language
    fx = standard_project(tmp_path / "proj")
    report = fx.build()
    assert report.search.ahead == len(report.search.shards) == 5  # 3 Chinese and 2 English documents
    site = fx.out.resolve()
    again = tmp_path / "again"
    shutil.copytree(site, again, symlinks=True)
    shutil.rmtree(again / layout.SEARCH_DIR)
    search.index_site(again, {search.ALL})  # after the pages, one bundle after another, as before
    assert files_of(site / layout.SEARCH_DIR) == files_of(again / layout.SEARCH_DIR)


def test_an_indexer_dying_while_the_pages_are_written_fails_the_build_and_leaves_no_process(tmp_path, monkeypatch):
    fx = standard_project(tmp_path / "proj")
    dying = tmp_path / "pagefind"  # Pagefind, killed once it has been sent 5 messages (the warm-up is 3)
    dying.write_text(f"#!{sys.executable}\n{DYING}", encoding="utf-8")
    dying.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(dying))
    indexer.end_warm()
    with pytest.raises(PublishError, match=r"the search indexer failed \(ended\): killed mid-build"):
        fx.build()
    assert not fx.out.exists() and leftovers(fx.out) == []  # nothing went online, nothing is left half-made
    assert children() == [] and not [t for t in threading.enumerate() if t.name.startswith("index-")]


def test_an_indexer_dying_while_a_rebuild_writes_its_manifest_leaves_the_version_online_and_no_thread_or_process(
        tmp_path, monkeypatch):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    online = fx.out.resolve()
    before = files_of(online)
    dying = tmp_path / "pagefind"  # the rebuild's index is made beside its manifest (in a thread): it dies there
    dying.write_text(f"#!{sys.executable}\n{DYING}", encoding="utf-8")
    dying.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(dying))
    indexer.end_warm()
    fx.write("guides", "ferry", *FERRY)
    fx.ingest()
    with pytest.raises(PublishError, match=r"the search indexer failed \(ended\): killed mid-build"):
        fx.build()
    assert fx.out.resolve() == online and files_of(online) == before and search_index_whole(fx.out)
    assert leftovers(fx.out) == []  # the version half-made is gone with its manifest
    assert children() == [] and not [t for t in threading.enumerate() if t.name.startswith("index-")]
    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    assert fx.build().search.pages == 1 and search_index_whole(fx.out)  # the next build indexes the page


def test_an_english_page_sent_without_its_review_note_indexes_as_the_whole_page_does(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.write("guides", "transit", *FERRY)  # transit's Chinese changed: its English page notes a revision
    fx.ingest()
    fx.build()
    site = fx.out.resolve()
    name = "en/guides/transit/index.html"
    page = (site / name).read_text(encoding="utf-8")
    assert indexer.IGNORED in page and indexer.IGNORED not in indexer.indexed_part(page)
    with indexer.Indexer() as service:
        trimmed = dict(service.index(site, [name]))
        index = service._ask([{"type": "NewIndex", "config": None}])[0]["index_id"]
        service._ask([{"type": "AddFile", "index_id": index, "file_path": None, "url": "/en/guides/transit/",
                       "file_contents": page}])
        whole = {f["path"]: base64.b64decode(f["content"])
                 for f in service._ask([{"type": "GetFiles", "index_id": index}])[0]["files"]}
    assert trimmed == whole


def test_pages_sent_without_their_head_and_header_index_as_the_whole_pages_do(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    site = fx.out.resolve()
    for lang in ("zh", "en"):
        names = searchable_pages(site, lang)
        assert names and all(len(indexer.indexed_part((site / n).read_text(encoding="utf-8")))
                             < len((site / n).read_text(encoding="utf-8")) for n in names)
        with indexer.Indexer() as service:
            trimmed = dict(service.index(site, names))
            index = service._ask([{"type": "NewIndex", "config": None}])[0]["index_id"]
            service._ask([{"type": "AddFile", "index_id": index, "file_path": None,
                           "url": "/" + n.removesuffix("index.html"),
                           "file_contents": (site / n).read_text(encoding="utf-8")} for n in names])
            whole = {f["path"]: base64.b64decode(f["content"])
                     for f in service._ask([{"type": "GetFiles", "index_id": index}])[0]["files"]}
        assert trimmed == whole
