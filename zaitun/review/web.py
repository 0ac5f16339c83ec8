"""The review web UI: FastAPI + Jinja2, server-rendered, a little vanilla JS for shortcuts.

Security: sessions kept in the store behind a signed cookie (HttpOnly, SameSite=Lax, Secure over
https), a CSRF token on every form, role checks on every page, login throttling per account and
per client address, autoescaped templates, a strict Content-Security-Policy and a cap on request
bodies. JSON endpoints
(`/api/...`) answer errors as `{"error": {"code": ..., "message": ...}}`.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import jinja2
from fastapi import BackgroundTasks, Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Match

from zaitun.config import Limits
from zaitun.content.files import content_file
from zaitun.context import Context
from zaitun.errors import ReviewError
from zaitun.mediatypes import content_type
from zaitun.project import Project
from zaitun.review import actions, concordance, gate, sessions, suggest, temporary, views
from zaitun.review.gate import APPROVER_ROLES, INVISIBLE_RE
from zaitun.review.passwords import check_rules
from zaitun.review.quoting import shortened
from zaitun.review.status import queue as document_queue
from zaitun.review.throttle import Throttle, wait_text
from zaitun.review.users import set_password, verify
from zaitun.state.store import Store

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
SESSION_COOKIE = "zaitun_session"
CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
FLASH_BYTES = 2000  # of the session cookie, before base64: with the session id and CSRF token ~3 KB of 4


class LoginRequired(Exception):
    """No live session: pages redirect to the login form, the API answers 401."""


class StalePage(Exception):
    """A logged-in reviewer's form from a page older than their session (a login in another tab): not done,
    and the reviewer is sent back to that page rather than to an error page that drops what they typed."""


class PasswordChangeRequired(Exception):
    """The account must choose a new password (first run, or set by an admin) before anything else."""


def secret_key(project: Project) -> str:
    """`review.secret_key` (or ZAITUN_SECRET_KEY), else a random key kept (private) in .zaitun/secret."""
    configured = project.config.get("review.secret_key")
    if configured:
        return configured
    path = project.state_dir / "secret"
    try:  # O_EXCL: when two servers start at once, one key wins and both read it
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="utf-8").strip()


class SchemeAwareSessions:
    """Session cookies get the Secure flag whenever the request came over https."""

    def __init__(self, app, secret: str, max_age: int):
        options = dict(secret_key=secret, session_cookie=SESSION_COOKIE, max_age=max_age, same_site="lax")
        self.plain = SessionMiddleware(app, https_only=False, **options)
        self.secure = SessionMiddleware(app, https_only=True, **options)

    async def __call__(self, scope, receive, send):
        app = self.secure if scope.get("scheme") in ("https", "wss") else self.plain
        await app(scope, receive, send)


class SecurityHeaders:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"content-security-policy", CSP.encode()), (b"x-frame-options", b"DENY"),
                            (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                            (b"cache-control", b"no-store")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers) if scope["type"] == "http" else await self.app(
            scope, receive, send)


class BodyLimit:
    """Refuses a request body over `max_bytes` (413) as it arrives. Starlette takes a whole form in, into
    memory or temporary files, before a route looks at it, and the login form takes one from anybody."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        announced = int(declared) if declared.isdigit() else 0
        received = 0

        async def within_limit():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))  # a chunked body, or one longer than it said
            if max(announced, received) > self.max_bytes:
                raise HTTPException(413, f"the request is over {self.max_bytes:,} bytes: send fewer or smaller "
                                         "files at once")
            return message

        await self.app(scope, within_limit, send)


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.globals["invisible_characters"] = INVISIBLE_RE.pattern  # marked in the edit box by review.js
    return Jinja2Templates(env=env)


def create_app(context: Context) -> FastAPI:
    """The review UI for the context's project, on its store."""
    project = context.project
    app = FastAPI(title="zaitun review", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.project = project
    app.state.store = context.store
    app.state.throttle = Throttle(app.state.store)
    app.state.limits = sessions.Limits.from_config(project.config)
    app.state.templates = _templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _handlers(app)
    _routes(app)
    app.add_middleware(BodyLimit, max_bytes=_body_bytes(project))
    app.add_middleware(SchemeAwareSessions, secret=secret_key(project),
                       max_age=int(app.state.limits.lifetime.total_seconds()))
    app.add_middleware(SecurityHeaders)
    proxies = project.config.get("review.trusted_proxies")
    if proxies:  # outermost: the client address and scheme are settled before anything reads them
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
    return app


def _body_bytes(project: Project) -> int:
    """The largest request: an upload of as many files as one may hold, each at the size limit, and a
    file over (refused with its name), plus room for the form's fields."""
    from zaitun.review.staff import MAX_FILES

    return (MAX_FILES + 1) * Limits.of(project.config).text_bytes + 64 * 1024


# -- errors ----------------------------------------------------------------------------------
def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def json_error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 422: "invalid", 429: "too_many_requests"}


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired):
        if _wants_json(request):
            return json_error(401, "unauthenticated", "log in first")
        if request.method in ("GET", "HEAD"):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        else:  # a form posted after the session ended: after login, back to the page it was on, not to its action
            target = form_page(request)
            flash(request, "error", "Not saved: your session had ended (it timed out, or you logged out in another "
                                    "tab). Log in to go back to the page: anything you typed there is kept in its box.")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(StalePage)
    async def stale_page(request: Request, _exc: StalePage):
        flash(request, "error", "Not saved: the page was opened before your latest login, so its form was stale. "
                                "What you typed is back in its box: check it and send it again.")
        return RedirectResponse(form_page(request), status_code=303)

    @app.exception_handler(PasswordChangeRequired)
    async def password_change_required(request: Request, _exc: PasswordChangeRequired):
        if _wants_json(request):
            return json_error(403, "forbidden", "choose a new password first (at /password)")
        return RedirectResponse("/password", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        headers = {"Allow": _allowed(request)} if exc.status_code == 405 else exc.headers
        return _error(request, exc.status_code, str(exc.detail), headers)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception):  # outside the session middleware: no templates
        log.error("review UI error on %s", request.url.path, exc_info=exc)
        if _wants_json(request):
            return json_error(500, "internal", "internal error (logged on the server)")
        return HTMLResponse("<!doctype html><title>500</title><p>Internal error (logged on the server).</p>", 500)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        return _error(request, 422, "invalid request: " + "; ".join(str(e.get("msg")) for e in exc.errors()))


def _error(request: Request, status: int, message: str, headers: dict | None = None) -> Response:
    if _wants_json(request):
        response = json_error(status, CODES.get(status, "error"), message)
        response.headers.update(headers or {})
        return response
    # the session's token if it has one (the logout form): an error page never starts a session
    return render(request, "error.html", status=status, headers=headers, status_code=status, message=message,
                  csrf=request.session.get("csrf", ""))


def form_page(request: Request) -> str:
    """The page a form was posted from (the Referer, sent same-origin only), or the queue; review.js
    keeps what was typed on it, in the tab, until the page shows it saved."""
    try:
        page = urlsplit(request.headers.get("referer", ""))
    except ValueError:  # "http://[bad": no browser sends it
        return "/"
    if page.netloc != request.headers.get("host"):
        return "/"
    if not _answers_get(request, page.path):  # a page answering a POST (confirm a rejection): its document's
        return safe_next(page.path.rsplit("/", 1)[0])
    return safe_next(page.path + (f"?{page.query}" if page.query else ""))


def _answers_get(request: Request, path: str) -> bool:
    scope = {**request.scope, "method": "GET", "path": unquote(path)}
    return any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes)


def _allowed(request: Request) -> str:
    """Every method the path answers to (Starlette names those of the first route matching it only)."""
    methods = set()
    for route in request.app.router.routes:
        if route.matches(request.scope)[0] != Match.NONE:
            methods |= getattr(route, "methods", None) or {"GET", "HEAD"}  # the static files' mount
    return ", ".join(sorted(methods))


# -- sessions, roles, CSRF -----------------------------------------------------------------------
def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def current_user(request: Request) -> dict | None:
    """The account of the request's live session (looked up once per request), so logging out,
    an expired session and a disabled account lose access at once."""
    if not hasattr(request.state, "account"):
        request.state.account = _session_user(request)
    return request.state.account


def _session_user(request: Request) -> dict | None:
    session_id = request.session.get("sid")
    name = sessions.user_of(request.app.state.store, session_id, request.app.state.limits) if session_id else None
    user = request.app.state.store.user(name) if name else None
    return user if user is not None and user["disabled_at"] is None else None


def signed_in(request: Request) -> dict:
    """Any logged-in account, even one that must still choose a new password."""
    user = current_user(request)
    if user is None:
        raise LoginRequired()
    return user


def any_user(request: Request) -> dict:
    user = signed_in(request)
    if user["must_change_password"]:
        raise PasswordChangeRequired()
    return user


def approver(request: Request) -> dict:
    user = any_user(request)
    if user["role"] not in APPROVER_ROLES:
        raise HTTPException(403, f"{user['name']} is {user['role']}: only reviewers and admins review documents")
    return user


async def checked_form(request: Request) -> dict:
    """The posted form, after its CSRF token matched the session's (403 otherwise)."""
    form = await request.form()
    sent, expected = str(form.get("csrf_token", "")), request.session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        if current_user(request) is not None and form_page(request) != "/":
            raise StalePage()
        raise HTTPException(403, "the form is stale or forged (CSRF token mismatch): reload the page and retry")
    return {key: str(value) for key, value in form.multi_items()}


def flash(request: Request, kind: str, text: str) -> None:
    """A message for the next page. It rides in the session cookie, which a browser drops whole past
    4 KB: a long message loses its middle, and the oldest give way when a new one would not fit."""
    kept = [*request.session.get("flash", [])[-4:], [kind, _within_bytes(text, FLASH_BYTES // 2)]]
    while len(kept) > 1 and _json_bytes(kept) > FLASH_BYTES:
        kept.pop(0)
    request.session["flash"] = kept


def _within_bytes(text: str, budget: int) -> str:
    """`text`, or its start and its end around "…", taking at most `budget` bytes in the session's JSON."""
    return shortened(text, budget - 2, cost=lambda char: _json_bytes(char) - 2)  # less the quotes


def _json_bytes(value) -> int:
    """Bytes as the session middleware writes it: json.dumps escapes every non-ASCII character."""
    return len(json.dumps(value))


def render(request: Request, template: str, status: int = 200, headers: dict | None = None, **context) -> Response:
    context.setdefault("user", current_user(request))
    if "csrf" not in context:
        context["csrf"] = csrf_token(request)
    context["flashes"] = request.session.pop("flash", [])
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status,
                                                        headers=headers)


def safe_next(target: str | None) -> str:
    """Only same-site paths: `//evil.example` and `https://...` are not followed after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


# -- routes -----------------------------------------------------------------------------------
def _routes(app: FastAPI) -> None:
    from zaitun.review.staff import staff_routes

    _auth_routes(app)
    staff_routes(app)
    _page_routes(app)
    _action_routes(app)
    _api_routes(app)
    _concordance_routes(app)
    for route in app.routes:  # HEAD is GET without the body, which the server leaves out (RFC 9110 §9.3.2)
        if isinstance(route, APIRoute) and "GET" in route.methods:
            route.methods.add("HEAD")


def client_address(request: Request) -> str:
    """The socket's peer (a trusted proxy's X-Forwarded-For is applied before, see create_app)."""
    return request.client.host if request.client else ""


def _auth_routes(app: FastAPI) -> None:
    @app.get("/login")
    def login_form(request: Request, next: str = "/"):
        return render(request, "login.html", next=safe_next(next), name="", error="")

    @app.post("/login")
    def login(request: Request, form: dict = Depends(checked_form)):
        name, password = form.get("name", "").strip(), form.get("password", "")
        target, address = safe_next(form.get("next")), client_address(request)
        throttle: Throttle = request.app.state.throttle
        with throttle.turn(name, address) as wait:
            if wait:
                return render(request, "login.html", status=429, headers={"Retry-After": str(wait)}, next=target,
                              name=name, error=f"too many failed logins: wait {wait_text(wait)}, then try again")
            user = verify(request.app.state.store, name, password)
            if user is None:
                throttle.fail(name, address)
                return render(request, "login.html", status=401, next=target, name=name,
                              error="wrong name or password")
            throttle.succeed(user["name"], address)
        _start_session(request, user["name"])
        return RedirectResponse("/password" if user["must_change_password"] else target, status_code=303)

    @app.post("/logout")
    def logout(request: Request, form: dict = Depends(checked_form)):
        if request.session.get("sid"):
            sessions.end(request.app.state.store, request.session["sid"], "logged out")
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    @app.get("/password")
    def password_form(request: Request, user: dict = Depends(signed_in)):
        return render(request, "password.html", user=user, error="")

    @app.post("/password")
    def change_password(request: Request, user: dict = Depends(signed_in), form: dict = Depends(checked_form)):
        error = _password_error(request, user, form)
        if error:
            return render(request, "password.html", status=400, user=user, error=error)
        set_password(request.app.state.store, user["name"], form["new"], actor=user["name"])
        temporary.forget(request.app.state.project, user["name"])
        _start_session(request, user["name"])  # every other session of the account has ended
        flash(request, "ok", "password changed; other sessions of your account were logged out")
        return RedirectResponse("/", status_code=303)


def _start_session(request: Request, name: str) -> None:
    """A new session id at every login: one fixed before login (session fixation) is worth nothing."""
    if request.session.get("sid"):
        sessions.end(request.app.state.store, request.session["sid"], "replaced")
    request.session.clear()
    session_id = sessions.start(request.app.state.store, name, client_address(request))
    request.session.update(sid=session_id, csrf=secrets.token_urlsafe(32))


def _password_error(request: Request, user: dict, form: dict) -> str:
    """Why the change is refused ("" when it is not); wrong current passwords count as failed logins."""
    throttle: Throttle = request.app.state.throttle
    with throttle.turn(user["name"], client_address(request)) as wait:
        if wait:
            return f"too many failed attempts: wait {wait_text(wait)}, then try again"
        if verify(request.app.state.store, user["name"], form.get("current", "")) is None:
            throttle.fail(user["name"], client_address(request))
            return "the current password is wrong"
    if form.get("new", "") != form.get("confirm", ""):
        return "the two new passwords differ"
    if form.get("new") == form.get("current"):
        return "choose a password different from the current one"
    try:
        check_rules(form.get("new", ""), user["name"])
    except ReviewError as exc:
        return str(exc)
    return ""


def _page_routes(app: FastAPI) -> None:
    @app.get("/")
    def queue(request: Request, status: str = "", section: str = "", programme: str = "",
              user: dict = Depends(any_user)):
        project, store = request.app.state.project, request.app.state.store
        everything = document_queue(project, store)
        rows = [r for r in everything if (not status or r.stage == status) and (not section or r.section == section)
                and (not programme or r.programme == programme)]
        return render(request, "queue.html", user=user, rows=rows, stages=views.STAGES,
                      sections=sorted({r.section for r in everything}),
                      programmes=sorted({r.programme for r in everything if r.programme}),
                      filters={"status": status, "section": section, "programme": programme},
                      may_review=user["role"] in APPROVER_ROLES, may_edit=user["role"] in ("editor", "admin"),
                      failures=views.failures(project, store))

    @app.get("/doc/{slug}")
    def document(request: Request, slug: str, hide_approved: bool = False, user: dict = Depends(approver)):
        store = request.app.state.store
        row = _active_document(store, slug)
        segs = views.segment_views(request.app.state.project, store, slug)
        shown = [v for v in segs if not (hide_approved and v.state.state == "approved")]
        title = views.document_from_row(row).title
        unflagged = [f"{v.seg_id}@{v.state.version}" for v in shown if v.state.unflagged_draft]
        suggestions = suggest.suggestions(request.app.state.project, store, [v.state for v in shown])
        return render(request, "document.html", user=user, slug=slug, title=title, segments=shown,
                      progress=views.summary(segs), hide_approved=hide_approved, unflagged=unflagged,
                      suggestions=suggestions)

    @app.get("/doc/{slug}/preview")
    def preview(request: Request, slug: str, user: dict = Depends(approver)):
        _active_document(request.app.state.store, slug)
        return render(request, "preview.html", user=user, slug=slug,
                      page=views.preview(request.app.state.store, slug, request.app.state.project.content_dir))

    @app.get(views.MEDIA_PREFIX + "{rel:path}")
    def media(request: Request, rel: str, user: dict = Depends(any_user)):
        """Images and files beside documents, for previews; sandboxed so an SVG cannot run a script."""
        path = content_file(rel, request.app.state.project.content_dir)
        if path is None:
            raise HTTPException(404, f"no file {rel} beside the documents")
        return FileResponse(path, media_type=content_type(path.name),
                            headers={"Content-Security-Policy": "sandbox"})


def _active_document(store: Store, slug: str) -> dict:
    row = store.document(slug)
    if row is None or row["status"] != "active":
        raise HTTPException(404, f"no document {slug!r} in review")
    return row


def _action_routes(app: FastAPI) -> None:
    @app.post("/doc/{slug}/approve")
    def approve(request: Request, slug: str, background: BackgroundTasks, user: dict = Depends(approver),
                form: dict = Depends(checked_form)):
        seg_id = form.get("seg_id", "")
        seen = {seg_id: _version(form)}
        return _act(request, slug, seg_id, lambda: _report(request, actions.approve(
            request.app.state.project, request.app.state.store, slug, seen, user["name"],
            defer=background.add_task)))

    @app.post("/doc/{slug}/approve-unflagged")
    def approve_unflagged(request: Request, slug: str, background: BackgroundTasks,
                          user: dict = Depends(approver), form: dict = Depends(checked_form)):
        seen = dict(item.split("@", 1) for item in form.get("shown", "").split() if "@" in item)

        def run() -> None:
            result = actions.approve_unflagged(request.app.state.project, request.app.state.store, slug, seen,
                                               user["name"], defer=background.add_task)
            _report(request, result)
            if not (result.approved or result.skipped or result.refused or result.held):
                flash(request, "info", "no unflagged draft to approve: read each draft left and approve it")

        return _act(request, slug, "", run)

    @app.post("/doc/{slug}/reject")
    def reject(request: Request, slug: str, user: dict = Depends(approver), form: dict = Depends(checked_form)):
        seg_id, seen = form.get("seg_id", ""), _version(form)
        project, store = request.app.state.project, request.app.state.store
        if form.get("confirmed") != "1" and typed(form, "comment").strip():
            asked = _confirm_reject(request, slug, seg_id, seen, typed(form, "comment"), user)
            if asked is not None:
                return asked

        def run() -> None:
            rejection = actions.reject(store, slug, seg_id, user["name"], typed(form, "comment"), seen)
            note = actions.rejected_note(project, store, slug, rejection)
            flash(request, "ok", "rejected; the comment is kept with the segment" + (f"; {note}" if note else ""))

        return _act(request, slug, seg_id, run)

    @app.post("/doc/{slug}/edit")
    def edit(request: Request, slug: str, background: BackgroundTasks, user: dict = Depends(approver),
             form: dict = Depends(checked_form)):
        seg_id, based_on = form.get("seg_id", ""), _version(form)

        def run() -> None:
            result = actions.edit(request.app.state.project, request.app.state.store, slug, seg_id,
                                  typed(form, "target"), user["name"], approve_now=form.get("approve") == "1",
                                  defer=background.add_task, based_on=based_on)
            if result.unchanged:
                flash(request, "ok", result.unchanged)
            else:
                _report(request, result) if form.get("approve") == "1" else flash(request, "ok", "saved")

        return _act(request, slug, seg_id, run)


def _confirm_reject(request: Request, slug: str, seg_id: str, seen: str, comment: str, user: dict) -> Response | None:
    """A page asking the reviewer to confirm a rejection that reaches beyond the segment's own document (English
    taken from translation memory elsewhere: gate.reach); None when it does not, or when the rejection would be
    refused anyway (then the action says why)."""
    project, store = request.app.state.project, request.app.state.store
    _active_document(store, slug)
    try:
        reach = gate.reach(store, slug, seg_id, seen=seen)
    except ReviewError:
        return None
    notes = actions.reach_notes(project, store, slug, reach)
    if not notes:
        return None
    seg = next(v for v in views.segment_views(project, store, slug) if v.seg_id == seg_id)
    return render(request, "reject.html", user=user, slug=slug, segment=seg, seen=seen, comment=comment,
                  notes=notes, documents=len([doc for doc in reach.documents if doc != slug]),
                  title=views.document_from_row(store.document(slug)).title)


def typed(form: dict, name: str) -> str:
    """A field as the reviewer typed it: browsers send a textarea's line breaks as CRLF (HTML's form
    encoding), a carriage return nobody typed or saw, which would go on into the English page."""
    return form.get(name, "").replace("\r\n", "\n")


def _version(form: dict) -> str:
    """The version of the segment the form was shown with: without it the gate cannot tell a stale page
    from a fresh one, and an edit would replace (a rejection reject) whatever draft is there now."""
    if not form.get("version"):
        raise HTTPException(400, "the form does not say which version of the segment you saw: reload the page "
                                 "and try again")
    return form["version"]


def _act(request: Request, slug: str, seg_id: str, run) -> Response:
    """Run a review action; its outcome is flashed and the page returns to the next open segment."""
    store = request.app.state.store
    _active_document(store, slug)
    try:
        run()
        done = True
    except ReviewError as exc:
        flash(request, "error", str(exc))
        done = False
    segs = views.segment_views(request.app.state.project, store, slug)
    focus = (views.next_open(segs, seg_id) if done else None) or seg_id
    # only a segment of the page: a made-up id in the form is not echoed into the Location header
    anchor = f"#s-{quote(focus)}" if any(v.seg_id == focus for v in segs) else ""
    return RedirectResponse(f"/doc/{quote(slug)}{anchor}", status_code=303)


def _report(request: Request, result) -> None:
    if result.approved:
        flash(request, "ok", f"approved {len(result.approved)} segment(s)")
    for seg_id, flags in result.over_flags.items():  # (an edit saved and approved: its flags are new to its reviewer)
        flash(request, "error", f"{seg_id}: approved over {len(flags)} QA flag(s) of the English as typed: "
                                + "; ".join(flag["message"] for flag in flags) + ": if one is right, edit it again")
    for seg_id, why in (result.skipped | result.refused | result.held).items():  # a made-up id stays short
        flash(request, "error", f"{_within_bytes(seg_id, 40)}: {why}")
    if result.completed:
        flash(request, "ok", "every segment is approved: the English page is released for publishing")


def _api_routes(app: FastAPI) -> None:
    @app.get("/api/documents")
    def api_documents(request: Request, user: dict = Depends(any_user)):
        rows = document_queue(request.app.state.project, request.app.state.store)
        return {"documents": [r.__dict__ for r in rows]}

    @app.get("/api/documents/{slug}")
    def api_document(request: Request, slug: str, user: dict = Depends(approver)):
        store = request.app.state.store
        _active_document(store, slug)
        segs = views.segment_views(request.app.state.project, store, slug)
        return {"slug": slug, "progress": views.summary(segs),
                "unflagged": [f"{v.seg_id}@{v.state.version}" for v in segs if v.state.unflagged_draft],
                "segments": [{"id": v.seg_id, "version": v.state.version, "kind": v.state.kind,
                              "state": v.state.state, "source": v.state.source,
                              "target": v.state.target, "issues": v.state.issues,
                              "previous": v.state.previous} for v in segs]}


def _concordance_routes(app: FastAPI) -> None:
    @app.get("/concordance")
    def concordance_page(request: Request, q: str = "", user: dict = Depends(any_user)):
        result = concordance.search(request.app.state.store, q[:200])
        return render(request, "concordance.html", user=user, result=result,
                      may_review=user["role"] in APPROVER_ROLES)

    @app.get("/api/concordance")
    def api_concordance(request: Request, q: str = "", user: dict = Depends(any_user)):
        result = concordance.search(request.app.state.store, q[:200])
        return {"phrase": result.phrase, "total": result.total, "entries": [h.as_json() for h in result.hits]}
