"""`zaitun up` as a newcomer runs it: the whole local stack starts, answers, and stops on Ctrl-C."""

import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx
from conftest import free_port

from zaitun.scaffold import init_project


def wait_for_line(proc: subprocess.Popen, text: str, timeout: float) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"{text!r} not printed within {timeout} s:\n{''.join(lines)}")


def on_free_ports(root) -> dict[str, int]:
    """The project's zaitun.toml set to free ports: `zaitun up` in a test never meets another one's."""
    ports = {"prefect": free_port(), "review": free_port(), "preview": free_port()}
    config = (root / "zaitun.toml").read_text(encoding="utf-8")
    for line, port in (("port = 8400", ports["review"]), ("preview_port = 8000", ports["preview"]),
                       ("port = 4200", ports["prefect"])):  # whole lines: a review port 42001 is no "port = 4200"
        config = re.sub(f"(?m)^{line}$", line.split("=")[0] + f"= {port}", config)
    (root / "zaitun.toml").write_text(config, encoding="utf-8")
    return ports


def start_up(root, extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen, dict[str, int]]:
    """`zaitun up` on the project at root as a subprocess, on free ports (its own Prefect server too), with
    `extra_env` besides the environment (none of it Prefect's)."""
    ports = on_free_ports(root)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | (extra_env or {})
    proc = subprocess.Popen([sys.executable, "-m", "zaitun", "--project", str(root), "up"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    return proc, ports


def test_up_serves_site_review_ui_and_prefect_then_stops_cleanly(tmp_path):
    root = tmp_path / "site"
    init_project(root)
    stray = root / "content" / "policies" / "old-notice.doc"  # staff's old Word file: nothing reads or links it
    stray.write_bytes(b"\xd0\xcf\x11\xe0")
    photos = root / "content" / "guides" / "photos"  # old pictures no document links: one line for them all
    photos.mkdir()
    for name in ("a.jpg", "b.jpg", "c.png", "d.png"):
        (photos / name).write_bytes(b"\xff\xd8\xff")
    proc, ports = start_up(root)
    try:
        printed = "".join(wait_for_line(proc, "Press Ctrl-C to stop.", 150))
        assert f"http://127.0.0.1:{ports['preview']}/" in printed
        assert f"  needs attention: {stray}: an old Word (.doc) file is not read" in printed and stray.exists()
        assert f"  needs attention: {photos}/: 4 files no document links (e.g. a.jpg, b.jpg, c.png, …)" in printed
        assert str(photos / "a.jpg") not in printed
        password_file = root / ".zaitun" / "first-admin-password"
        password = password_file.read_text(encoding="utf-8").strip()
        assert f"first-run admin account: admin, its password is in {password_file}" in printed
        assert password not in printed and password_file.stat().st_mode & 0o777 == 0o600
        site = httpx.get(f"http://127.0.0.1:{ports['preview']}/en/guides/240-hour-visa-free-transit/", timeout=10)
        assert site.status_code == 200 and "240-hour visa-free transit" in site.text
        with httpx.Client(base_url=f"http://127.0.0.1:{ports['review']}", timeout=10) as review:
            form = review.get("/login")
            assert form.status_code == 200
            token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
            login = review.post("/login", data={"name": "admin", "password": password, "csrf_token": token})
            assert (login.status_code, login.headers["location"]) == (303, "/password")  # once a 500
        assert httpx.get(f"http://127.0.0.1:{ports['prefect']}/api/health", timeout=10).json() is True
        assert (root / ".zaitun" / "up.json").exists()
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "stopped" in out
    assert not (root / ".zaitun" / "up.json").exists()
    for port in ports.values():  # every service let go of its port
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, port


def test_up_refuses_a_port_in_use_naming_the_setting(tmp_path):
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        config = (root / "zaitun.toml").read_text(encoding="utf-8").replace("port = 8400", f"port = {port}")
        (root / "zaitun.toml").write_text(config, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        result = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(root), "up"], env=env,
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr and "review.port" in result.stderr
    assert "Traceback" not in result.stderr


def test_up_without_prefect_yaml_says_how_to_get_it(tmp_path):
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    (root / "prefect.yaml").unlink()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    result = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(root), "up"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "prefect.yaml is missing: `zaitun init --upgrade` writes it" in result.stderr
    upgraded = subprocess.run([sys.executable, "-m", "zaitun", "init", "--upgrade", str(root)], env=env,
                              capture_output=True, text=True, timeout=60)
    assert "prefect.yaml: missing; written" in upgraded.stdout and (root / "prefect.yaml").is_file()


def test_up_says_when_the_projects_prefect_yaml_runs_other_flows_than_this_zaituns(tmp_path):
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    with socket.socket() as busy:  # up stops at the port, after what it says first
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        config = (root / "zaitun.toml").read_text(encoding="utf-8")
        (root / "zaitun.toml").write_text(config.replace("port = 8400", f"port = {busy.getsockname()[1]}"),
                                          encoding="utf-8")
        current = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(root), "up"], env=env,
                                 capture_output=True, text=True, timeout=60)
        yaml_text = (root / "prefect.yaml").read_text(encoding="utf-8")
        (root / "prefect.yaml").write_text(yaml_text.replace("zaitun.flows.publish:publish",
                                                             "flows/publish_flow.py:publish"), encoding="utf-8")
        (root / "flows").mkdir()
        older = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(root), "up"], env=env,
                               capture_output=True, text=True, timeout=60)
    assert "note:" not in current.stdout
    assert "note: this project's flows are not zaitun" in older.stdout and "2 difference(s)" in older.stdout
    assert "deployment 'publish': entrypoint should be 'zaitun.flows.publish:publish'" in older.stdout
    assert "`zaitun init --upgrade` lists what to change" in older.stdout
