"""Staff pages of the review UI: add content from the browser (shown as read before it is saved) and
withdraw a document. For editors and admins; every action goes into the audit log."""

from __future__ import annotations

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from zaitun.config import Limits
from zaitun.content import upload as uploads
from zaitun.content.model import SLUG_RE, reserved_section
from zaitun.errors import ContentError
from zaitun.review.web import any_user, checked_form, flash, render

STAFF_ROLES = {"editor", "admin"}
MAX_FILES = 20  # files in one upload


def staff(request: Request) -> dict:
    user = any_user(request)
    if user["role"] not in STAFF_ROLES:
        raise HTTPException(403, f"{user['name']} is {user['role']}: only editors and admins add or withdraw content")
    return user


def _sections(request: Request) -> list[str]:
    content = request.app.state.project.content_dir
    found = {p.name for p in content.iterdir() if p.is_dir()} if content.is_dir() else set()
    return sorted(name for name in found | {"guides", "policies"} if SLUG_RE.match(name) and not reserved_section(name))


def _audit(request: Request, user: dict, action: str, slug: str, note: str) -> None:
    store = request.app.state.store
    with store.tx() as conn:
        store.log(conn, user["name"], action, slug=slug, note=note)


def _max_bytes(request: Request) -> int:
    return Limits.of(request.app.state.project.config).text_bytes


def staff_routes(app: FastAPI) -> None:
    @app.get("/add")
    def add_form(request: Request, user: dict = Depends(staff)):
        return render(request, "add.html", user=user, sections=_sections(request), max_bytes=_max_bytes(request))

    @app.post("/add")
    async def add_upload(request: Request, user: dict = Depends(staff), form: dict = Depends(checked_form)):
        section, programme = form.get("section", "").strip(), form.get("programme", "").strip()
        files = [f for f in (await request.form()).getlist("files") if isinstance(f, UploadFile)]
        try:
            return await _show(request, user, [f for f in files if f.filename], section, programme)
        finally:
            for file in files:
                await file.close()

    async def _show(request: Request, user: dict, files: list[UploadFile], section: str, programme: str):
        if not files:
            flash(request, "error", "choose one or more .docx, .txt or .md files first")
            return RedirectResponse("/add", status_code=303)
        shown, refused = [], []
        for file in files[:MAX_FILES]:
            data = await file.read(_max_bytes(request) + 1)  # never more than the cap in memory
            try:
                shown.append(await run_in_threadpool(uploads.prepare, request.app.state.project, file.filename,
                                                     data, section, programme))
            except ContentError as exc:
                refused.append(str(exc))
        refused += [f"{f.filename}: more than {MAX_FILES} files in one upload; add it again" for f in files[MAX_FILES:]]
        for item in shown:
            _audit(request, user, "content-uploaded", item.slug, f"{item.name} -> {item.target}")
        return render(request, "add_preview.html", user=user, uploads=shown, refused=refused)

    @app.post("/add/save")
    def add_save(request: Request, user: dict = Depends(staff), form: dict = Depends(checked_form)):
        token = form.get("token", "")
        try:
            path = uploads.save(request.app.state.project, token, replace=form.get("replace") == "1")
        except ContentError as exc:
            flash(request, "error", str(exc))
            return RedirectResponse("/add", status_code=303)
        rel = path.relative_to(request.app.state.project.content_dir).as_posix()
        _audit(request, user, "content-saved", path.stem, rel)
        flash(request, "ok", f"saved content/{rel}: it is taken in and sent for translation like a dropped file")
        return RedirectResponse("/", status_code=303)

    @app.get("/withdraw/{section}/{slug}")
    def withdraw_form(request: Request, section: str, slug: str, user: dict = Depends(staff)):
        try:
            uploads.document_file(request.app.state.project, section, slug)
        except ContentError as exc:
            raise HTTPException(404, str(exc)) from None
        return render(request, "withdraw.html", user=user, section=section, slug=slug)

    @app.post("/withdraw/{section}/{slug}")
    def withdraw(request: Request, section: str, slug: str, user: dict = Depends(staff),
                 form: dict = Depends(checked_form)):
        if form.get("confirm") != "1":  # the box is required in the page; a request without it is no confirmation
            flash(request, "error", f"{section}/{slug} was not withdrawn: tick the box to confirm the withdrawal")
            return RedirectResponse(f"/withdraw/{section}/{slug}", status_code=303)
        try:
            kept = uploads.withdraw(request.app.state.project, section, slug)
        except ContentError as exc:
            raise HTTPException(404, str(exc)) from None
        kept_rel = kept.relative_to(request.app.state.project.root).as_posix()
        _audit(request, user, "content-withdrawn", slug, f"{section}/{slug}.md -> {kept_rel}")
        flash(request, "ok", f"withdrew {section}/{slug}: the file is kept in {kept_rel}; its pages go offline")
        return RedirectResponse("/", status_code=303)
