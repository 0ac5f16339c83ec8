import json
import os
import signal
import subprocess
import sys

import pytest
from conftest import free_port, write_doc
from review_support import (
    BODY,
    FRONT,
    PASSWORD,
    SLUG,
    draft_all,
    quick_user,
    review_project,
    run,
    terms,
    wait_for_review_ui,
)

from zaitun.content.intake import ingest
from zaitun.errors import ReviewError
from zaitun.review import gate
from zaitun.review.users import issue_token, verify
from zaitun.state.segments import progress, segment_states


@pytest.fixture
def project(tmp_path):
    project, store = review_project(tmp_path)
    ids = draft_all(store, issues_for={3})
    quick_user(store, "alice")
    quick_user(store, "eve", role="editor")
    yield project, store, ids
    store.close()


def token_of(store, name):
    return issue_token(store, name, actor="test setup")


def test_user_add_takes_the_password_from_stdin_or_a_confirmed_prompt(project):
    proj, store, _ = project
    quick_user(store, "root", role="admin")
    admin = token_of(store, "root")
    result = run(proj, "user", "add", "carol", "--role", "reviewer", "--password-stdin", input=PASSWORD + "\n",
                 token=admin)
    assert result.exit_code == 0, result.output
    assert "added reviewer carol; carol chooses a new password at the first login" in result.output
    assert verify(store, "carol", PASSWORD)["role"] == "reviewer" and verify(store, "carol", "nope") is None
    assert store.user("carol")["must_change_password"]  # the admin knows it: approvals are carol's only after
    result = run(proj, "user", "add", "dave", "--role", "admin", input=f"{PASSWORD}\n{PASSWORD}\n", token=admin)
    assert result.exit_code == 0 and verify(store, "dave", PASSWORD)["role"] == "admin"
    assert store.user("dave")["password_hash"].startswith("$argon2id$")
    bad = run(proj, "user", "add", "zed", "--role", "boss", "--password-stdin", input=PASSWORD, token=admin)
    assert isinstance(bad.exception, ReviewError) and "unknown role" in str(bad.exception)
    refused = run(proj, "user", "add", "zed", "--role", "admin", "--password-stdin", input=PASSWORD,
                  token=token_of(store, "alice"))
    assert "only an admin may add accounts" in str(refused.exception) and store.user("zed") is None


def test_list_and_show_print_progress_and_segments(project):
    proj, _store, ids = project
    listing = json.loads(run(proj, "review", "list", "--json").output)
    assert (listing["documents"][0]["slug"], listing["documents"][0]["flagged"]) == (SLUG, 1)
    shown = json.loads(run(proj, "review", "show", SLUG, "--json").output)
    assert [s["id"] for s in shown["segments"]] == ids and shown["progress"]["approved"] == 0
    text = run(proj, "review", "show", SLUG).output
    assert "240 is missing" in text and ids[0] in text


def shown(proj) -> dict:
    """`review show --json`: what the reviewer read."""
    return json.loads(run(proj, "review", "show", SLUG, "--json").output)


def versioned(proj, n: int) -> str:
    seg = shown(proj)["segments"][n]
    return f"{seg['id']}@{seg['version']}"


def test_show_prints_each_segment_with_its_version_and_the_unflagged_command(project):
    proj, _store, ids = project
    text = run(proj, "review", "show", SLUG).output
    assert versioned(proj, 0) in text
    assert f"zaitun review approve {SLUG} --all-unflagged --seen {shown(proj)['unflagged_token']}" in text


def test_english_holding_a_carriage_return_is_flagged_and_shown_whole(project):
    """A carriage return hid the English before it on a terminal ("Pay the officer in cash.\\r  en: Welcome"
    showed only the welcome) and passed QA: approving all unflagged drafts put the hidden words online."""
    proj, store, ids = project
    hidden = "Pay the officer in cash.\r  en: Welcome to Quanzhou."
    edited = run(proj, "review", "edit", SLUG, ids[2], "--target", hidden, token=token_of(store, "alice"))
    assert edited.exit_code == 0, edited.output
    text = run(proj, "review", "show", SLUG).output
    assert "\r" not in text and "  en: Pay the officer in cash.\\r  en: Welcome to Quanzhou." in text
    assert "carriage return" in text
    [seg] = [s for s in shown(proj)["segments"] if s["id"] == ids[2]]
    assert seg["target"] == hidden and any(i["check"] == "markdown" for i in seg["issues"])
    approved = run(proj, "review", "approve", SLUG, "--all-unflagged", "--seen", shown(proj)["unflagged_token"],
                   token=token_of(store, "alice"))
    assert approved.exit_code == 0 and f"approved {ids[2]}" not in approved.output


def test_approve_by_id_at_version_and_all_unflagged(project):
    proj, store, ids = project
    result = run(proj, "review", "approve", SLUG, versioned(proj, 0), token=token_of(store, "alice"))
    assert result.exit_code == 0 and f"approved {ids[0]}" in result.output
    result = run(proj, "review", "approve", SLUG, "--all-unflagged", "--seen", shown(proj)["unflagged_token"],
                 token=token_of(store, "alice"))
    assert result.exit_code == 0 and result.output.count("approved ") == 3
    result = run(proj, "review", "approve", SLUG, versioned(proj, 3), token=token_of(store, "alice"))
    assert "released for publishing" in result.output
    assert progress(segment_states(store, SLUG))["complete"]


def test_approving_a_flagged_segment_says_back_the_flags_it_was_approved_over(project):
    proj, store, ids = project
    alice = token_of(store, "alice")
    result = run(proj, "review", "approve", SLUG, versioned(proj, 3), versioned(proj, 0), token=alice)
    assert result.exit_code == 0
    assert f"approved {ids[3]}, over 1 QA flag(s): numbers: 240 is missing" in result.output.splitlines()
    assert f"approved {ids[0]}" in result.output.splitlines()


def test_approving_without_naming_the_version_read_is_refused(project):
    proj, store, ids = project
    bare = run(proj, "review", "approve", SLUG, ids[0], token=token_of(store, "alice"))
    assert isinstance(bare.exception, ReviewError) and "ID@VERSION" in str(bare.exception)
    blind = run(proj, "review", "approve", SLUG, "--all-unflagged", token=token_of(store, "alice"))
    assert isinstance(blind.exception, ReviewError) and "--seen" in str(blind.exception)
    edit = run(proj, "review", "edit", SLUG, ids[2], "--target", "Text", "--approve", token=token_of(store, "alice"))
    assert isinstance(edit.exception, ReviewError) and "ID@VERSION" in str(edit.exception)
    assert progress(segment_states(store, SLUG))["approved"] == 0


def test_a_draft_saved_after_review_show_is_not_approved_in_the_readers_name(project):
    proj, store, ids = project
    read, token = versioned(proj, 1), shown(proj)["unflagged_token"]
    # after the reader's `show`
    gate.edit(store, SLUG, ids[1], "Saved by someone else meanwhile", "alice", glossary=terms(proj))
    result = run(proj, "review", "approve", SLUG, read, token=token_of(store, "alice"))
    assert result.exit_code == 1 and f"skipped {ids[1]}: not approved" in result.output
    assert "Saved by someone else meanwhile" in result.output
    alice = token_of(store, "alice")
    everything = run(proj, "review", "approve", SLUG, "--all-unflagged", "--seen", token, token=alice)
    assert isinstance(everything.exception, ReviewError) and "nothing approved" in str(everything.exception)
    stale_edit = run(proj, "review", "edit", SLUG, read, "--target", "Mine", "--approve", token=alice)
    assert isinstance(stale_edit.exception, ReviewError) and "not saved" in str(stale_edit.exception)
    assert progress(segment_states(store, SLUG))["approved"] == 0


def test_approving_a_forbidden_rendering_is_refused_with_the_rendering_to_write(project):
    proj, store, ids = project
    alice = token_of(store, "alice")
    edited = run(proj, "review", "edit", SLUG, ids[2], "--target", "Aliens may use visa-free transit.", token=alice)
    assert edited.exit_code == 0
    assert '! forbidden: "Aliens" is a forbidden rendering of 外国人' in run(proj, "review", "show", SLUG).output
    result = run(proj, "review", "approve", SLUG, versioned(proj, 2), token=alice)
    assert result.exit_code == 1 and f"approved {ids[2]}" not in result.output
    assert '"Aliens" is a forbidden rendering of 外国人; write "foreign national"' in result.output
    assert "edit the English" in result.output
    again = run(proj, "review", "edit", SLUG, versioned(proj, 2), "--target", "Aliens may transit visa-free.",
                "--approve", token=alice)
    assert again.exit_code == 1 and "forbidden rendering of 外国人" in again.output
    assert segment_states(store, SLUG)[2].state == "draft"
    assert store.memory_lookup(["外国人可以过境免签。"]) == {}  # never remembered as approved English


def test_reject_and_edit(project):
    proj, store, ids = project
    alice = token_of(store, "alice")
    rejected = run(proj, "review", "reject", SLUG, versioned(proj, 2), "--comment", "use the glossary", token=alice)
    assert rejected.exit_code == 0 and f"rejected {ids[2]}" in rejected.output
    result = run(proj, "review", "edit", SLUG, versioned(proj, 2), "--target",
                 "Foreign nationals may use visa-free transit.", "--approve", token=alice)
    assert result.exit_code == 0 and f"approved {ids[2]}" in result.output
    seg = segment_states(store, SLUG)[2]
    assert seg.state == "approved" and seg.target == "Foreign nationals may use visa-free transit."


def test_an_edit_approved_at_once_says_the_qa_flags_of_the_english_as_typed(project):
    proj, store, ids = project
    result = run(proj, "review", "edit", SLUG, versioned(proj, 3), "--target", "The stay is up to 24 hours.",
                 "--approve", token=token_of(store, "alice"))
    assert result.exit_code == 0
    assert f"approved {ids[3]}, over 2 QA flag(s): number: 240 (240) is missing or different" in result.output


def test_editing_in_the_approved_english_as_it_is_says_nothing_changed(project):
    proj, store, ids = project
    alice = token_of(store, "alice")
    english = "Foreign nationals may use visa-free transit."
    run(proj, "review", "edit", SLUG, versioned(proj, 2), "--target", english, "--approve", token=alice)
    again = run(proj, "review", "edit", SLUG, versioned(proj, 2), "--target", english, "--approve", token=alice)
    assert again.exit_code == 0
    assert f"unchanged {ids[2]}: nothing changed: this English is already approved, by alice" in again.output
    assert len(store.history(SLUG, ids[2])) == 2  # the machine draft and alice's approved English


def test_a_rejection_names_the_version_read_and_one_of_a_draft_saved_since_is_refused(project):
    proj, store, ids = project
    quick_user(store, "bob")
    alice = token_of(store, "alice")
    bare = run(proj, "review", "reject", SLUG, ids[2], "--comment", "use the glossary", token=alice)
    assert isinstance(bare.exception, ReviewError) and "ID@VERSION" in str(bare.exception)
    read = versioned(proj, 2)  # alice's `show`; then bob saves a draft
    saved = run(proj, "review", "edit", SLUG, read, "--target", "Foreign nationals may transit visa-free.",
                token=token_of(store, "bob"))
    assert saved.exit_code == 0
    stale = run(proj, "review", "reject", SLUG, read, "--comment", "use the glossary", token=alice)
    assert isinstance(stale.exception, ReviewError)
    assert f"{ids[2]}: not rejected: this is not the text you were shown" in str(stale.exception)
    assert "Foreign nationals may transit visa-free." in str(stale.exception)
    assert segment_states(store, SLUG)[2].state == "draft"
    fresh = run(proj, "review", "reject", SLUG, versioned(proj, 2), "--comment", "use the glossary", token=alice)
    assert fresh.exit_code == 0 and f"rejected {ids[2]}" in fresh.output
    assert segment_states(store, SLUG)[2].translation["comment"] == "use the glossary"


def test_xliff_export_and_import_from_the_command_line(project, tmp_path):
    proj, store, ids = project
    out = tmp_path / "visa.xlf"
    assert run(proj, "review", "export-xliff", SLUG, "-o", str(out)).exit_code == 0
    out.write_text(out.read_text(encoding="utf-8").replace("EN 1: 政策概况", "Policy overview"), encoding="utf-8")
    result = run(proj, "review", "import-xliff", str(out), token=token_of(store, "alice"))
    assert result.exit_code == 0 and "updated 1" in result.output
    assert segment_states(store, SLUG)[1].target == "Policy overview"


def test_user_errors_are_one_line_without_a_traceback(project):
    proj, store, ids = project
    done = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(proj.root), "review", "approve", SLUG,
                           f"{ids[0]}@0123456789"], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, env={**os.environ, "ZAITUN_TOKEN": token_of(store, "eve")},
                          start_new_session=True)
    assert done.returncode == 1
    assert done.stderr.strip() == "zaitun: error: user 'eve' is editor; only admin or reviewer may do this"


def zaitun(proj, *args, token: str) -> subprocess.CompletedProcess:
    """The zaitun command line as a process of its own, as a reviewer's shell or script runs it."""
    return subprocess.run([sys.executable, "-m", "zaitun", "--project", str(proj.root), *args], capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL, start_new_session=True,
                          env={**os.environ, "ZAITUN_TOKEN": token})


def test_all_unflagged_with_only_flagged_drafts_left_approves_nothing_and_says_so(project):
    proj, store, ids = project
    token = token_of(store, "alice")
    first = zaitun(proj, "review", "approve", SLUG, "--all-unflagged", "--seen", shown(proj)["unflagged_token"],
                   token=token)
    assert first.returncode == 0 and first.stdout.count("approved ") == 4
    again = zaitun(proj, "review", "approve", SLUG, "--all-unflagged", "--seen", shown(proj)["unflagged_token"],
                   token=token)
    assert again.returncode == 1  # a script reading the status is not told the document is done
    assert again.stderr.strip() == (f"nothing approved: {SLUG} has no unflagged draft left; read each segment left "
                                    f"and approve it by its ID@VERSION (`zaitun review show {SLUG}`): "
                                    f"{versioned(proj, 3)} (flagged)")
    assert segment_states(store, SLUG)[3].state == "draft"
    zaitun(proj, "review", "approve", SLUG, versioned(proj, 3), token=token)
    done = zaitun(proj, "review", "approve", SLUG, "--all-unflagged", "--seen", shown(proj)["unflagged_token"],
                  token=token)
    assert (done.returncode, done.stderr.strip()) == (1, f"nothing approved: every segment of {SLUG} is approved "
                                                         "already")


def test_a_mistyped_segment_id_or_one_of_another_document_is_said_to_be_none_of_the_documents(project):
    proj, store, ids = project
    write_doc(proj.root, "guides/hotel.md", "title: 酒店登记\ndate: 2025-06-21", "外国人须办理住宿登记。\n")
    ingest(proj, store)
    hotel = json.loads(run(proj, "review", "show", "hotel", "--json").output)["segments"][0]
    typo = versioned(proj, 1).replace(ids[1], ids[1][:-1])
    done = zaitun(proj, "review", "approve", SLUG, f"{hotel['id']}@{hotel['version']}", typo,
                  token=token_of(store, "alice"))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"skipped {seg_id}: not approved: {SLUG} has no segment {seg_id!r}: check the id and the document "
        f"(`zaitun review show {SLUG}`)" for seg_id in (hotel["id"], ids[1][:-1])]
    assert progress(segment_states(store, SLUG))["approved"] == 0
    assert progress(segment_states(store, "hotel"))["approved"] == 0
    read = versioned(proj, 2)  # then its Chinese changes: the segment read was the document's, and is no more
    write_doc(proj.root, f"guides/{SLUG}.md", FRONT, BODY.replace("外国人可以过境免签。", "外国人可以申请过境免签。"))
    ingest(proj, store)
    gone = zaitun(proj, "review", "approve", SLUG, read, token=token_of(store, "alice"))
    assert f"has no segment {ids[2]!r} any more (its Chinese changed or was removed)" in gone.stderr
    for verb in (("edit", "--target", "Foreign nationals may transit."), ("reject", "--comment", "no")):
        stale = zaitun(proj, "review", verb[0], SLUG, read, *verb[1:], token=token_of(store, "alice"))
        assert f"{SLUG}: has no segment {ids[2]!r} any more (its Chinese changed or was removed): read the " \
               "document again" in stale.stderr, stale.stderr  # as approving says; not "no current segment"


def test_a_rejection_comment_holding_a_control_character_is_refused_and_the_document_still_exports(project):
    proj, store, ids = project
    token = token_of(store, "alice")
    pasted = "Word's line break:\x0bsay foreign national \x1b[2J"  # a vertical tab, then a terminal's escape
    done = zaitun(proj, "review", "reject", SLUG, versioned(proj, 2), "--comment", pasted, token=token)
    assert done.returncode == 1
    assert done.stderr.strip() == ("zaitun: error: not rejected: the comment holds the control character U+000B "
                                   "(line 1), which no XLIFF file can carry: remove it and reject again")
    assert segment_states(store, SLUG)[2].state == "draft"
    exported = zaitun(proj, "review", "export-xliff", SLUG, token=token)
    assert exported.returncode == 0 and ids[2] in exported.stdout, exported.stderr


def test_a_rejection_comment_stored_with_a_control_character_still_exports(project):
    proj, store, ids = project
    with store.tx() as conn:  # as an older zaitun let it in
        store.reject_translation(conn, segment_states(store, SLUG)[2].translation["id"], "alice", "say\x0bforeign")
    exported = zaitun(proj, "review", "export-xliff", SLUG, token=token_of(store, "alice"))
    assert exported.returncode == 0, exported.stderr
    assert '<note category="rejected">say\ufffdforeign</note>' in exported.stdout


def test_a_mistyped_document_gets_the_nearest_slug_suggested(project):
    proj, _store, _ids = project
    result = run(proj, "review", "show", "vias")
    assert result.exit_code == 1
    assert str(result.exception) == "no document 'vias' in review: did you mean 'visa'? (see `zaitun review list`)"
    assert str(run(proj, "review", "show", "harbour").exception) == \
        "no document 'harbour' in review (see `zaitun review list`)"  # nothing near: no guess


def test_a_document_is_named_by_its_files_path_as_staff_see_it(project, monkeypatch):
    proj, store, ids = project
    for name in ("content/guides/visa.md", "guides/visa.md", str(proj.root / "content" / "guides" / "visa.md")):
        shown = json.loads(run(proj, "review", "show", name, "--json").output)
        assert shown["slug"] == SLUG and [s["id"] for s in shown["segments"]] == ids, name
    monkeypatch.chdir(proj.root / "content" / "guides")  # from the file's own folder
    assert json.loads(run(proj, "review", "show", "visa.md", "--json").output)["slug"] == SLUG
    done = run(proj, "review", "approve", "visa.md", versioned(proj, 1), token=token_of(store, "alice"))
    assert done.exit_code == 0, done.output
    assert progress(segment_states(store, SLUG))["approved"] == 1


def test_a_withdrawn_document_is_said_to_be_withdrawn(project):
    proj, store, ids = project
    (proj.root / "content" / "guides" / "visa.md").unlink()
    ingest(proj, store, allow_empty=True)  # its only document, withdrawn on purpose
    result = run(proj, "review", "reject", SLUG, f"{ids[0]}@0123456789", "--comment", "x",
                 token=token_of(store, "alice"))
    assert str(result.exception) == "document 'visa' is withdrawn (its file left content/): nothing of it is in review"


def test_an_edit_far_longer_than_any_translation_of_its_chinese_is_refused_not_checked_for_minutes(project):
    """A document pasted into one segment (some QA checks take time growing with the square of the length: 880 KB
    held a review worker for minutes) is refused at once, naming the lengths; the segment is left as it was."""
    proj, store, ids = project
    before = segment_states(store, SLUG)[2]
    pasted = "In May the port opens [see the notice]. " * 20_000
    result = run(proj, "review", "edit", SLUG, versioned(proj, 2), "--target", pasted, "--approve",
                 token=token_of(store, "alice"))
    assert result.exit_code == 1 and isinstance(result.exception, ReviewError)
    message = str(result.exception)
    assert f"{ids[2]}: not saved: the English is {len(pasted.strip()):,} characters long" in message
    assert "far longer than any translation of it" in message
    after = segment_states(store, SLUG)[2]
    assert (after.state, after.target, after.version) == (before.state, before.target, before.version)
    fitting = run(proj, "review", "edit", SLUG, versioned(proj, 2), "--target",
                  "Foreign nationals may transit visa-free. " * 10, token=token_of(store, "alice"))
    assert fitting.exit_code == 0  # a long English within bounds is saved, flagged as long if it is


def test_a_seen_token_given_with_segments_is_refused_not_ignored(project):
    proj, store, ids = project
    result = zaitun(proj, "review", "approve", SLUG, versioned(proj, 1), "--seen", shown(proj)["unflagged_token"],
                    token=token_of(store, "alice"))
    assert result.returncode == 1 and "--seen goes with --all-unflagged" in result.stderr
    assert segment_states(store, SLUG)[1].state == "draft"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_review_serve_stopped_by_ctrl_c_or_a_service_manager_says_so_without_a_traceback(project, signum):
    project_, _store, _ids = project
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "zaitun", "--project", str(project_.root), "review", "serve",
                             "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        wait_for_review_ui(f"http://127.0.0.1:{port}", proc)
        os.killpg(proc.pid, signum)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 0, out
    assert out.rstrip().endswith("review UI stopped") and "Traceback" not in out and "ERROR" not in out, out
