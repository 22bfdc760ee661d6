"""Review in the browser: ``align review`` serves one project, a SQLite
file (store.py), to a page (static/) through a small JSON API (app.py);
service.py holds what the page can do.

The project is the file: inputs, alignment, decisions, comments, approved
beads and the event log. ``align export/check/report --db`` read it back
through :func:`align.pipeline.from_review_db`.
"""
