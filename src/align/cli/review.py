"""``align review``: review an alignment in the browser, kept in a SQLite project."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..errors import UsageError
from . import _common, app


@app.command()
def review(
    source: Optional[Path] = typer.Argument(None, help="The Chinese original (optional when --db exists)."),
    translations: Optional[List[Path]] = typer.Argument(None, help="One or more English translations."),
    db: Path = typer.Option(..., "--db", help="The project file (SQLite): made from the files the first time, "
                            "reopened as it was after that."),
    glossary: Optional[Path] = typer.Option(None, "--glossary", "-g", help="Glossary YAML (new projects)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; anything but localhost needs "
                             "a token."),
    port: int = typer.Option(8765, "--port", min=0, max=65535, help="Port to listen on (0: any free one)."),
    token: Optional[str] = typer.Option(None, "--token", help="Require this token on every request (one is made "
                                        "up when --host is not localhost)."),
    level: str = _common.level_option(),
    encoder: str = _common.encoder_option(),
    presegmented: bool = _common.presegmented_option(),
    strict_encoding: bool = _common.strict_encoding_option(),
) -> None:
    """Serve a review page: merge, split and approve rows, decide on flags, comment, undo; everything
    is kept in the --db file. Prints its URL; Ctrl-C stops it."""
    from ..review.service import create_project, open_review, verify_files

    translations = list(translations or [])
    if db.exists():
        if source is not None or translations:
            from ..review.store import ProjectError, Store

            try:
                store = Store.open(db)
            except ProjectError as exc:
                raise UsageError(str(exc)) from None
            try:
                verify_files(store, source, translations)
            finally:
                store.close()
        if glossary is not None:
            raise UsageError(f"{db} exists: its glossary was fixed when it was made (give -g only for a new project)")
    else:
        if source is None or not translations:
            raise UsageError(f"{db} does not exist yet: give the Chinese original and its translation(s) to make it")
        _common.output_path(db, {"source": source, "translation": translations, "glossary": glossary})
        settings = _common.settings(level, encoder, presegmented)
        with _common.progress("aligning", total=100) as advance:
            create_project(db, source, translations, settings=settings, glossary=glossary, progress=advance).close()
        _common.err.print(f"made {db}", highlight=False)
    token = token_for(host, token)
    serve(open_review(db), host=host, port=port, token=token)


def token_for(host: str, token: str | None) -> str | None:
    """The token the server requires: the one given, else a new one when
    ``host`` is not localhost, else none."""
    from ..review.app import is_local, new_token

    if token is None and not is_local(host):
        token = new_token()
    if token is not None and (len(token) < 8 or not token.isascii() or not token.isprintable() or " " in token):
        raise UsageError("--token must be at least 8 printable ASCII characters without spaces")
    return token


def serve(reviewing, *, host: str, port: int, token: str | None) -> None:
    """Listen on ``host:port``, print the URL, serve until Ctrl-C."""
    import socket

    import uvicorn

    from ..review.app import create_app

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # accepted connections inherit it: a response's head and body go out at once
    # (else Nagle and the client's delayed ACK add ~40 ms to every answer)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    sock.listen(128)
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    typer.echo(f"review: {url}", err=False)
    typer.echo(f"project: {reviewing.store.path} (Ctrl-C stops the server)")
    import sys

    sys.stdout.flush()
    config = uvicorn.Config(create_app(reviewing, token=token, port=port), log_level="warning", access_log=False,
                            lifespan="off", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        reviewing.store.close()
    typer.echo("stopped")
