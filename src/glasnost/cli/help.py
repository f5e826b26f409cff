"""Help screens without Python type placeholders.

Typer shows each option's Python type (``<bool>`` beside a flag, ``<list[str]>`` beside a
repeatable option). :class:`HelpGroup`, the class of the ``glasnost`` command group, walks every
command once when the group is built: a flag shows no placeholder, a repeatable option shows its
item's (``<str>``); an option that names its own ``metavar`` keeps it.
"""

from __future__ import annotations

from typing import Any

from typer import _click
from typer.core import TyperGroup, TyperOption


def _tidy(option: TyperOption, ctx: _click.Context) -> None:
    if option.metavar is not None:
        return
    if option.is_flag:
        option.metavar = ""
        return
    shown = option.display_type(ctx)
    if shown.startswith("<list[") and shown.endswith("]>"):
        option.metavar = f"<{shown[len('<list[') : -len(']>')]}>"


def tidy_help(command: _click.Command) -> None:
    """Set the help placeholders of ``command`` and of every command below it (see above)."""
    ctx = _click.Context(command)
    help_option = command.get_help_option(ctx)
    for param in [*command.params, *([help_option] if help_option else [])]:
        if isinstance(param, TyperOption):
            _tidy(param, ctx)
    for sub in getattr(command, "commands", {}).values():
        tidy_help(sub)


class HelpGroup(TyperGroup):
    """The root command group: built once, then its help placeholders are tidied (its own
    options again when asked for them: Typer adds the shell-completion flags after)."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        tidy_help(self)

    def get_params(self, ctx: _click.Context) -> list[_click.Parameter]:
        params = super().get_params(ctx)
        for param in params:
            if isinstance(param, TyperOption):
                _tidy(param, ctx)
        return params
