"""One orchestration API: the command line, `zaitun up` and the flows run each stage the same way."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from publish_helpers import standard_project
from typer.testing import CliRunner

from zaitun import pipeline
from zaitun.cli import app
from zaitun.scaffold import init_project, upgrade_project

runner = CliRunner()


class Hub(BaseHTTPRequestHandler):
    pings: list[bytes] = []

    def do_POST(self):  # noqa: N802 - http.server naming
        Hub.pings.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def hub() -> Iterator[int]:
    """A receiver on 127.0.0.1 recording what is posted to it in Hub.pings (emptied first); yields its port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Hub.pings = []
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()


def test_build_and_publish_ping_the_websub_hub_only_when_the_site_changed(tmp_path):
    fx = standard_project(tmp_path / "proj")
    with hub() as port:
        config = fx.project.config_path
        config.write_text(config.read_text() + f'\n[publish]\nwebsub_hub = "http://127.0.0.1:{port}/"\n')
        first = runner.invoke(app, ["--project", str(fx.project.root), "build"])
        again = runner.invoke(app, ["--project", str(fx.project.root), "build"])
        stage = pipeline.publish_stage(*pipeline.open_project(fx.project.root))
    assert "pinged WebSub hub" in first.output and "pinged" not in again.output
    assert stage["rendered"] == 0 and stage["pinged"] == 0
    assert len(Hub.pings) == 1


def test_translate_command_translates_what_intake_took_in_like_the_flow(tmp_path):
    root = tmp_path / "site"
    init_project(root)
    before = runner.invoke(app, ["--project", str(root), "translate"])
    assert before.exit_code == 0 and "nothing to translate" in before.output and "zaitun intake" in before.output
    assert runner.invoke(app, ["--project", str(root), "intake"]).exit_code == 0
    after = runner.invoke(app, ["--project", str(root), "translate"])
    assert "240-hour-visa-free-transit" in after.output and "from memory" in after.output


def test_translate_batches_hold_every_document_once_and_their_summaries_add_up(tmp_path):
    root = tmp_path / "site"
    init_project(root)
    project, store = pipeline.open_project(root)
    pipeline.intake_stage(project, store)
    batches = pipeline.document_batches(store, None, 3)
    assert [len(b) for b in batches] == [3, 3, 1]
    assert sorted(s for b in batches for s in b) == sorted(d["slug"] for d in store.documents())
    summaries = [pipeline.translate_stage(project, store, slugs=b) for b in batches]
    total = pipeline.combine_translate_summaries(summaries)
    assert total["drafted"] == sum(s["drafted"] for s in summaries) > 0
    assert sorted(total["completed"]) == sorted(s for b in batches for s in b)  # all approved from memory
    assert total["engine"] == "offline"


OLD_PREFECT_YAML = """name: zaitun
pull:
  - prefect.deployments.steps.set_working_directory:
      directory: "{{ $ZAITUN_PROJECT }}"
deployments:
  - name: intake
    entrypoint: flows/intake_flow.py:intake
  - name: publish
    entrypoint: flows/publish_flow.py:publish
"""


def test_upgrade_tells_an_old_project_what_it_lacks_and_writes_only_missing_files(tmp_path):
    root: Path = tmp_path / "old"
    init_project(root, with_sample=False)
    (root / "prefect.yaml").write_text(OLD_PREFECT_YAML, encoding="utf-8")
    toml = (root / "zaitun.toml").read_text(encoding="utf-8")
    (root / "zaitun.toml").write_text('[project]\ntarget_languages = ["en"]\n\n' + toml.replace(
        "concurrency = 1\n", ""), encoding="utf-8")
    (root / "flows").mkdir()
    (root / ".gitignore").unlink()
    kept = {p: p.read_bytes() for p in (root / "prefect.yaml", root / "zaitun.toml")}

    lines = upgrade_project(root)
    text = "\n".join(lines)
    assert f"{root / '.gitignore'}: missing; written" in text and (root / ".gitignore").is_file()
    assert "deployment 'intake': entrypoint should be 'zaitun.flows.intake:intake'" in text
    assert "deployment 'publish': work_pool should be {'name': 'zaitun'}" in text
    assert "lacks the deployment 'translate'" in text and "lacks the deployment 'expiry'" in text
    assert "project.target_languages is not a setting" in text
    assert "no line for translate.concurrency" in text
    assert f"{root / 'flows'}: a copy of old flows" in text
    assert {p: p.read_bytes() for p in kept} == kept  # existing files are only reported on
    assert upgrade_project(root) == [line for line in lines if "missing; written" not in line]

    fresh = tmp_path / "fresh"
    init_project(fresh, with_sample=False)
    result = runner.invoke(app, ["init", "--upgrade", str(fresh)])
    assert result.exit_code == 0 and "is up to date with zaitun" in result.output


def test_run_tells_staff_of_expiring_content_once_a_day_and_prints_it(tmp_path):
    from conftest import write_doc

    root = tmp_path / "proj"
    init_project(root, with_sample=False)
    with hub() as port:
        config = root / "zaitun.toml"
        config.write_text(config.read_text(encoding="utf-8").replace(
            "expiring = []", f'expiring = ["json://127.0.0.1:{port}/hook"]'), encoding="utf-8")
        write_doc(root, "policies/old-measures.md", "title: 旧措施\ndate: 2023-01-01\nvalid_until: 2024-12-31",
                  "本措施已经到期。")
        first = runner.invoke(app, ["--project", str(root), "run"])
        second = runner.invoke(app, ["--project", str(root), "run"])  # a cron job's next pass, the same day
    assert "expired: old-measures (valid until 2024-12-31)" in first.output
    assert "expired: old-measures" in second.output  # said on each pass, sent once
    assert len(Hub.pings) == 1 and b"old-measures" in Hub.pings[0]


def test_a_page_approved_from_memory_says_so_and_names_no_reviewer_it_did_not_have(tmp_path):
    root = tmp_path / "proj"
    init_project(root)  # the sample: its shipped memory approves every segment
    assert runner.invoke(app, ["--project", str(root), "run"]).exit_code == 0
    page = (root / "publish" / "en" / "guides" / "240-hour-visa-free-transit" / "index.html").read_text()
    assert "reuse its reviewed English" in page and "Approved by: approved translation memory" in page
    assert "Approved by: memory" not in page


def test_an_extension_awaiting_review_still_warns_of_the_english_page_that_expires(tmp_path):
    """Staff extend a notice in Chinese; until the new date is approved the English page keeps the old one and
    turns 'Expired' after it: the expiry check says so, rather than going quiet."""
    import datetime as dt

    from publish_helpers import NOTICE, NOTICE_BODY

    fx = standard_project(tmp_path / "proj")  # the notice's English is approved, valid until 2024-12-31
    fx.write("policies", "notice-2023-1", NOTICE.replace("valid_until: 2024-12-31", "valid_until: 2026-12-31"),
             NOTICE_BODY)
    fx.ingest()
    found = {d["slug"]: d for d in pipeline.expiry_stage(fx.project, fx.store, dt.date(2025, 1, 1))}
    assert found["notice-2023-1"]["expiry"] == "expired"
    assert found["notice-2023-1"]["english_valid_until"] == "2024-12-31"
    assert found["notice-2023-1"]["valid_until"] == "2026-12-31"
    status = runner.invoke(app, ["--project", str(fx.project.root), "status"])
    assert "English page valid until 2024-12-31; the new date 2026-12-31 awaits review" in status.output


def test_an_end_brought_forward_awaiting_review_is_told_as_the_english_page_already_shows_it(tmp_path):
    """The English page shows an earlier end the Chinese brought at once, so the expiry check names that date,
    not the one the English was approved with."""
    import datetime as dt

    from publish_helpers import NOTICE, NOTICE_BODY

    fx = standard_project(tmp_path / "proj")  # the notice's English is approved, valid until 2024-12-31
    fx.write("policies", "notice-2023-1", NOTICE.replace("valid_until: 2024-12-31", "valid_until: 2024-11-30"),
             NOTICE_BODY)
    fx.ingest()
    found = {d["slug"]: d for d in pipeline.expiry_stage(fx.project, fx.store, dt.date(2024, 12, 5))}
    assert found["notice-2023-1"]["expiry"] == "expired" and found["notice-2023-1"]["english_valid_until"] is None
    status = runner.invoke(app, ["--project", str(fx.project.root), "status"])
    assert "awaits review" not in status.output


def test_status_says_when_a_rule_not_yet_in_force_takes_effect(tmp_path):
    """Staff who dropped in a rule that applies from next year see why its page says 'not yet in force', and
    from when it will be (and be announced)."""
    from publish_helpers import NOTICE, NOTICE_BODY

    fx = standard_project(tmp_path / "proj")
    fx.write("policies", "coming", NOTICE.replace("valid_from: 2023-01-05", "valid_from: 2099-01-01").replace(
        "2024-12-31", "2099-12-31").replace("〔2023〕1号", "〔2023〕2号"), NOTICE_BODY)
    fx.ingest()
    status = runner.invoke(app, ["--project", str(fx.project.root), "status"])
    line = next(line for line in status.output.splitlines() if line.startswith("coming "))
    assert line.endswith("[not yet in force: from 2099-01-01]")


def test_a_rule_not_yet_in_force_is_not_called_expiring_though_it_ends_soon_after(tmp_path):
    """In force from in ten days until a month from now: status says from when it is in force, as its pages do,
    and no expiry is told of it before then."""
    from publish_helpers import NOTICE, NOTICE_BODY

    from zaitun.review.status import project_status

    fx = standard_project(tmp_path / "proj")
    today = fx.project.today()
    start, end = today + dt.timedelta(days=10), today + dt.timedelta(days=30)
    fx.write("policies", "coming", NOTICE.replace("valid_from: 2023-01-05", f"valid_from: {start}").replace(
        "2024-12-31", str(end)).replace("〔2023〕1号", "〔2023〕2号"), NOTICE_BODY)
    fx.ingest()
    status = runner.invoke(app, ["--project", str(fx.project.root), "status"])
    line = next(line for line in status.output.splitlines() if line.startswith("coming "))
    assert line.endswith(f"[not yet in force: from {start}]")
    [coming] = [s for s in project_status(fx.store, today, 60) if s.slug == "coming"]
    assert coming.expiry == "" and coming.in_force_from == start
    [then] = [s for s in project_status(fx.store, start, 60) if s.slug == "coming"]
    assert then.expiry == "expiring" and then.in_force_from is None  # told once it is in force


def test_a_translate_pass_counts_as_its_own_only_the_documents_its_memory_approved(tmp_path):
    """A reviewer's approval made while a pass runs is the reviewer's (announced by their action), not the
    pass's "approved from memory"."""
    from zaitun.review import actions
    from zaitun.state.segments import segment_states

    def approved(slug):
        return all(s.state == "approved" for s in segment_states(store, slug))

    root = tmp_path / "site"
    init_project(root)
    (root / "content" / "guides" / "ferry-notes.md").write_text(
        "---\ntitle: 轮渡须知\ndate: 2026-11-30\n---\n\n石井码头轮渡每日七时开船。\n", encoding="utf-8")
    project, store = pipeline.open_project(root)
    with store.tx() as conn:
        store.add_user(conn, "rita", "reviewer", "pw-rita-long")
    pipeline.intake_stage(project, store)
    first = pipeline.translate_stage(project, store)
    assert "ferry-notes" not in first["completed"] and not approved("ferry-notes")  # a reviewer's work
    (root / "content" / "guides" / "tide-table.md").write_text(
        "---\ntitle: 潮汐表\ndate: 2026-11-30\n---\n\n涨潮时请勿靠近防波堤。\n", encoding="utf-8")
    pipeline.intake_stage(project, store)

    class ReviewerMeanwhile:
        """An engine during whose call a reviewer approves the ferry notes: the pass is still running."""
        name, error = "meanwhile", "no draft"

        def translate(self, texts):
            for state in segment_states(store, "ferry-notes"):
                actions.edit(project, store, "ferry-notes", state.seg_id, "English of the ferry notes.", "rita",
                             approve_now=True)
            return [None] * len(texts)

    report = pipeline.translate(project, store, slugs=["tide-table"], engine=ReviewerMeanwhile(), announce=False)
    assert approved("ferry-notes")
    assert report.summary()["completed"] == []


def test_run_counts_approved_english_the_gate_sent_back_as_to_review(tmp_path):
    """Staff remove a validity date the body does not state: nothing is drafted, yet the gate sends the approved
    English of the other date back to review. The pass's summary counts it, as `zaitun status` shows it, and
    reviewers are told of it."""
    root = tmp_path / "site"
    init_project(root)  # the sample: its shipped memory approves every segment
    assert runner.invoke(app, ["--project", str(root), "run"]).exit_code == 0
    policy = root / "content" / "policies" / "quan-zheng-ban-gui-2024-11.md"
    policy.write_text("".join(line for line in policy.read_text(encoding="utf-8").splitlines(keepends=True)
                              if not line.startswith("valid_until:") and "有效期至2026年12月31日" not in line),
                      encoding="utf-8")
    with hub() as port:
        config = root / "zaitun.toml"
        config.write_text(config.read_text(encoding="utf-8").replace(
            "ready_for_review = []", f'ready_for_review = ["json://127.0.0.1:{port}/hook"]'), encoding="utf-8")
        again = runner.invoke(app, ["--project", str(root), "run"])
    assert again.exit_code == 0, again.output
    assert "translate: 0 drafted, 1 to review (1 approved before, sent back)" in again.output
    status = runner.invoke(app, ["--project", str(root), "status"])
    assert "update in review" in status.output and "1 flagged" in status.output
    assert "None" not in status.output  # the page's end stands until the removal is approved, and is said so
    assert "English page valid until 2026-12-31; the Chinese's removal of it awaits review" in status.output
    [told] = Hub.pings
    assert "1 segment(s) to review" in json.loads(told)["message"] and "quan-zheng-ban-gui-2024-11" in told.decode()
