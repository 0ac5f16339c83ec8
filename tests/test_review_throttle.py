"""The login limit across review processes: two real `zaitun review serve` on one store (SQLite and
PostgreSQL), as an operator runs them behind a load balancer, and an attacker spreading guesses
over both, sending them at once, or waiting for a restart."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest
from review_support import CSRF_RE, PASSWORD, review_project, review_server

from zaitun.review.users import add_user

WRONG = "not the password"


@pytest.fixture
def project(tmp_path, database_url) -> Path:
    """A project in review on the database given, with the account alice."""
    _project, store = review_project(tmp_path / "site", database_url=database_url)
    add_user(store, "alice", "reviewer", PASSWORD)
    store.close()
    return tmp_path / "site"


def attempt(client: httpx.Client, password: str = WRONG) -> httpx.Response:
    """Alice's login as the browser sends it: the form's page first (its CSRF token), then the POST."""
    token = CSRF_RE.search(client.get("/login").text).group(1)
    return client.post("/login", data={"name": "alice", "password": password, "csrf_token": token})


def at_once(bases: list[str], count: int) -> list[int]:
    """`count` wrong passwords for alice dealt in turn to the servers, all let go at the same moment."""
    ready, codes = threading.Barrier(count), [0] * count

    def send(n: int) -> None:
        with httpx.Client(base_url=bases[n % len(bases)], timeout=120) as client:
            token = CSRF_RE.search(client.get("/login").text).group(1)
            ready.wait(timeout=60)
            codes[n] = client.post("/login", data={"name": "alice", "password": WRONG, "csrf_token": token}).status_code

    threads = [threading.Thread(target=send, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return codes


def test_wrong_passwords_sent_at_once_to_two_review_servers_get_no_more_checks_than_the_limit(project):
    """Each server counted only its own checks under way: 12 at once over two had 10 passwords checked."""
    with review_server(project) as one, review_server(project) as two:
        codes = at_once([one, two], 12)
    assert sorted(codes) == [401] * 5 + [429] * 7


def test_wrong_passwords_alternated_between_two_review_servers_and_a_restart_share_one_count(project):
    with review_server(project) as one:
        with review_server(project) as two, httpx.Client(base_url=one) as a, httpx.Client(base_url=two) as b:
            assert [attempt(c).status_code for c in (a, b, a, b)] == [401] * 4
        with review_server(project) as restarted, httpx.Client(base_url=restarted) as c:
            assert attempt(c).status_code == 401  # the fifth
            refused = attempt(c, PASSWORD)  # even the right one, for a while
        assert refused.status_code == 429 and 250 < int(refused.headers["retry-after"]) <= 300
        assert "too many failed logins: wait 5 minutes" in refused.text
        with httpx.Client(base_url=one) as a:
            assert attempt(a, PASSWORD).status_code == 429


def test_failures_for_made_up_names_are_pruned_past_the_window_and_lock_no_one_out_after_it(database_url):
    """A flood of wrong passwords for names nobody has: each name is counted as a real one, and the
    table keeps no more than the window's checks, so it neither grows for ever nor locks anyone for ever."""
    import datetime as dt

    from zaitun.review.throttle import Throttle
    from zaitun.state.store import Store, now

    store, window = Store.open(database_url), 2.0
    throttle = Throttle(store, window=window)
    for n in range(40):
        name, address = ("nobody", f"10.0.0.{n}") if n < 5 else (f"made-up-{n}", f"10.1.{n}.1")
        with throttle.turn(name, address) as wait:
            assert wait == 0
            throttle.fail(name, address)
    everything = now() - dt.timedelta(days=1)
    assert len(store.login_checks(everything)) == 40
    assert throttle.wait("nobody", "10.9.9.9") > 0  # an unknown name has the limit of a real one
    time.sleep(window + 0.2)
    with throttle.turn("nobody", "10.9.9.9") as wait:
        assert wait == 0 and len(store.login_checks(everything)) == 1  # its own: the rest were pruned
        throttle.fail("nobody", "10.9.9.9")
    store.close()
