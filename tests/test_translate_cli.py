"""`zaitun translate`, `zaitun glossary` and `zaitun tm` as users run them: real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from conftest import free_port
from libre_server import LibreServer
from test_notify import Inbox, mail_url
from translate_support import STAY, TERM, libre_settings, make_project

from zaitun.errors import shown

ZAITUN = [sys.executable, "-m", "zaitun"]


def run(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONWARNINGS": "ignore", **(env or {})}
    return subprocess.run([*ZAITUN, "--project", str(project), *args], capture_output=True, text=True,
                          timeout=120, env=full_env)


def reviewer_token(project, name: str = "rita", role: str = "reviewer") -> str:
    """An account in the project's store and its API token, for the commands that need a proven person."""
    from review_support import quick_user

    from zaitun.review.users import issue_token
    from zaitun.state.store import Store

    store = Store.open(project.database_url)
    try:
        quick_user(store, name, role)
        return issue_token(store, name, actor="test setup")
    finally:
        store.close()


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory) -> Path:
    from zaitun.scaffold import init_project

    root = tmp_path_factory.mktemp("site") / "site"
    init_project(root)
    assert run(root, "intake").returncode == 0  # translate works on what intake took in
    return root


def test_first_offline_run_approves_the_sample_site_from_memory_and_prints_the_json_shape(sample_site):
    result = run(sample_site, "translate", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["documents"] and len(data["documents"]) >= 6
    for doc in data["documents"]:
        assert list(doc) == ["slug", "segments"]
        for seg in doc["segments"]:
            assert list(seg) == ["id", "source", "target", "origin", "issues"]
            assert seg["origin"] == "memory" and seg["target"] and seg["issues"] == []
    status = run(sample_site, "status", "--json")
    assert {d["stage"] for d in json.loads(status.stdout)["documents"]} == {"approved"}


def test_second_run_reports_nothing_new(sample_site):
    run(sample_site, "translate", "--json")
    again = run(sample_site, "translate", "--json")
    assert all(doc["segments"] == [] for doc in json.loads(again.stdout)["documents"])
    text = run(sample_site, "translate")
    assert "nothing to translate" in text.stdout


def test_readable_summary_names_documents_and_flags(tmp_path):
    project = make_project(tmp_path)
    run(project.root, "intake")
    result = run(project.root, "translate")
    assert result.returncode == 0, result.stderr
    assert "notice" in result.stdout and "4 drafted" in result.stdout
    assert "1 from the glossary, 3 left for a human; 3 flagged" in result.stdout


def test_libre_provider_from_the_command_line_with_key_from_the_environment(tmp_path):
    project = make_project(tmp_path)
    run(project.root, "intake")
    with LibreServer(api_key="k1") as server:
        result = run(project.root, "translate", "notice", "--provider", "libre", "--provider-url", server.url,
                     "--json", env={"LIBRE_API_KEY": "k1"})
    assert result.returncode == 0, result.stderr
    segments = {s["source"]: s for s in json.loads(result.stdout)["documents"][0]["segments"]}
    assert segments[STAY]["origin"] == "engine" and segments[STAY]["issues"] == []
    assert segments[TERM]["target"] == "Publicity Department"


def test_unknown_provider_and_unknown_slug_are_one_line_errors(tmp_path):
    project = make_project(tmp_path)
    run(project.root, "intake")
    bad = run(project.root, "translate", "--provider", "babelfish")
    assert bad.returncode == 1 and "unknown translation provider 'babelfish'" in bad.stderr
    assert "Traceback" not in bad.stderr
    missing = run(project.root, "translate", "nope")
    assert missing.returncode == 1 and "no active document 'nope'" in missing.stderr
    assert "Traceback" not in missing.stderr


@pytest.fixture
def failure_mail():
    """A real SMTP server for `notify.failure`: (its messages, the zaitun.toml lines that send them there)."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox.messages, f'\n    [notify]\n    failure = ["{mail_url(port)}"]\n'
    controller.stop()


def test_an_engine_outage_fails_the_run_names_provider_and_cause_and_is_announced_once_until_it_works(
        tmp_path, failure_mail):
    messages, notify = failure_mail
    refused = f"http://127.0.0.1:{free_port()}"
    project = make_project(tmp_path, libre_settings(refused, timeout=1.0, retries=1) + notify)
    cause = ("translation provider libre is failing (libre failed after 1 attempt(s): "
             f"cannot connect to {refused}/translate")
    for _ in range(2):  # the next pass sends the segments again: still failing, not announced again
        done = run(project.root, "run")
        assert done.returncode == 1, done.stdout + done.stderr
        assert "document(s) approved from memory; libre failed on 3 segment(s)" in done.stdout
        assert cause in done.stderr and "api_key" not in done.stderr and "Traceback" not in done.stderr
    assert f"needs fixing: {cause}" in run(project.root, "status").stdout
    [message] = messages
    assert message["Subject"] == "The translation provider needs fixing: the rest of the pass went on"
    assert cause in message.get_body(("plain",)).get_content()
    with LibreServer() as server:  # the provider is back: the segments are translated and the failure is gone
        project.config_path.write_text(textwrap.dedent(libre_settings(server.url) + notify), encoding="utf-8")
        back = run(project.root, "run")
    assert back.returncode == 0, back.stderr
    assert "translate: 3 drafted" in back.stdout and "failed on" not in back.stdout
    assert "needs fixing" not in run(project.root, "status").stdout and len(messages) == 1


def test_an_engine_answering_web_pages_fails_translate_and_says_its_answers_are_not_json(tmp_path):
    project = make_project(tmp_path, "[translate]\nretries = 1\n")
    run(project.root, "intake")
    with LibreServer("garbage") as server:
        done = run(project.root, "translate", "--provider", "libre", "--provider-url", server.url,
                   env={"LIBRE_API_KEY": "k1"})
    assert done.returncode == 1
    assert "3 left for a human (libre failed on 3)" in done.stdout
    assert ("translation provider libre is failing (libre failed after 1 attempt(s): the answer is not JSON"
            in done.stderr)


def test_glossary_export_and_import_and_tm_export_and_import(tmp_path, sample_site):
    tbx, csv_out, tmx = tmp_path / "g.tbx", tmp_path / "g.csv", tmp_path / "m.tmx"
    assert run(sample_site, "glossary", "export", "--format", "tbx", "-o", str(tbx)).returncode == 0
    assert run(sample_site, "glossary", "export", "--format", "csv", "-o", str(csv_out)).returncode == 0
    assert csv_out.read_text(encoding="utf-8").startswith("zh,en,forbidden,note\n")
    assert "<termEntry>" in tbx.read_text(encoding="utf-8")
    run(sample_site, "translate")
    assert run(sample_site, "tm", "export", "-o", str(tmx)).returncode == 0

    fresh = make_project(tmp_path / "fresh")
    imported = run(fresh.root, "glossary", "import", str(tbx))
    assert imported.returncode == 0, imported.stderr
    assert "skipped" in imported.stdout and (fresh.glossary_dir / "g.csv").exists()
    tm = run(fresh.root, "tm", "import", str(tmx), env={"ZAITUN_TOKEN": reviewer_token(fresh)})
    assert tm.returncode == 0 and "added" in tm.stdout
    bad = run(sample_site, "glossary", "export", "--format", "xml")
    assert bad.returncode == 1 and "unknown export format" in bad.stderr


def test_tm_import_skips_units_over_the_projects_text_limit_and_says_why(tmp_path):
    project = make_project(tmp_path / "p", settings="[limits]\ntext_bytes = 1000\n")
    tmx = tmp_path / "long.tmx"
    tmx.write_text('<?xml version="1.0"?><tmx version="1.4"><header srclang="zh-CN" datatype="PlainText" '
                   'segtype="sentence" adminlang="en" o-tmf="x" creationtool="x" creationtoolversion="1"/><body>'
                   f'<tu><tuv xml:lang="zh-CN"><seg>{"外" * 400}</seg></tuv><tuv xml:lang="en"><seg>x</seg></tuv></tu>'
                   '</body></tmx>', encoding="utf-8")
    result = run(project.root, "tm", "import", str(tmx), env={"ZAITUN_TOKEN": reviewer_token(project)})
    assert result.returncode == 0 and "memory: 0 added" in result.stdout
    assert f"{tmx}: unit 1 not imported: its text has 1200 bytes, more than a whole document may have " \
           "(limits.text_bytes 1000)" in result.stderr

def test_tm_import_of_a_file_named_in_gbk_takes_its_pairs_and_names_it_readably(tmp_path):
    """A TMX from a Windows share keeps its GBK name: the import recorded it under that name, which the store
    cannot hold, and stopped with a traceback."""
    project = make_project(tmp_path / "p")
    tmx = Path(os.fsdecode(os.fsencode(tmp_path) + b"/" + "地名".encode("gbk") + b".tmx"))
    tmx.write_text('<?xml version="1.0"?><tmx version="1.4"><header srclang="zh-CN" datatype="PlainText" '
                   'segtype="sentence" adminlang="en" o-tmf="x" creationtool="x" creationtoolversion="1"/><body>'
                   '<tu><tuv xml:lang="zh-CN"><seg>开元寺</seg></tuv>'
                   '<tuv xml:lang="en"><seg>Kaiyuan Temple</seg></tuv></tu>'
                   f'<tu><tuv xml:lang="zh-CN"><seg>{"外" * 3}</seg></tuv></tu></body></tmx>', encoding="utf-8")
    result = run(project.root, "tm", "import", str(tmx), env={"ZAITUN_TOKEN": reviewer_token(project)})
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "memory: 1 added" in result.stdout and f"{shown(tmx)}: unit 2 " in result.stderr, result


@pytest.mark.parametrize(("root", "advice"), [
    ('<martif type="TBX"><text><body/></text></martif>', "a glossary (TBX) goes in with `zaitun glossary import`"),
    ('<xliff version="1.2"><file original="x" source-language="zh" datatype="plaintext"><body/></file></xliff>',
     "a reviewed XLIFF file goes in with `zaitun review import-xliff`")])
def test_a_memory_import_of_a_glossary_or_xliff_file_is_refused_saying_where_it_goes(tmp_path, root, advice):
    project = make_project(tmp_path / "p")
    path = tmp_path / "partner.tmx"
    path.write_text(f'<?xml version="1.0"?>{root}', encoding="utf-8")
    done = run(project.root, "tm", "import", str(path), env={"ZAITUN_TOKEN": reviewer_token(project)})
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"{path}: not a TMX file: its root element is <{root[1:root.index(' ')]}>, not <tmx>; {advice}" in (
        done.stderr + done.stdout)
    assert not list(project.root.glob("tm/*partner*"))


def test_glossary_import_counts_imported_and_skipped_entries_and_says_why(tmp_path):
    project = make_project(tmp_path / "p")
    tbx = tmp_path / "partner.tbx"
    tbx.write_text("""<?xml version="1.0" encoding="utf-8"?>
<martif type="TBX-Basic" xml:lang="en"><text><body>
<termEntry><langSet xml:lang="zh-CN"><ntig><termGrp><term>泉州</term></termGrp></ntig></langSet>
 <langSet xml:lang="en-GB"><ntig><termGrp><term>Zayton</term>
 <termNote type="administrativeStatus">supersededTerm-admn-sts</termNote></termGrp></ntig>
 <ntig><termGrp><term>Quanzhou</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote>
 </termGrp></ntig></langSet></termEntry>
<termEntry><langSet xml:lang="zh-TW"><tig><term>外國人</term></tig></langSet>
 <langSet xml:lang="en"><tig><term>foreign national</term></tig></langSet></termEntry>
</body></text></martif>""", encoding="utf-8")
    result = run(project.root, "glossary", "import", str(tbx))
    assert result.returncode == 0, result.stderr
    assert f"wrote 1 term(s) to {project.glossary_dir / 'partner.csv'}; 1 skipped" in result.stdout
    assert "skipped entry 2 (外國人): its Chinese is Traditional only" in result.stderr
    assert "泉州,Quanzhou,Zayton," in (project.glossary_dir / "partner.csv").read_text(encoding="utf-8")


def test_tm_import_needs_a_proven_reviewer_and_the_english_it_publishes_names_who_vouched(tmp_path):
    """Exact memory matches are approved and published unread: an import nobody vouches for could put any
    English online under "approved translation memory"."""
    from translate_support import LINK, TITLE, tu, write_tmx

    project = make_project(tmp_path / "p")
    assert run(project.root, "intake").returncode == 0
    tmx = write_tmx(tmp_path / "outside.tmx", "".join(tu(zh, en) for zh, en in (
        (TITLE, "Publicity Department of the CPC Quanzhou Municipal Committee issues a notice"),
        (STAY, "Foreign nationals transiting via Quanzhou Jinjiang International Airport may stay for 10 days."),
        (TERM, "Publicity Department"), (LINK, "See the [notice](https://example.org/a)."))))

    nobody = run(project.root, "tm", "import", str(tmx))
    assert nobody.returncode == 1 and "say who you are" in nobody.stderr
    editor = run(project.root, "tm", "import", str(tmx), env={"ZAITUN_TOKEN": reviewer_token(project, "ed", "editor")})
    assert editor.returncode == 1 and "only admin or reviewer may do this" in editor.stderr
    assert run(project.root, "run").returncode == 0
    assert not (project.root / "publish" / "en" / "guides" / "notice").exists()  # nothing imported, nothing out

    imported = run(project.root, "tm", "import", str(tmx), env={"ZAITUN_TOKEN": reviewer_token(project)})
    assert imported.returncode == 0 and "memory: 4 added" in imported.stdout, imported.stderr
    assert run(project.root, "run").returncode == 0
    page = (project.root / "publish" / "en" / "guides" / "notice" / "index.html").read_text(encoding="utf-8")
    assert "Approved by: approved translation memory (rita)" in page
    provenance = json.loads((project.root / "publish" / "provenance.json").read_text(encoding="utf-8"))
    (entry,) = [p for url, p in provenance["pages"].items() if url.endswith("/en/guides/notice/")]
    assert (entry["approved_by"], entry["memory_vouched_by"]) == (["memory"], ["rita"])
