
import pytest
from review_support import (
    CSRF_RE,
    PASSWORD,
    SLUG,
    Client,
    csrf,
    draft_all,
    login,
    page_form,
    read,
    real_user,
    review_project,
    serve_app,
    terms,
)

from zaitun.content.intake import ingest
from zaitun.context import Context
from zaitun.review import gate
from zaitun.review.web import create_app
from zaitun.state.segments import segment_states


@pytest.fixture
def site(tmp_path):
    project, store = review_project(tmp_path)
    ids = draft_all(store, issues_for={3})
    real_user(store, "alice")
    real_user(store, "eve", role="editor")
    with Client(create_app(Context(project, store))) as client:
        yield client, store, ids, project
    store.close()


def post(client, path, **data):
    """Post the form of the document page for `path` (and data's seg_id) as the browser does, with `data` typed in."""
    form = page_form(client.get(f"/doc/{SLUG}").text, path, data.get("seg_id"))
    return client.post(path, data=form | data)


def state_of(store, seg_id):
    return next(s for s in segment_states(store, SLUG) if s.seg_id == seg_id)


def test_anonymous_users_see_nothing(site):
    client, *_ = site
    for path in ("/", f"/doc/{SLUG}", f"/doc/{SLUG}/preview"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    api = client.get("/api/documents")
    assert api.status_code == 401
    assert api.json() == {"error": {"code": "unauthenticated", "message": "log in first"}}
    assert client.post(f"/doc/{SLUG}/approve", data={"seg_id": "x"}).status_code in (303, 403)


def test_login_sets_a_signed_httponly_samesite_cookie(site):
    client, *_ = site
    response = login(client)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert "Documents" in client.get("/").text


def test_session_cookie_is_secure_over_https(site):
    _client, store, _ids, project = site
    with Client(create_app(Context(project, store)), base_url="https://review.example") as client:
        assert "secure" in login(client).headers["set-cookie"].lower()


def test_wrong_password_is_refused(site):
    client, *_ = site
    response = login(client, password="not the password")
    assert response.status_code == 401 and "wrong name or password" in response.text
    assert client.get("/").status_code == 303


def test_login_is_rate_limited_per_user_and_address(site):
    client, *_ = site
    for _ in range(5):
        assert login(client, password="guess").status_code == 401
    assert login(client).status_code == 429  # even the right password, for a while
    assert login(client, name="eve").status_code == 303  # another account is not locked out


def test_failed_logins_count_across_review_processes_and_stay_in_the_audit_log(site):
    client, store, _ids, project = site
    for _ in range(3):
        assert login(client, password="guess").status_code == 401
    with Client(create_app(Context(project, store))) as other:  # a second review process on the same store
        for _ in range(2):
            assert login(other, password="guess").status_code == 401
        assert login(other).status_code == 429
    logins = [e["action"] for e in store.audit_log() if e["action"].startswith("login")]
    assert logins == ["login-failed"] * 5


def test_a_successful_login_clears_earlier_failures(site):
    client, *_ = site
    for _ in range(4):
        assert login(client, password="guess").status_code == 401
    assert login(client).status_code == 303
    client.post("/logout", data={"csrf_token": csrf(client, "/")})
    assert login(client, password="guess").status_code == 401
    assert login(client).status_code == 303  # one failure since the last login, not five


def test_login_never_redirects_off_site(site):
    client, *_ = site
    token = csrf(client)
    response = client.post("/login", data={"name": "alice", "password": PASSWORD, "csrf_token": token,
                                           "next": "//evil.example/steal"})
    assert response.headers["location"] == "/"


def test_reviewer_approves_a_segment(site):
    client, store, ids, _ = site
    login(client)
    response = post(client, f"/doc/{SLUG}/approve", seg_id=ids[0])
    assert response.status_code == 303 and response.headers["location"] == f"/doc/{SLUG}#s-{ids[1]}"
    assert state_of(store, ids[0]).state == "approved"
    assert "approved 1 segment(s)" in client.get(f"/doc/{SLUG}").text
    assert [a["actor"] for a in store.audit_log(SLUG) if a["action"] == "approve"] == ["alice"]


def test_reviewer_edits_in_place_and_the_edit_is_checked(site):
    client, store, ids, _ = site
    login(client)
    post(client, f"/doc/{SLUG}/edit", seg_id=ids[0], target="Guide to transit without a visa", approve="0")
    seg = state_of(store, ids[0])
    assert seg.state == "draft" and seg.target == "Guide to transit without a visa"
    assert any(i["check"] == "term" for i in seg.issues)  # 过境免签 must read "visa-free transit"
    post(client, f"/doc/{SLUG}/edit", seg_id=ids[0], target="Visa-free transit guide", approve="1")
    seg = state_of(store, ids[0])
    assert seg.state == "approved" and seg.issues == []


def test_saving_the_approved_english_unchanged_from_the_page_keeps_one_approval(site):
    client, store, ids, _ = site
    login(client)
    post(client, f"/doc/{SLUG}/edit", seg_id=ids[0], target="Visa-free transit guide", approve="1")
    rows = len(store.history(SLUG, ids[0]))
    for approve in ("1", "0"):  # the page keeps the last segment open: Ctrl+Enter or "save" again
        post(client, f"/doc/{SLUG}/edit", seg_id=ids[0], target="Visa-free transit guide", approve=approve)
        assert "nothing changed: this English is already approved, by alice" in client.get(f"/doc/{SLUG}").text
    assert state_of(store, ids[0]).state == "approved" and len(store.history(SLUG, ids[0])) == rows


def test_a_forbidden_rendering_is_not_approved_from_the_page(site):
    client, store, ids, _ = site
    login(client)
    post(client, f"/doc/{SLUG}/edit", seg_id=ids[2], target="Aliens may use visa-free transit.", approve="1")
    seg = state_of(store, ids[2])  # edit and approve (Ctrl+Enter): the edit is kept, the approval refused
    assert seg.state == "draft" and seg.target == "Aliens may use visa-free transit."
    refused = f"{ids[2]}: not approved: &#34;Aliens&#34; is a forbidden rendering of 外国人; write &#34;foreign"
    assert refused in client.get(f"/doc/{SLUG}").text
    post(client, f"/doc/{SLUG}/approve", seg_id=ids[2])
    assert state_of(store, ids[2]).state == "draft" and refused in client.get(f"/doc/{SLUG}").text
    assert [a["action"] for a in store.audit_log(SLUG) if a["seg_id"] == ids[2]][-1] == "approve-refused"


def test_save_and_approve_of_an_edit_qa_flags_tells_the_flags_found_in_the_english_as_typed(site):
    """The reviewer has not seen these flags when pressing Ctrl+Enter: the approval says them, as `review approve`
    does, rather than only "approved"."""
    client, store, ids, _ = site
    login(client)
    post(client, f"/doc/{SLUG}/edit", seg_id=ids[3], target="The stay is up to 24 hours.", approve="1")
    assert state_of(store, ids[3]).state == "approved"
    page = client.get(f"/doc/{SLUG}").text
    assert f"{ids[3]}: approved over 2 QA flag(s) of the English as typed: 240 (240) is missing" in page
    assert "if one is right, edit it again" in page
    post(client, f"/doc/{SLUG}/edit", seg_id=ids[2], target="Foreign nationals may use visa-free transit.", approve="1")
    assert "approved over" not in client.get(f"/doc/{SLUG}").text  # nothing flagged: nothing more said


def test_reviewer_rejects_with_a_comment(site):
    client, store, ids, _ = site
    login(client)
    post(client, f"/doc/{SLUG}/reject", seg_id=ids[2], comment="")
    assert state_of(store, ids[2]).state == "draft"
    assert "needs a comment" in client.get(f"/doc/{SLUG}").text
    post(client, f"/doc/{SLUG}/reject", seg_id=ids[2], comment="say foreign national")
    seg = state_of(store, ids[2])
    assert seg.state == "rejected" and seg.translation["comment"] == "say foreign national"
    assert "Rejected: say foreign national" in client.get(f"/doc/{SLUG}").text


def test_a_rejection_comment_holding_a_control_character_is_refused_naming_it(site):
    client, store, ids, _ = site
    login(client)
    post(client, f"/doc/{SLUG}/reject", seg_id=ids[2], comment="say foreign national\x1b[2J")
    assert state_of(store, ids[2]).state == "draft"
    assert "not rejected: the comment holds the control character U+001B (line 1)" in client.get(f"/doc/{SLUG}").text


def test_approve_all_unflagged_then_the_last_one_completes_the_document(site):
    client, store, ids, _ = site
    login(client)
    post(client, f"/doc/{SLUG}/approve-unflagged")
    assert state_of(store, ids[3]).state == "draft"
    post(client, f"/doc/{SLUG}/approve", seg_id=ids[3])
    assert "the English page is released" in client.get(f"/doc/{SLUG}").text
    assert store.latest_release(SLUG) is not None


def test_approve_all_unflagged_with_only_flagged_drafts_left_says_nothing_was_approved(site):
    client, store, ids, _ = site
    login(client)
    post(client, f"/doc/{SLUG}/approve-unflagged")  # all but the flagged ids[3]
    post(client, f"/doc/{SLUG}/approve-unflagged")  # again, from a page that offers none
    page = client.get(f"/doc/{SLUG}").text
    said = "no unflagged draft to approve: read each draft left and approve it"
    assert f'<p class="flash info" role="status">{said}</p>' in page
    assert state_of(store, ids[3]).state == "draft"


def test_forms_without_the_right_csrf_token_are_refused(site):
    client, store, ids, _ = site
    login(client)
    assert client.post(f"/doc/{SLUG}/approve", data={"seg_id": ids[0]}).status_code == 403
    forged = client.post(f"/doc/{SLUG}/approve", data={"seg_id": ids[0], "csrf_token": "forged"})
    assert forged.status_code == 403 and "CSRF" in forged.text
    assert client.post("/logout", data={}).status_code == 403
    assert state_of(store, ids[0]).state == "draft"


def test_editor_sees_status_but_cannot_review(site):
    client, store, ids, _ = site
    login(client, name="eve")
    queue = client.get("/")
    assert queue.status_code == 200 and "过境免签指南" in queue.text and f'href="/doc/{SLUG}"' not in queue.text
    assert client.get(f"/doc/{SLUG}").status_code == 403
    token = csrf(client, "/")
    assert client.post(f"/doc/{SLUG}/approve", data={"seg_id": ids[0], "csrf_token": token}).status_code == 403
    api = client.get(f"/api/documents/{SLUG}")
    assert api.status_code == 403 and api.json()["error"]["code"] == "forbidden"
    assert state_of(store, ids[0]).state == "draft"


def test_untrusted_content_is_rendered_inert(tmp_path):
    evil = "<script>alert(1)</script>"
    project, store = review_project(tmp_path, body=f"## 标题{evil}\n\n正文<img src=x onerror=alert(2)>。\n")
    with store.tx() as conn:
        seg = store.segments(SLUG)[2]
        store.add_translation(conn, SLUG, seg["seg_id"], seg["source"], f'Text {evil}"><b onmouseover=x>',
                              origin="engine", replaces=None, issues=[{"check": evil, "message": evil}])
    real_user(store, "alice")
    with Client(create_app(Context(project, store))) as client:
        login(client)
        for path in (f"/doc/{SLUG}", f"/doc/{SLUG}/preview", "/"):
            response = client.get(path)
            assert response.status_code == 200
            assert "<script>alert" not in response.text and "<img src=x" not in response.text
            assert "<b onmouseover" not in response.text
            assert "script-src 'self'" in response.headers["content-security-policy"]
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(f"/doc/{SLUG}").text
    store.close()


def test_changed_chinese_shows_the_difference_and_the_previous_english(site):
    client, store, ids, project = site
    gate.approve(store, SLUG, read(store, ids), "alice", glossary=terms(project))
    path = project.content_dir / "guides" / f"{SLUG}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("240小时", "10天"), encoding="utf-8")
    ingest(project, store)
    login(client)
    page = client.get(f"/doc/{SLUG}").text
    assert "<del>240小时</del>" in page and "<ins>10天</ins>" in page
    assert "EN 3: 停留时间为240小时。" in page and "Chinese changed" in page


def test_page_shows_glossary_terms_and_qa_issues(site):
    client, *_ = site
    login(client)
    page = client.get(f"/doc/{SLUG}").text
    assert '<mark class="term" title="visa-free transit">过境免签</mark>' in page
    assert "240 is missing" in page


def test_preview_renders_both_languages_and_marks_missing_english(site):
    client, store, ids, _ = site
    with store.tx() as conn:  # a new sentence without any English yet
        seg = store.segments(SLUG)[4]
        store.add_translation(conn, SLUG, seg["seg_id"], seg["source"], "", origin="none",
                              replaces=store.current_translations(SLUG, conn)[seg["seg_id"]])
    login(client)
    page = client.get(f"/doc/{SLUG}/preview").text
    assert "<h2" in page and "政策概况" in page and "EN 1: 政策概况" in page
    assert '<mark class="missing" title="no English yet">请拨打12367热线咨询。</mark>' in page


@pytest.mark.parametrize("typed", ["ZAITUNMISSING00000X", "&#90;AITUNMISSING00000X", "ZAITUNMISSING00001X"])
def test_preview_marks_only_segments_without_english_whatever_a_reviewer_types(site, typed):
    client, store, ids, _ = site
    with store.tx() as conn:  # a reviewer types the marker's word as English; another sentence has none
        current = store.current_translations(SLUG, conn)
        for seg_id, text in ((ids[2], typed), (ids[4], "")):
            seg = store.segment(SLUG, seg_id)
            store.add_translation(conn, SLUG, seg_id, seg["source"], text, origin="human" if text else "none",
                                  replaces=current[seg_id])
    login(client)
    page = client.get(f"/doc/{SLUG}/preview").text
    assert page.count('<mark class="missing" title="no English yet">') == 1, page
    assert '<mark class="missing" title="no English yet">请拨打12367热线咨询。</mark>' in page
    assert "1 segment(s) have no English yet" in page
    assert "AITUNMISSING0000" in page  # what the reviewer typed is shown as English, as typed


def test_preview_shows_images_beside_the_document_to_logged_in_users_only(tmp_path):
    project, store = review_project(tmp_path, body="## 位置\n\n![机场位置图](images/map.png)\n\n外国人可以过境免签。\n")
    images = project.content_dir / "guides" / "images"
    images.mkdir()
    (images / "map.png").write_bytes(b"\x89PNG map")
    draft_all(store)
    real_user(store, "alice")
    with Client(create_app(Context(project, store))) as client:
        assert client.get("/media/guides/images/map.png").status_code in (303, 401)  # not logged in
        login(client)
        page = client.get(f"/doc/{SLUG}/preview").text
        assert page.count('src="/media/guides/images/map.png"') == 2  # Chinese and English columns
        image = client.get("/media/guides/images/map.png")
        assert image.content == b"\x89PNG map" and image.headers["content-type"] == "image/png"
        assert "sandbox" in image.headers.get_list("content-security-policy")
        for path in (f"/media/guides/{SLUG}.md", "/media/../zaitun.toml", "/media/guides/%2e%2e/%2e%2e/zaitun.toml",
                     "/media/guides/images/gone.png"):
            assert client.get(path).status_code == 404, path
    store.close()


def test_a_media_path_with_an_over_long_name_is_not_found_not_a_server_error(site):
    """A name past the disk's 255 bytes was looked for on disk: `File name too long` answered 500."""
    client, *_ = site
    login(client)
    for path in (f"/media/guides/{'b' * 300}.png", f"/media/{'c' * 300}/x.png"):
        assert client.get(path).status_code == 404, path

def test_an_image_whose_alt_text_has_no_english_yet_keeps_its_tag_whole_in_the_preview(tmp_path):
    """The mark of Chinese without English went into the image's alt attribute: the tag ended early and
    `p</mark>" />` showed beside the picture."""
    project, store = review_project(tmp_path, body='![机场"位置"图](map.png)\n\n外国人可以过境免签。\n')
    (project.content_dir / "guides" / "map.png").write_bytes(b"\x89PNG map")
    real_user(store, "alice")
    with Client(create_app(Context(project, store))) as client:
        login(client)
        page = client.get(f"/doc/{SLUG}/preview").text
    english = page[page.index('<article lang="en">'):]
    assert '<img src="/media/guides/map.png" alt="机场&quot;位置&quot;图" />' in english
    assert '<mark class="missing" title="no English yet">外国人可以过境免签。</mark>' in english
    store.close()


def test_json_errors_have_one_shape(site):
    client, *_ = site
    login(client)
    missing = client.get("/api/documents/nope")
    assert missing.status_code == 404 and set(missing.json()["error"]) == {"code", "message"}
    assert client.get("/api/documents").json()["documents"][0]["slug"] == SLUG


def test_logout_ends_the_session(site):
    client, *_ = site
    login(client)
    assert client.post("/logout", data={"csrf_token": csrf(client, "/")}).status_code == 303
    assert client.get("/").status_code == 303


def test_session_secret_is_generated_once_and_kept_private(tmp_path):
    from zaitun.review.web import secret_key

    project, store = review_project(tmp_path)
    first = secret_key(project)
    assert len(first) >= 40 and secret_key(project) == first
    assert (project.state_dir / "secret").stat().st_mode & 0o777 == 0o600
    project.config_path.write_text('[review]\nsecret_key = "from-the-config"\n', encoding="utf-8")
    assert secret_key(type(project)(project.root)) == "from-the-config"
    store.close()


def test_review_ui_opened_without_a_store_lets_users_log_in(tmp_path):
    """`zaitun up` builds the app from the project alone; logging in there once answered 500."""
    project, store = review_project(tmp_path)
    real_user(store, "alice")
    with Client(create_app(Context(project))) as client:
        response = login(client)
        assert response.status_code == 303 and response.headers["location"] == "/"
        assert "Documents" in client.get("/").text
    store.close()


def cookie_of(client) -> str:
    return client.client.cookies["zaitun_session"]


def test_after_logout_the_old_cookie_is_refused(site):
    client, store, _ids, project = site
    login(client)
    stolen = cookie_of(client)
    client.post("/logout", data={"csrf_token": csrf(client, "/")})
    with Client(create_app(Context(project, store))) as other:
        other.client.cookies.set("zaitun_session", stolen)
        assert other.get("/").status_code == 303
        assert other.get("/api/documents").status_code == 401


def test_login_starts_a_new_session_so_a_planted_cookie_stays_anonymous(site):
    client, store, _ids, project = site
    client.get("/login")
    planted = cookie_of(client)  # what an attacker could have set in the victim's browser
    login(client)
    assert cookie_of(client) != planted
    with Client(create_app(Context(project, store))) as attacker:
        attacker.client.cookies.set("zaitun_session", planted)
        assert attacker.get("/").status_code == 303
    login(client)  # logging in again replaces the session too
    from zaitun.state.store import sessions

    with store.engine.connect() as conn:
        rows = conn.execute(sessions.select().order_by(sessions.c.created_at)).mappings().all()
    assert [(r["user_name"], r["end_reason"]) for r in rows] == [("alice", "replaced"), ("alice", None)]


def age_sessions(store, **delta) -> None:
    import datetime as dt

    from zaitun.state.store import now, sessions

    with store.tx() as conn:
        conn.execute(sessions.update().values(seen_at=now() - dt.timedelta(**delta),
                                              created_at=now() - dt.timedelta(**delta)))


def test_a_session_ends_after_the_idle_timeout(site):
    client, store, *_ = site
    login(client)
    assert client.get("/").status_code == 200
    age_sessions(store, minutes=61)  # review.session_idle_minutes is 60
    assert client.get("/").status_code == 303


def test_a_session_ends_after_its_lifetime_even_when_used(tmp_path):
    project, store = review_project(tmp_path)
    project.config_path.write_text("[review]\nsession_idle_minutes = 600\nsession_lifetime_hours = 2\n",
                                   encoding="utf-8")
    project = type(project)(project.root)
    real_user(store, "alice")
    with Client(create_app(Context(project, store))) as client:
        login(client)
        age_sessions(store, minutes=119)
        assert client.get("/").status_code == 200
        age_sessions(store, minutes=121)
        assert client.get("/").status_code == 303
    store.close()


def test_disabling_an_account_ends_its_open_session_at_once(site):
    from zaitun.review.users import disable

    client, store, *_ = site
    login(client)
    assert client.get("/").status_code == 200
    disable(store, "alice", actor="admin")
    assert client.get("/").status_code == 303
    assert login(client).status_code == 401  # and it cannot log in again


def test_login_throttle_counts_failures_per_account_from_any_address(site):
    client, store, _ids, project = site
    for n in range(5):
        with Client(create_app(Context(project, store)), address=f"10.0.0.{n}") as elsewhere:
            assert login(elsewhere, password="guess").status_code == 401
    with Client(create_app(Context(project, store)), address="10.0.0.99") as fresh:
        refused = login(fresh)
        assert refused.status_code == 429
        wait = int(refused.headers["retry-after"])
        assert 250 < wait <= 300 and "too many failed logins: wait 5 minutes" in refused.text
    assert login(client, name="eve").status_code == 303  # another account is not locked out


def test_login_throttle_counts_failures_per_address_whatever_the_name(site):
    client, *_ = site
    for n in range(20):
        assert login(client, name=f"guess{n}", password="guess").status_code == 401
    assert login(client, name="eve").status_code == 429


def login_at_once(base: str, logins: list[tuple[str, str]]) -> list[int]:
    """POST /login for each (name, password) to a real server, every request let go at the same moment."""
    import threading

    import httpx

    ready, codes = threading.Barrier(len(logins)), [0] * len(logins)

    def attempt(n: int, name: str, password: str) -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            token = CSRF_RE.search(client.get("/login").text).group(1)
            ready.wait(timeout=30)
            form = {"name": name, "password": password, "csrf_token": token}
            codes[n] = client.post("/login", data=form).status_code

    threads = [threading.Thread(target=attempt, args=(n, *pair)) for n, pair in enumerate(logins)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return codes


def test_simultaneous_wrong_passwords_are_checked_no_more_often_than_the_limit(site):
    """Checks under way count against the limit: a burst cannot all pass before the first failure is kept."""
    _client, store, _ids, project = site
    with serve_app(create_app(Context(project, store))) as base:
        codes = login_at_once(base, [("alice", "guess")] * 12)
    assert sorted(codes) == [401] * 5 + [429] * 7
    assert [e["action"] for e in store.audit_log() if e["action"].startswith("login")] == ["login-failed"] * 5


def test_the_right_password_among_simultaneous_wrong_ones_within_the_limit_logs_in(site):
    _client, store, _ids, project = site
    with serve_app(create_app(Context(project, store))) as base:
        codes = login_at_once(base, [("alice", "guess")] * 4 + [("alice", PASSWORD)])
    assert codes == [401] * 4 + [303]


def test_forwarded_for_counts_only_behind_a_trusted_proxy(site):
    client, store, _ids, project = site
    login(client, password="guess")
    client.post("/login", headers={"X-Forwarded-For": "203.0.113.9"},
                data={"name": "alice", "password": "guess", "csrf_token": csrf(client)})
    project.config_path.write_text('[review]\ntrusted_proxies = ["127.0.0.1"]\n', encoding="utf-8")
    with Client(create_app(Context(type(project)(project.root), store))) as behind_proxy:
        token = csrf(behind_proxy)
        behind_proxy.post("/login", headers={"X-Forwarded-For": "203.0.113.9"},
                          data={"name": "alice", "password": "guess", "csrf_token": token})
    addresses = [e["note"] for e in store.audit_log() if e["action"] == "login-failed"]
    assert addresses == ["127.0.0.1", "127.0.0.1", "203.0.113.9"]


def test_the_first_run_admin_must_choose_a_new_password(tmp_path):
    from zaitun.review.firstrun import create_first_admin

    project, store = review_project(tmp_path)
    path = create_first_admin(project, store)
    assert path.stat().st_mode & 0o777 == 0o600 and create_first_admin(project, store) is None
    given = path.read_text(encoding="utf-8").strip()
    with Client(create_app(Context(project, store))) as client:
        response = login(client, name="admin", password=given)
        assert response.headers["location"] == "/password"
        assert client.get("/").headers["location"] == "/password"
        assert client.get("/api/documents").status_code == 403
        form = {"current": given, "csrf_token": csrf(client, "/password")}
        for new, why in (("short", "at least 12 characters"), ("password1234", "common passwords"),
                         ("admin-is-my-password", "account name")):
            refused = client.post("/password", data={**form, "new": new, "confirm": new})
            assert refused.status_code == 400 and why in refused.text
        mine = "lantern harbour quietly"
        assert client.post("/password", data={**form, "new": mine, "confirm": mine}).status_code == 303
        queue = client.get("/")
        assert queue.status_code == 200 and "password changed" in queue.text
    assert not path.exists() and not store.user("admin")["must_change_password"]
    with Client(create_app(Context(project, store))) as client:
        assert login(client, name="admin", password=given).status_code == 401
        assert login(client, name="admin", password=mine).headers["location"] == "/"
    store.close()


def test_changing_the_password_ends_the_other_sessions(site):
    client, store, _ids, project = site
    login(client)
    with Client(create_app(Context(project, store))) as laptop:
        login(laptop)
        new = "lantern harbour quietly"
        changed = client.post("/password", data={"current": PASSWORD, "new": new, "confirm": new,
                                                  "csrf_token": csrf(client, "/password")})
        assert changed.status_code == 303
        assert laptop.get("/").status_code == 303
    assert client.get("/").status_code == 200


def test_an_older_password_hash_is_upgraded_at_login(site):
    import hashlib

    client, store, *_ = site
    salt = bytes(range(16))
    digest = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    with store.tx() as conn:
        store.update_user(conn, "alice", password_hash=f"scrypt$16384$8$1${salt.hex()}${digest.hex()}")
    assert login(client).status_code == 303
    assert store.user("alice")["password_hash"].startswith("$argon2id$")
    assert [e["action"] for e in store.audit_log() if e["actor"] == "alice"][-2:] == ["password-upgrade", "login"]


def test_the_queue_names_the_files_a_pass_held_back(site):
    client, store, _, project = site
    bad = project.content_dir / "guides" / "bad.md"
    bad.write_text("---\ntitle: 坏\ntitel: 坏\ndate: 2025-01-01\n---\n\n正文。\n", encoding="utf-8")
    ingest(project, store)
    login(client)
    page = client.get("/").text
    assert "1 file needs fixing; everything else went through" in page
    assert ("content/guides/bad.md:3: unknown front-matter key &#39;titel&#39;: did you mean &#39;title&#39;?"
            in page) and "quarantined" in page and str(project.root) not in page
    bad.unlink()
    ingest(project, store)
    assert "need fixing" not in client.get("/").text


def test_the_queue_counts_files_not_read_apart_from_files_to_fix_and_says_how_to_convert_each(site):
    client, store, _, project = site
    guides = project.content_dir / "guides"
    for name in ("bad.md", "worse.md"):
        (guides / name).write_text("---\ntitle: 坏\ntitel: 坏\ndate: 2025-01-01\n---\n\n正文。\n", encoding="utf-8")
    (guides / "old-notice.doc").write_bytes(b"\xd0\xcf\x11\xe0 dropped by staff")
    ingest(project, store)
    login(client)
    page = client.get("/").text
    box = page.split('class="failures"', 1)[1].split("</section>", 1)[0]
    assert "2 files need fixing; 1 file cannot be read; everything else went through" in box
    to_fix, unread = box.split('class="to-fix"', 1)[1].split('class="unread"', 1)
    assert "bad.md:3: unknown front-matter key" in to_fix and "worse.md:3" in to_fix and "old-notice.doc" not in to_fix
    assert ("content/guides/old-notice.doc: an old Word (.doc) file is not read: save it as a Word document (.docx)"
            in unread) and "bad.md" not in unread
    assert "file(s)" not in box
    for name in ("bad.md", "worse.md"):
        (guides / name).unlink()
    ingest(project, store)
    box = client.get("/").text.split('class="failures"', 1)[1].split("</section>", 1)[0]
    assert "1 file cannot be read; everything else went through" in box and "need" not in box


def test_the_queue_tells_a_folder_of_unlinked_pictures_in_one_line_apart_from_files_to_fix(site):
    client, store, _, project = site
    media = project.content_dir / "guides" / "media"
    media.mkdir()
    for n in range(12):
        (media / f"photo-{n:02d}.jpg").write_bytes(b"\xff\xd8\xff old picture")
    (project.content_dir / "guides" / "old-notice.doc").write_bytes(b"\xd0\xcf\x11\xe0 dropped by staff")
    ingest(project, store)
    login(client)
    box = client.get("/").text.split('class="failures"', 1)[1].split("</section>", 1)[0]
    assert "1 file cannot be read; 12 files no document links; everything else went through" in box
    assert "need" not in box and 'class="to-fix"' not in box  # nothing to fix: nothing counted so
    unread = box.split('class="unread"', 1)[1]
    assert unread.count("<li>") == 2 and "content/guides/media/: 12 files no document links" in unread
    assert "content/guides/old-notice.doc: an old Word (.doc) file is not read" in unread


def test_the_queue_tells_a_document_in_twice_naming_both_files_apart_from_files_to_fix(site):
    client, store, _, project = site
    first = project.content_dir / "guides" / f"{SLUG}.md"
    copy = project.content_dir / "policies" / f"{SLUG}-copy.md"
    copy.parent.mkdir(exist_ok=True)
    copy.write_bytes(first.read_bytes())
    report = ingest(project, store)
    assert report.ingested == [f"{SLUG}-copy"] and report.errors == []  # told, not refused
    login(client)
    box = client.get("/").text.split('class="failures"', 1)[1].split("</section>", 1)[0]
    assert "1 document the same notice as another; everything else went through" in box
    assert "need" not in box and 'class="to-fix"' not in box
    twice = box.split('class="twice"', 1)[1]
    assert twice.count("<li>") == 1 and f"content/policies/{SLUG}-copy.md:" in twice
    assert f"the same notice as content/guides/{SLUG}.md:" in twice and str(project.root) not in box
    copy.unlink()
    ingest(project, store)
    assert 'class="failures"' not in client.get("/").text


def test_a_changed_fact_is_shown_as_a_before_and_after_pair(site):
    client, store, _ids, project = site
    from zaitun import pipeline

    path = project.content_dir / "guides" / f"{SLUG}.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("programme: transit", "programme: transit\nvalid_until: 2026-12-31"), encoding="utf-8")
    ingest(project, store)
    pipeline.translate(project, store)
    gate.approve(store, SLUG, read(store), "alice", glossary=terms(project))
    path.write_text(text.replace("programme: transit", "programme: transit\nvalid_until: 2027-06-30"), encoding="utf-8")
    ingest(project, store)
    pipeline.translate(project, store)
    login(client)
    page = client.get(f"/doc/{SLUG}").text
    assert '<span class="kind">valid until</span>' in page
    assert "<del>2026</del>" in page and "<ins>2027</ins>" in page
    assert '<span class="label">approved English before</span>2026-12-31' in page
    assert store.latest_release(SLUG)["payload"]["facts"]["valid_until"] == {"zh": "2026-12-31", "en": "2026-12-31"}


def test_preview_shows_the_facts_as_the_english_page_will(tmp_path):
    project, store = review_project(tmp_path)
    path = project.content_dir / "guides" / f"{SLUG}.md"
    facts = "programme: transit\nissuer: 泉州市人民政府办公室\nvalid_until: 2026-12-31"
    path.write_text(path.read_text(encoding="utf-8").replace("programme: transit", facts), encoding="utf-8")
    ingest(project, store)
    draft_all(store)
    with store.tx() as conn:  # the issuer without English yet
        seg = next(s for s in store.segments(SLUG) if s["kind"] == "issuer")
        store.add_translation(conn, SLUG, seg["seg_id"], seg["source"], "", origin="none",
                              replaces=store.current_translations(SLUG, conn)[seg["seg_id"]])
    real_user(store, "alice")
    with Client(create_app(Context(project, store))) as client:
        login(client)
        page = client.get(f"/doc/{SLUG}/preview").text
    assert "<dt>Valid until</dt><dd>EN 2: 2026-12-31</dd>" in page
    missing = '<mark class="missing" title="no English yet" lang="zh">泉州市人民政府办公室</mark>'
    assert f"<dt>Issued by</dt><dd>{missing}" in page
    store.close()


def test_head_answers_as_get_without_a_body_and_a_405_names_every_method_allowed(site):
    import httpx

    _client, store, _ids, project = site
    with serve_app(create_app(Context(project, store))) as base, httpx.Client(base_url=base) as client:
        queue, form = client.head("/"), client.head("/login")
        assert queue.status_code == 303 and queue.headers["location"] == "/login?next=/"
        assert form.status_code == 200 and form.content == b"" and int(form.headers["content-length"]) > 0
        put = client.put("/login")
        assert put.status_code == 405 and put.headers["allow"] == "GET, HEAD, POST"


def test_an_error_page_for_an_anonymous_request_starts_no_session(site):
    client, *_ = site
    for method, path, status in (("PUT", "/login", 405), ("GET", "/no-such-page", 404), ("POST", "/login", 403)):
        answer = client.request(method, path)
        assert answer.status_code == status and "set-cookie" not in answer.headers


def test_a_form_posted_after_the_session_ended_leads_back_to_its_page_after_login(site):
    client, store, ids, _ = site
    login(client)
    form = page_form(client.get(f"/doc/{SLUG}").text, f"/doc/{SLUG}/edit", ids[1])
    with store.tx() as conn:
        store.end_sessions(conn, "expired", user_name="alice")
    page = {"referer": f"http://testserver/doc/{SLUG}?hide_approved=true"}
    response = client.post(f"/doc/{SLUG}/edit", data=form | {"target": "Typed", "approve": "1"}, headers=page)
    # not to the form's action, which only takes a POST: logging in led to "405 Method Not Allowed"
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/doc/visa%3Fhide_approved%3Dtrue"
    assert "Not saved: your session had ended" in client.get(response.headers["location"]).text
    assert state_of(store, ids[1]).target != "Typed"
    elsewhere = client.post(f"/doc/{SLUG}/edit", data=form, headers={"referer": "https://evil.example/doc/visa"})
    assert elsewhere.headers["location"] == "/login?next=/"


def test_a_form_from_a_page_older_than_the_login_goes_back_to_that_page(site):
    client, store, ids, _ = site
    login(client)
    old = page_form(client.get(f"/doc/{SLUG}").text, f"/doc/{SLUG}/edit", ids[1])
    login(client)  # again, in another tab: a new CSRF token
    page = {"referer": f"http://testserver/doc/{SLUG}"}
    response = client.post(f"/doc/{SLUG}/edit", data=old | {"target": "Typed", "approve": "1"}, headers=page)
    assert response.status_code == 303 and response.headers["location"] == f"/doc/{SLUG}"  # was a 403 page
    assert "Not saved: the page was opened before your latest login" in client.get(f"/doc/{SLUG}").text
    assert state_of(store, ids[1]).target != "Typed"


def test_a_rejection_confirmed_after_the_session_ended_or_a_new_login_leads_back_to_the_document(site):
    """The page asking to confirm a rejection is the answer to a POST, at /doc/SLUG/reject: the browser names
    that address as the page the form came from, and going back there after login was "405 Method Not Allowed"."""
    client, store, ids, _ = site
    login(client)
    form = page_form(client.get(f"/doc/{SLUG}").text, f"/doc/{SLUG}/reject", ids[1])
    confirmation = {"referer": f"http://testserver/doc/{SLUG}/reject"}
    sent = form | {"comment": "use foreign national", "confirmed": "1"}
    login(client)  # again, in another tab: the confirmation page's token is stale
    stale = client.post(f"/doc/{SLUG}/reject", data=sent, headers=confirmation)
    assert stale.status_code == 303 and stale.headers["location"] == f"/doc/{SLUG}"
    with store.tx() as conn:
        store.end_sessions(conn, "expired", user_name="alice")
    ended = client.post(f"/doc/{SLUG}/reject", data=sent, headers=confirmation)
    assert ended.status_code == 303 and ended.headers["location"] == f"/login?next=/doc/{SLUG}"
    again = client.get(ended.headers["location"]).text
    assert "Not saved: your session had ended" in again
    back = client.post("/login", data={"name": "alice", "password": PASSWORD, "next": f"/doc/{SLUG}",
                                       "csrf_token": CSRF_RE.search(again).group(1)})
    assert back.headers["location"] == f"/doc/{SLUG}" and client.get(f"/doc/{SLUG}").status_code == 200
    assert state_of(store, ids[1]).state == "draft"


def test_line_breaks_typed_in_the_browser_are_saved_as_typed(site):
    client, store, ids, _ = site
    login(client)
    # a browser sends a textarea's line breaks as CRLF; the carriage return went on into the store and pages
    post(client, f"/doc/{SLUG}/edit", seg_id=ids[1], target="Policy\r\noverview\u00a0\u201cnow\u201d\t.\r\n",
         approve="0")
    assert state_of(store, ids[1]).target == "Policy\noverview\u00a0\u201cnow\u201d\t."
    post(client, f"/doc/{SLUG}/reject", seg_id=ids[2], comment="two\r\nlines")
    assert state_of(store, ids[2]).translation["comment"] == "two\nlines"


def test_an_edit_with_an_invisible_character_is_refused_naming_where_it_is(site):
    client, store, ids, _ = site
    login(client)
    before = state_of(store, ids[1]).target
    # pasted from a web page: shown as nothing on the review page, it went out in the approved English
    post(client, f"/doc/{SLUG}/edit", seg_id=ids[1], target="Policy\u200b overview", approve="1")
    page = client.get(f"/doc/{SLUG}").text
    assert "invisible character U+200B at character 7, after “Policy”" in page
    assert state_of(store, ids[1]).target == before and state_of(store, ids[1]).state == "draft"
