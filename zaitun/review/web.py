"""The review web UI: FastAPI + Jinja2, server-rendered, a little vanilla JS for shortcuts.

Security: signed session cookies (HttpOnly, SameSite=Lax, Secure over https), a CSRF token
on every form, role checks on every page, login rate limiting, autoescaped templates and a
strict Content-Security-Policy. JSON endpoints (`/api/...`) answer errors as
`{"error": {"code": ..., "message": ...}}`.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import os
import secrets
from pathlib import Path
from urllib.parse import quote

import jinja2
from fastapi import BackgroundTasks, Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from zaitun.errors import ReviewError
from zaitun.project import Project
from zaitun.publish.media import content_file
from zaitun.publish.sinks import content_type
from zaitun.review import actions, views
from zaitun.review.gate import APPROVER_ROLES
from zaitun.review.users import verify
from zaitun.store import Store, now

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
SESSION_COOKIE = "zaitun_session"
SESSION_MAX_AGE = 8 * 3600
LOGIN_LIMIT, LOGIN_WINDOW = 5, 300.0  # failures per user and address, seconds
CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


class LoginRequired(Exception):
    """No session: pages redirect to the login form, the API answers 401."""


class LoginLimiter:
    """Failed logins per (user, address) in a sliding window, counted in the store's audit log, so
    every review process and machine sharing the database sees the same count, and each failure
    stays on record."""

    def __init__(self, store: Store, limit: int = LOGIN_LIMIT, window: float = LOGIN_WINDOW):
        self.store, self.limit, self.window = store, limit, window

    def blocked(self, name: str, address: str) -> bool:
        since = now() - dt.timedelta(seconds=self.window)
        return self.store.failed_logins(name, address, since) >= self.limit

    def fail(self, name: str, address: str) -> None:
        with self.store.tx() as conn:
            self.store.log(conn, name, "login-failed", note=address)

    def reset(self, name: str, address: str) -> None:
        with self.store.tx() as conn:
            self.store.log(conn, name, "login", note=address)


def secret_key(project: Project) -> str:
    """`review.secret_key`, else a random key kept (private) in .zaitun/secret."""
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

    def __init__(self, app, secret: str):
        options = dict(secret_key=secret, session_cookie=SESSION_COOKIE, max_age=SESSION_MAX_AGE, same_site="lax")
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


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    return Jinja2Templates(env=env)


def create_app(project: Project, store: Store | None = None) -> FastAPI:
    """The review UI for `project` (its store opened unless one is given)."""
    app = FastAPI(title="zaitun review", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.project = project
    app.state.store = store or Store.open(project.database_url)
    app.state.limiter = LoginLimiter(store)
    app.state.templates = _templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _handlers(app)
    _routes(app)
    app.add_middleware(SchemeAwareSessions, secret=secret_key(project))
    app.add_middleware(SecurityHeaders)
    return app


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
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return _error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception):  # outside the session middleware: no templates
        log.error("review UI error on %s", request.url.path, exc_info=exc)
        if _wants_json(request):
            return json_error(500, "internal", "internal error (logged on the server)")
        return HTMLResponse("<!doctype html><title>500</title><p>Internal error (logged on the server).</p>", 500)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        return _error(request, 422, "invalid request: " + "; ".join(str(e.get("msg")) for e in exc.errors()))


def _error(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        return json_error(status, CODES.get(status, "error"), message)
    return render(request, "error.html", status=status, status_code=status, message=message)


# -- sessions, roles, CSRF -----------------------------------------------------------------------
def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def current_user(request: Request) -> dict | None:
    """The logged-in user, re-read each time so a removed account loses access at once."""
    name = request.session.get("user")
    return request.app.state.store.user(name) if name else None


def any_user(request: Request) -> dict:
    user = current_user(request)
    if user is None:
        raise LoginRequired()
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
        raise HTTPException(403, "the form is stale or forged (CSRF token mismatch): reload the page and retry")
    return {key: str(value) for key, value in form.multi_items()}


def flash(request: Request, kind: str, text: str) -> None:
    request.session.setdefault("flash", []).append([kind, text])
    request.session["flash"] = request.session["flash"][-5:]


def render(request: Request, template: str, status: int = 200, **context) -> Response:
    context.setdefault("user", current_user(request))
    context.update(csrf=csrf_token(request), flashes=request.session.pop("flash", []))
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)


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


def _auth_routes(app: FastAPI) -> None:
    @app.get("/login")
    def login_form(request: Request, next: str = "/"):
        return render(request, "login.html", next=safe_next(next), name="", error="")

    @app.post("/login")
    def login(request: Request, form: dict = Depends(checked_form)):
        name, password = form.get("name", "").strip(), form.get("password", "")
        target = safe_next(form.get("next"))
        limiter: LoginLimiter = request.app.state.limiter
        key = (name.lower(), request.client.host if request.client else "")
        if limiter.blocked(*key):
            return render(request, "login.html", status=429, next=target, name=name,
                          error="too many failed attempts: wait five minutes and try again")
        user = verify(request.app.state.store, name, password)
        if user is None:
            limiter.fail(*key)
            return render(request, "login.html", status=401, next=target, name=name,
                          error="wrong name or password")
        limiter.reset(*key)
        request.session.clear()
        request.session.update(user=user["name"], csrf=secrets.token_urlsafe(32))
        return RedirectResponse(target, status_code=303)

    @app.post("/logout")
    def logout(request: Request, form: dict = Depends(checked_form)):
        request.session.clear()
        return RedirectResponse("/login", status_code=303)


def _page_routes(app: FastAPI) -> None:
    @app.get("/")
    def queue(request: Request, status: str = "", section: str = "", programme: str = "",
              user: dict = Depends(any_user)):
        project, store = request.app.state.project, request.app.state.store
        everything = views.queue(project, store)
        rows = [r for r in everything if (not status or r.stage == status) and (not section or r.section == section)
                and (not programme or r.programme == programme)]
        return render(request, "queue.html", user=user, rows=rows, stages=views.STAGES,
                      sections=sorted({r.section for r in everything}),
                      programmes=sorted({r.programme for r in everything if r.programme}),
                      filters={"status": status, "section": section, "programme": programme},
                      may_review=user["role"] in APPROVER_ROLES, may_edit=user["role"] in ("editor", "admin"))

    @app.get("/doc/{slug}")
    def document(request: Request, slug: str, hide_approved: bool = False, user: dict = Depends(approver)):
        store = request.app.state.store
        row = _active_document(store, slug)
        segs = views.segment_views(request.app.state.project, store, slug)
        shown = [v for v in segs if not (hide_approved and v.state.state == "approved")]
        title = views.document_from_row(row).title
        unflagged = [f"{v.seg_id}@{v.state.version}" for v in shown if v.state.unflagged_draft]
        return render(request, "document.html", user=user, slug=slug, title=title, segments=shown,
                      progress=views.summary(segs), hide_approved=hide_approved, unflagged=unflagged)

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
        seen = {seg_id: form.get("version", "")}
        return _act(request, slug, seg_id, lambda: _report(request, actions.approve(
            request.app.state.project, request.app.state.store, slug, seen, user["name"],
            defer=background.add_task)))

    @app.post("/doc/{slug}/approve-unflagged")
    def approve_unflagged(request: Request, slug: str, background: BackgroundTasks,
                          user: dict = Depends(approver), form: dict = Depends(checked_form)):
        seen = dict(item.split("@", 1) for item in form.get("shown", "").split() if "@" in item)
        return _act(request, slug, "", lambda: _report(request, actions.approve_unflagged(
            request.app.state.project, request.app.state.store, slug, seen, user["name"],
            defer=background.add_task)))

    @app.post("/doc/{slug}/reject")
    def reject(request: Request, slug: str, user: dict = Depends(approver), form: dict = Depends(checked_form)):
        seg_id = form.get("seg_id", "")

        def run() -> None:
            actions.reject(request.app.state.store, slug, seg_id, user["name"], form.get("comment", ""))
            flash(request, "ok", "rejected; the comment is kept with the segment")

        return _act(request, slug, seg_id, run)

    @app.post("/doc/{slug}/edit")
    def edit(request: Request, slug: str, background: BackgroundTasks, user: dict = Depends(approver),
             form: dict = Depends(checked_form)):
        seg_id = form.get("seg_id", "")

        def run() -> None:
            result = actions.edit(request.app.state.project, request.app.state.store, slug, seg_id,
                                  form.get("target", ""), user["name"], approve_now=form.get("approve") == "1",
                                  defer=background.add_task, based_on=form.get("version"))
            _report(request, result) if form.get("approve") == "1" else flash(request, "ok", "saved")

        return _act(request, slug, seg_id, run)


def _act(request: Request, slug: str, seg_id: str, run) -> Response:
    """Run a review action; its outcome is flashed and the page returns to the next open segment."""
    store = request.app.state.store
    _active_document(store, slug)
    try:
        run()
    except ReviewError as exc:
        flash(request, "error", str(exc))
        return RedirectResponse(f"/doc/{quote(slug)}#s-{quote(seg_id)}", status_code=303)
    segs = views.segment_views(request.app.state.project, store, slug)
    following = views.next_open(segs, seg_id) or seg_id
    return RedirectResponse(f"/doc/{quote(slug)}#s-{quote(following)}", status_code=303)


def _report(request: Request, result) -> None:
    if result.approved:
        flash(request, "ok", f"approved {len(result.approved)} segment(s)")
    for seg_id, why in (result.skipped | result.refused).items():
        flash(request, "error", f"{seg_id}: {why}")
    if result.completed:
        flash(request, "ok", "every segment is approved: the English page is released for publishing")


def _api_routes(app: FastAPI) -> None:
    @app.get("/api/documents")
    def api_documents(request: Request, user: dict = Depends(any_user)):
        rows = views.queue(request.app.state.project, request.app.state.store)
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
