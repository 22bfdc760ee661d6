"""The review server: an ASGI app (FastAPI) over one :class:`Review`.

The API (JSON; the page uses nothing else, ``/api/openapi.json`` describes it):

- ``GET  /api/project``: translations, inputs, settings, the last event;
- ``GET  /api/translations/{tid}/rows``: every row of a translation, with
  its flags (and decisions) and comments; ``.../rows/{id}``: one row;
- ``POST /api/translations/{tid}/merge``    ``{who, rows: [{id, version}, {id, version}], realign}``
- ``POST /api/translations/{tid}/split``    ``{who, row: {id, version}, src_at, tgt_at, realign}``
- ``POST /api/translations/{tid}/approve``  ``{who, row, approved}``
- ``POST /api/translations/{tid}/decide``   ``{who, row, flag, decision, comment}``
- ``POST /api/translations/{tid}/comment``  ``{who, row, text}``
- ``POST /api/translations/{tid}/realign``  ``{who, generation}``
- ``POST /api/undo``, ``POST /api/redo``   ``{who}``
- ``GET  /api/events?after=N``: the event log.

Every write names the version of each row it was based on (``generation``
for a re-align); a stale one gets 409 with the rows as they are now. Any
write may carry ``request`` (a client-made id): sent again, it is not done
twice. Errors are ``{"error", "message"}`` with 400, 401, 403, 404, 409,
413 or 415, never a traceback.

Security: the app serves its own files and the API, nothing else. Off
localhost every request needs the token (``Authorization: Bearer T``, the
``X-Align-Token`` header, ``?token=T`` or the cookie that ``/?token=T``
sets); on localhost the Host header must name localhost (no DNS
rebinding). Writes must be JSON from the page's own origin.
"""
from __future__ import annotations

import hmac
import logging
import secrets
from importlib import resources
from typing import Annotated, Any, Literal, Optional

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from .service import Review
from .store import DECISIONS, MAX_COMMENT, MAX_NAME, Applied, ReviewError, Ref

log = logging.getLogger("align.review")

#: The largest request body accepted (a comment is at most 4,000 characters).
MAX_BODY = 64 * 1024
MAX_ID = 2**31 - 1
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
COOKIE = "align_review_token"

_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
_HEADERS = {"Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
            "X-Frame-Options": "DENY", "Cache-Control": "no-store"}
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".html": "text/html; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml"}


def is_local(host: str) -> bool:
    return host.strip("[]") in LOCAL_HOSTS


# --------------------------------------------------------------------------- request bodies


def _utf8(v: str) -> str:
    """Refuse text that cannot be stored (lone surrogates from ``\\ud800`` escapes)."""
    try:
        v.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    return v


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    who: str = Field(min_length=1, max_length=MAX_NAME, description="The editor's name.")
    request: Optional[str] = Field(None, min_length=1, max_length=100,
                                   description="A client-made id: the same request sent again is not done twice.")

    @field_validator("*", mode="after")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return _utf8(v) if isinstance(v, str) else v


class RowRef(BaseModel):
    """A row as the client saw it."""

    model_config = ConfigDict(extra="forbid")

    id: int = Field(ge=1, le=MAX_ID)
    version: int = Field(ge=1, le=MAX_ID)

    def ref(self) -> Ref:
        return Ref(self.id, self.version)


class MergeBody(Body):
    rows: list[RowRef] = Field(min_length=2, max_length=2, description="Two neighbouring rows.")
    realign: bool = Field(False, description="Re-align the rows between the fixed ones afterwards.")


class SplitBody(Body):
    row: RowRef
    src_at: int = Field(ge=0, le=MAX_ID, description="Source segments in the first part.")
    tgt_at: int = Field(ge=0, le=MAX_ID, description="Target segments in the first part.")
    realign: bool = False


class ApproveBody(Body):
    row: RowRef
    approved: bool = True


class DecideBody(Body):
    row: RowRef
    flag: str = Field(min_length=1, max_length=64, description="The flag's key.")
    decision: Optional[Literal[DECISIONS]] = Field(description="accept, false-positive, fixed, or null to take "
                                                               "the decision back.")
    comment: str = Field("", max_length=MAX_COMMENT)


class CommentBody(Body):
    row: RowRef
    text: str = Field(min_length=1, max_length=MAX_COMMENT)


class RealignBody(Body):
    generation: str = Field(min_length=1, max_length=64, description="The rows' generation as listed.")


class StepBody(Body):
    pass


# --------------------------------------------------------------------------- middleware


class Guard:
    """Pure ASGI middleware: the token, the Host header, the body size and
    the security headers, before anything else sees the request."""

    def __init__(self, app, *, token: str | None, port: int | None):
        self.app, self.token, self.port = app, token, port

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}

        async def send_secured(message):
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in _HEADERS.items() if k.lower().encode() not in have]
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        problem = self._refuse(scope, headers)
        if problem is not None:
            return await problem(scope, receive, send_secured)
        size = headers.get("content-length")
        if size is not None and (not size.isdigit() or int(size) > MAX_BODY):
            return await _error(413, f"the request body is limited to {MAX_BODY} bytes")(scope, receive, send_secured)
        seen = 0

        async def receive_limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > MAX_BODY:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, receive_limited, send_secured)
        except _TooLarge:
            await _error(413, f"the request body is limited to {MAX_BODY} bytes")(scope, receive, send_secured)

    def _refuse(self, scope, headers: dict[str, str]):
        """The response refusing this request, or None to let it through."""
        host = headers.get("host", "")
        method = scope.get("method", "GET")
        if self.token is None:
            name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
            if not is_local(name):
                return _error(403, "this server answers to localhost only (wrong Host header)")
        else:
            given = _token_of(scope, headers)
            if given is None or not hmac.compare_digest(given.encode(), self.token.encode()):
                return _error(401, "this server needs its token: open the URL it printed (…/?token=…), or send "
                                   "'Authorization: Bearer TOKEN'")
        if method not in ("GET", "HEAD", "OPTIONS"):
            origin = headers.get("origin")
            if origin is not None and origin.split("://", 1)[-1] != host:
                return _error(403, "cross-origin writes are refused")
            ctype = headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype != "application/json":
                return _error(415, "send JSON (Content-Type: application/json)")
        return None


class _TooLarge(Exception):
    """The body grew past MAX_BODY while it was read."""


def _token_of(scope, headers: dict[str, str]) -> str | None:
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    if headers.get("x-align-token"):
        return headers["x-align-token"]
    from urllib.parse import parse_qs

    q = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
    if q:
        return q[0]
    for part in headers.get("cookie", "").split(";"):
        k, _, v = part.strip().partition("=")
        if k == COOKIE:
            return v
    return None


def _error(status: int, message: str):
    return JSONResponse({"error": _ERROR_NAMES.get(status, "error"), "message": message}, status_code=status)


_ERROR_NAMES = {400: "bad request", 401: "unauthorised", 403: "forbidden", 404: "not found", 405: "method not allowed",
                409: "conflict", 413: "too large", 415: "unsupported media type", 500: "internal error"}


# --------------------------------------------------------------------------- the app


def _asset(name: str) -> bytes:
    return resources.files("align.review").joinpath("static", name).read_bytes()


def assets() -> dict[str, bytes]:
    """The page's own files, read once: nothing else is ever served."""
    out = {}
    for entry in resources.files("align.review").joinpath("static").iterdir():
        if entry.is_file() and not entry.name.startswith("."):
            out[entry.name] = entry.read_bytes()
    return out


def create_app(review: Review, *, token: str | None = None, port: int | None = None) -> Any:
    """The ASGI app serving ``review`` (wrapped in :class:`Guard`)."""
    api = FastAPI(title="align review", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json", description=__doc__)
    files = assets()
    api.state.review = review

    @api.exception_handler(ReviewError)
    async def _review_error(request: Request, exc: ReviewError):
        body: dict[str, Any] = {"error": _ERROR_NAMES.get(exc.status, "error"), "message": exc.message}
        if exc.tid is not None:
            body["translation"] = exc.tid
            with review.store.lock:
                body["rows"] = review.rows_of(exc.tid, exc.rows) if exc.rows else []
            body["reload"] = not exc.rows
        return JSONResponse(body, status_code=exc.status)

    @api.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        parts = []
        for e in exc.errors()[:5]:
            if e.get("type") == "json_invalid":
                parts.append(f"the body is not valid JSON ({e.get('ctx', {}).get('error', 'malformed')})")
                continue
            where = ".".join(str(x) for x in e.get("loc", ()) if x != "body")
            parts.append(f"{where}: {e.get('msg')}" if where else str(e.get("msg")))
        return _error(400, "; ".join(parts) or "malformed request")

    @api.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        return _error(exc.status_code, str(exc.detail))

    @api.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception):  # the one catch-all: a bug, logged, never a traceback
        log.exception("internal error on %s %s", request.method, request.url.path)
        return _error(500, f"internal error ({type(exc).__name__}); the server log has the details")

    def page(name: str) -> Response:
        suffix = name[name.rfind("."):]
        return Response(files[name], media_type=_TYPES.get(suffix, "application/octet-stream"))

    @api.get("/", include_in_schema=False)
    def index(token_q: Annotated[Optional[str], Query(alias="token", max_length=200)] = None):
        if token is not None and token_q is not None:  # Guard checked it: keep it in a cookie, out of the URL
            resp = RedirectResponse("/", status_code=303)
            resp.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/")
            return resp
        return page("index.html")

    @api.get("/static/{name}", include_in_schema=False)
    def static(name: str):
        if name not in files or name == "index.html":
            return _error(404, "no such file")
        return page(name)

    def answer(applied: Applied) -> dict:
        tid = applied.tid
        with review.store.lock:
            rows = review.rows_of(tid, applied.changed) if tid else []
            return {"ok": True, "event": applied.event, "translation": tid, "summary": applied.summary,
                    "rows": rows, "removed": list(applied.removed), "moved": list(applied.moved),
                    "replayed": applied.replayed, "generation": review.generation(tid) if tid else None,
                    "last_event": review.store.last_event()}

    @api.get("/api/project", summary="The project: translations, inputs, settings")
    def project():
        return review.project()

    @api.get("/api/translations/{tid}/rows", summary="Every row of a translation")
    def rows(tid: Annotated[str, Field(max_length=200)]):
        return review.rows(tid)

    @api.get("/api/translations/{tid}/rows/{row_id}", summary="One row")
    def row(tid: str, row_id: Annotated[int, Field(ge=1, le=MAX_ID)]):
        return review.row(tid, row_id)

    @api.post("/api/translations/{tid}/merge", summary="Merge two neighbouring rows")
    def merge(tid: str, body: MergeBody):
        a, b = body.rows
        return answer(review.merge(tid, body.who, a.ref(), b.ref(), realign=body.realign, request=body.request))

    @api.post("/api/translations/{tid}/split", summary="Split a row at a segment boundary")
    def split(tid: str, body: SplitBody):
        return answer(review.split(tid, body.who, body.row.ref(), body.src_at, body.tgt_at, realign=body.realign,
                                   request=body.request))

    @api.post("/api/translations/{tid}/approve", summary="Approve a row, or take the approval back")
    def approve(tid: str, body: ApproveBody):
        return answer(review.approve(tid, body.who, body.row.ref(), body.approved, request=body.request))

    @api.post("/api/translations/{tid}/decide", summary="Decide on a flag: accept, false-positive, fixed")
    def decide(tid: str, body: DecideBody):
        return answer(review.decide(tid, body.who, body.row.ref(), body.flag, body.decision, body.comment,
                                    request=body.request))

    @api.post("/api/translations/{tid}/comment", summary="Comment on a row")
    def comment(tid: str, body: CommentBody):
        return answer(review.comment(tid, body.who, body.row.ref(), body.text, request=body.request))

    @api.post("/api/translations/{tid}/realign", summary="Re-align around the approved and edited rows")
    def realign(tid: str, body: RealignBody):
        return answer(review.realign(tid, body.who, body.generation, request=body.request))

    @api.post("/api/undo", summary="Undo the editor's last edit")
    def undo(body: StepBody):
        return answer(review.undo(body.who, request=body.request))

    @api.post("/api/redo", summary="Redo the editor's last undone edit")
    def redo(body: StepBody):
        return answer(review.redo(body.who, request=body.request))

    @api.get("/api/events", summary="The event log")
    def events(after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
               limit: Annotated[int, Query(ge=1, le=1000)] = 200):
        with review.store.lock:
            return {"events": [e.as_dict() for e in review.store.events(after, limit)],
                    "last_event": review.store.last_event()}

    return Guard(api, token=token, port=port)


def new_token() -> str:
    return secrets.token_urlsafe(24)
