"""``align eval``: score bead files against gold, as Vecalign defines it."""
from __future__ import annotations

from pathlib import Path

import typer

from . import _common, app


@app.command("eval")
def eval_cmd(
    gold: Path = typer.Argument(..., help="Gold bead file, or a folder of them."),
    pred: Path = typer.Argument(..., help="Predicted bead file, or a folder with the same file names."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
    strict_encoding: bool = _common.strict_encoding_option(),
) -> None:
    """Strict and lax precision/recall/F1 of bead files, as Vecalign defines them."""
    from ..evaluate import evaluate_paths

    total, per = evaluate_paths(gold, pred)
    if as_json:
        _common.print_json({"total": total.as_dict(), "files": {k: v.as_dict() for k, v in per.items()}})
        return
    from rich.table import Table

    table = Table()
    for col in ("file", "strict P", "strict R", "strict F1", "lax P", "lax R", "lax F1", "gold", "pred"):
        table.add_column(col, justify="right" if col != "file" else "left")

    def row(name, s):
        return [name] + [f"{x:.4f}" for x in (s.precision_strict, s.recall_strict, s.f1_strict,
                                              s.precision_lax, s.recall_lax, s.f1_lax)] + \
            [str(s.gold_beads), str(s.test_beads)]

    if len(per) > 1:
        for name, s in per.items():
            table.add_row(*row(name, s))
    table.add_row(*row("total" if len(per) > 1 else next(iter(per)), total))
    _common.out.print(table)
