"""Plain coercion of the CLI's ``str``, ``Path`` and flag parameters.

typer (0.2x) turns every parameter's value into its Python type through a
pydantic ``TypeAdapter``, built when the command runs: importing pydantic and
building a dozen adapters costs about 0.3 s of every call, more than the rest
of a small ``align pair``. For a ``str`` value given as ``str`` (every command
line argument, every default) that coercion is the value itself, and for a
``Path`` it is ``Path(value)`` followed by typer's own checks
(``coerce_cli_path``, which needs no pydantic when handed a ``Path``); a
flag's ``bool`` is itself (typer's ``--help`` option reaches the coercion
without a value, and would build an adapter for it).

:func:`install` gives the parameters of those types a coercion that does
exactly that, and hands any other value (bytes from an environment variable,
say) to the coercion typer would have built. Parameters of other types
(numbers, choices, files, custom parsers) keep typer's. With a typer whose
parameters have no such runtime coercion (older versions, which convert
through click's types) it does nothing.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, get_args, get_origin

_PLAIN = (str, Path)


def install(command) -> None:
    """Plain coercion for the ``str``/``Path`` (and list of them) and ``bool``
    parameters of a click command built by typer, and of its subcommands."""
    for param in getattr(command, "params", ()):
        _install_param(param)
    get_help_option = getattr(command, "get_help_option", None)
    if get_help_option is not None and not getattr(get_help_option, "_plain", False):
        def plain_help_option(ctx, _get=get_help_option):
            """The ``--help`` option (made on first use, per command) with plain coercion too."""
            option = _get(ctx)
            if option is not None:
                _install_param(option)
            return option

        plain_help_option._plain = True
        command.get_help_option = plain_help_option
    subcommands = getattr(command, "commands", None)
    if isinstance(subcommands, dict):  # a group's built subcommands (a lazy registry installs as it loads)
        for sub in subcommands.values():
            install(sub)


def _install_param(param) -> None:
    desc = getattr(param, "type_descriptor", None)
    if desc is None or getattr(param, "_runtime_param", False) is not None:
        return  # not typer's runtime coercion, or already built
    kind = _plain_kind(desc)
    if kind is None:
        return
    from typer._coercion import RuntimeParam

    param._runtime_param = _runtime_class(RuntimeParam)(
        parameter_info=desc.parameter_info, annotation=desc.annotation, kind=kind, descriptor=desc)


def _plain_kind(desc) -> tuple[type, bool] | None:
    """(item type, is a list) for a parameter this module coerces; None otherwise."""
    info = desc.parameter_info
    if desc.file_annotation is not None or getattr(info, "parser", None) is not None:
        return None
    if getattr(info, "click_type", None) is not None:
        return None
    annotation = desc.annotation
    if get_origin(annotation) is list:
        args = get_args(annotation)
        if len(args) == 1 and args[0] in _PLAIN:
            return args[0], True
        return None
    if (annotation in _PLAIN or annotation is bool) and desc.choices is None:
        return annotation, False
    return None


_CLASS: dict = {}


def _runtime_class(base):
    """The RuntimeParam subclass (made once: typer's base class is only known at run time)."""
    if base in _CLASS:
        return _CLASS[base]
    from dataclasses import dataclass, field

    @dataclass(frozen=True)
    class PlainRuntimeParam(base):
        """typer's coercion of a ``str``/``Path`` parameter, without pydantic for ``str`` input."""

        kind: tuple = ()
        descriptor: Any = field(default=None, compare=False)

        def _coerce_value(self, value: Any, param, ctx) -> Any:
            item, is_list = self.kind
            if is_list:
                values = value if isinstance(value, (list, tuple)) else [value]
                if all(isinstance(v, str) for v in values):
                    return [self._one(item, v, param, ctx) for v in values]
            elif item is bool:
                if isinstance(value, bool):  # a flag (typer skips these itself when the value is a bool)
                    return value
            elif isinstance(value, str):
                return self._one(item, value, param, ctx)
            return self._typer(param)._coerce_value(value, param=param, ctx=ctx)

        def _one(self, item: type, value: str, param, ctx) -> Any:
            if item is str:
                return value
            from typer._param_types import coerce_cli_path

            info = self.parameter_info
            path_type = getattr(info, "path_type", None) or item
            if path_type is not item:  # a str or bytes path type: typer's own way
                return self._typer(param)._coerce_value(value, param=param, ctx=ctx)
            return coerce_cli_path(Path(value), info, path_type=path_type, param=param, ctx=ctx)

        def _typer(self, param):
            """The coercion typer would have used (built on first need)."""
            from typer._coercion import build_runtime_param

            return build_runtime_param(self.descriptor)

    _CLASS[base] = PlainRuntimeParam
    return PlainRuntimeParam
