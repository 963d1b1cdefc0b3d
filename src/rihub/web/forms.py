"""HTML forms of the monitoring pages: what each form asks, and turning what was typed into a record.

A form is a list of :class:`Field` specs drawn by one template macro, so every form looks and
behaves the same. :func:`parse` turns the posted strings into the library's input record (empty
means "not given", lists are one item a line or comma-separated, a checkbox is present or not);
when the values do not validate, :class:`FormState` carries the person's own text back onto the
form with one message per field, never a traceback and never an empty form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

Kind = Literal["text", "textarea", "number", "date", "select", "checkbox", "file", "list", "hidden", "multiselect"]
M = TypeVar("M", bound=BaseModel)
_SPLIT = re.compile(r"[\n,;]+")


@dataclass(frozen=True)
class Field:
    """One input of a form: its name (the record's field), label, kind and, for selects, the choices."""

    name: str
    label: str
    kind: Kind = "text"
    choices: Sequence[tuple[str, str]] = ()
    required: bool = False
    hint: str = ""
    step: str = "any"


@dataclass
class FormState:
    """What a form shows: the values (as typed), per-field errors, a message, and on a conflict the
    row as it now stands (``current``) beside the person's input."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None
    current: BaseModel | None = None

    def value(self, name: str) -> str:
        value = self.values.get(name)
        if value is None:
            return ""
        if isinstance(value, list | tuple):
            return "\n".join(str(v) for v in value)
        if isinstance(value, bool):
            return "on" if value else ""
        return str(value)

    def chosen(self, name: str) -> set[str]:
        value = self.values.get(name)
        if isinstance(value, list | tuple | set):
            return {str(v) for v in value}
        return {str(value)} if value not in (None, "") else set()

    @classmethod
    def of(cls, record: BaseModel | None, **extra: Any) -> FormState:
        """A form filled from a stored record (to edit it), plus any extra values."""
        values = record.model_dump(mode="json") if record is not None else {}
        return cls(values=values | extra)


def form_values(form: Mapping[str, Any], fields: Iterable[Field]) -> dict[str, Any]:
    """The posted strings of ``fields`` (multi-selects as lists), nothing else the client sent."""
    out: dict[str, Any] = {}
    getlist = getattr(form, "getlist", None)
    for f in fields:
        if f.kind == "file":
            continue
        if f.kind == "multiselect":
            out[f.name] = [str(v) for v in getlist(f.name)] if getlist else list(form.get(f.name) or [])
        elif f.kind == "checkbox":
            out[f.name] = f.name in form
        else:
            raw = form.get(f.name)
            out[f.name] = raw.strip() if isinstance(raw, str) else ""
    return out


def split_list(value: Any) -> list[str]:
    """A list field as typed: one item a line, or separated by commas or semicolons."""
    return [part.strip() for part in _SPLIT.split(str(value or "")) if part.strip()]


def _typed(f: Field, value: Any) -> Any:
    if f.kind == "list":
        return split_list(value)
    if f.kind in ("checkbox", "multiselect"):
        return value
    return None if value in ("", None) else value


def parse(
    model: type[M], values: Mapping[str, Any], fields: Iterable[Field], **fixed: Any
) -> tuple[M | None, FormState]:
    """``values`` (as :func:`form_values` gives them) validated into ``model``; ``fixed`` are the
    fields the page decides (the project of a new indicator, …). On failure the record is None and
    the state holds one message per field, keyed by the form field's name."""
    spec = list(fields)
    state = FormState(values=dict(values))
    known = set(model.model_fields)
    typed = {f.name: _typed(f, values.get(f.name)) for f in spec if f.name in known}
    # Left empty: the record's default (None, "" or []), so clearing a field on an edit clears it.
    payload = {k: v for k, v in typed.items() if v is not None} | fixed
    try:
        return model.model_validate(payload), state
    except ValidationError as exc:
        labels = {f.name: f.label for f in spec}
        for problem in exc.errors():
            name = str(problem["loc"][0]) if problem["loc"] else ""
            state.errors.setdefault(name, _message(problem))
        names = ", ".join(labels.get(n, n) for n in state.errors)
        state.message = f"Please correct: {names}."
        return None, state


def _message(problem: Mapping[str, Any]) -> str:
    kind, msg = str(problem.get("type", "")), str(problem.get("msg", ""))
    if kind.startswith("date"):
        return "a date as YYYY-MM-DD"
    if kind.startswith("float") or kind.startswith("int"):
        return "a number"
    return msg.removeprefix("Value error, ")
