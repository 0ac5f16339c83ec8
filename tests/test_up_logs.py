"""The operator's log of `zaitun up` (.zaitun/prefect-serve.log): a flow run failing on a user's error (a mistyped
zaitun.toml, a build refused) says why in one line, as the command line would, not in a Python traceback."""

from __future__ import annotations

import signal
import time

from conftest import write_doc
from test_up_stop import WAITING, WAITING_BODY, WAITING_FRONT, leftovers, running_stack, stop  # noqa: F401

from zaitun.scaffold import init_project


def test_a_flow_run_failing_on_a_mistyped_setting_logs_one_line_not_a_traceback(tmp_path, leftovers):  # noqa: F811
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    proc, _ports, _children = running_stack(root, leftovers)
    log = root / ".zaitun" / "prefect-serve.log"
    config = root / "zaitun.toml"
    lines = config.read_text(encoding="utf-8").splitlines()
    line = lines.index("concurrency = 1") + 1
    config.write_text(config.read_text(encoding="utf-8").replace("concurrency = 1", "concurrency = 0"),
                      encoding="utf-8")
    write_doc(root, f"guides/{WAITING}.md", WAITING_FRONT, WAITING_BODY)  # its intake run fails on the setting
    reason = f"{config}:{line}: 'translate.concurrency' must be at least 1"
    try:
        deadline = time.monotonic() + 120
        while "Finished in state Failed(\"Flow run encountered" not in log.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.5)
        time.sleep(2)  # the engine's last word on the run
    finally:
        stop(proc, signal.SIGINT, 60)
    written = log.read_text(encoding="utf-8")
    assert "Traceback" not in written and 'File "' not in written, written
    failed = [text for text in written.splitlines() if "| ERROR" in text]
    assert failed and all(reason in text for text in failed), written
    assert any(text.endswith(f"Engine execution exited with unexpected exception: ConfigError: {reason}")
               for text in failed), written


def test_a_crash_in_a_flow_run_keeps_its_traceback_and_a_user_error_loses_it():
    import logging

    import zaitun.flows  # noqa: F401 - what every process running a flow imports
    from zaitun.errors import ConfigError

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("prefect.flow_runs")
    # this handler alone: Prefect's API handler, set up by an earlier test's Prefect, would send these records
    # to a server outside any flow run (a warning, an error under the tests' filterwarnings)
    handlers, propagate = logger.handlers, logger.propagate
    logger.handlers, logger.propagate = [handler], False
    try:
        mistyped = ConfigError("zaitun.toml", "'translate.concurrency' must be at least 1", 34)
        for exc in (RuntimeError("a bug"), mistyped):
            try:
                raise exc
            except Exception:
                logger.error("Engine execution exited with unexpected exception", exc_info=True)
    finally:
        logger.handlers, logger.propagate = handlers, propagate
    crash, mistake = records
    assert crash.exc_info and crash.exc_info[1].args == ("a bug",)
    assert mistake.exc_info is None and mistake.getMessage() == (
        "Engine execution exited with unexpected exception: ConfigError: zaitun.toml:34: 'translate.concurrency' "
        "must be at least 1")


def test_the_rebuild_after_an_approval_says_a_refused_build_in_one_line(tmp_path, caplog):
    from zaitun.project import Project
    from zaitun.state.store import Store
    from zaitun.up import _rebuild

    root = tmp_path / "site"
    init_project(root, with_sample=False)
    webroot = tmp_path / "www"
    webroot.mkdir()
    (webroot / "index.php").write_text("<?php ?>", encoding="utf-8")
    config = root / "zaitun.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('output_dir = "publish"', f'output_dir = "{webroot}"'),
                      encoding="utf-8")
    project = Project(root)
    store = Store.open(project.database_url)
    try:
        _rebuild(project, store)  # what zaitun up does the moment a reviewer approves
    finally:
        store.close()
    [record] = [r for r in caplog.records if r.name == "zaitun.up"]
    assert record.exc_info is None
    assert record.getMessage() == (f"rebuilding publish/ after an approval failed: {webroot} (publish.output_dir) is "
                                   "a folder holding files that are not a site zaitun built, and a build replaces "
                                   "that folder: move them elsewhere or set publish.output_dir to a folder of its own")


def test_the_rebuild_that_takes_english_offline_says_when_its_deploy_failed_and_why_it_ran(tmp_path, caplog):
    """Under `zaitun up` with publish.s3_target, the rebuild after a glossary change (or a rejection) deploys too:
    a failure names the deploy and what the rebuild was for, not "after an approval"."""
    from zaitun.project import Project
    from zaitun.state.store import Store
    from zaitun.up import _rebuild

    root = tmp_path / "site"
    init_project(root, with_sample=False)
    config = root / "zaitun.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('s3_target = ""', 's3_target = "s3://nowhere/www"')
                      .replace('s3_endpoint_url = ""', 's3_endpoint_url = "http://127.0.0.1:9"')  # nothing listens
                      .replace("timeout = 60.0", "timeout = 2.0"), encoding="utf-8")
    project = Project(root)
    store = Store.open(project.database_url)
    try:
        _rebuild(project, store, takes_offline=True, why="after a glossary change")
    finally:
        store.close()
    [record] = [r for r in caplog.records if r.name == "zaitun.up"]
    assert record.exc_info is None
    assert record.getMessage().startswith("rebuilding publish/ and deploying it to s3://nowhere/www after a glossary "
                                          "change failed: "), record.getMessage()
    assert (root / "publish" / "index.html").is_file()  # built: only the deploy failed
