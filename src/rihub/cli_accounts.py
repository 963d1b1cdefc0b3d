"""`rihub user add|list|role|assign|token|disable`: accounts, as thin as the rest of the CLI.

The command line acts as the machine's operator (an admin, audited as ``cli:<os user>``).
A password is never an argument (argv is visible to every user of the machine and kept in shell
history): it is typed at a hidden prompt (``--password``) or read from a file or stdin
(``--password-file FILE`` / ``-``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from rihub.cli import app, console, emit_json, err, hub, shown
from rihub.errors import RihubError
from rihub.records import ApiToken, User

user_app = typer.Typer(
    help="Accounts and roles: contributor, reviewer, admin; API tokens for scripts.", no_args_is_help=True
)
app.add_typer(user_app, name="user")

AS_JSON = typer.Option("--json", help="Print JSON")


def read_password(prompt: bool, path: Path | None) -> str | None:
    """The password from a hidden prompt, a file or stdin (``-``); None when neither is asked for."""
    if prompt and path is not None:
        raise RihubError("give --password or --password-file, not both")
    if path is not None:
        try:
            text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
        except OSError as exc:
            raise RihubError(f"cannot read the password file {path}: {exc.strerror}") from exc
        return text.rstrip("\r\n")
    if prompt:
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    return None


def _print_user(user: User, as_json: bool) -> None:
    if as_json:
        emit_json(user)
        return
    state = "disabled" if user.disabled else "enabled"
    projects = ", ".join(str(p) for p in user.projects) or "none"
    console.print(f"{shown(user.username)}: {user.role}, {state}; projects: {projects}", highlight=False)


PASSWORD = typer.Option("--password", help="Type a password at a hidden prompt")
PASSWORD_FILE = typer.Option("--password-file", help="Read the password from this file ('-': stdin)")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Lower-case letters, digits, '.', '_' or '-'")],
    role: Annotated[str, typer.Option("--role", help="contributor, reviewer or admin")] = "contributor",
    display_name: Annotated[str, typer.Option("--display-name", help="The name shown on pages")] = "",
    password: Annotated[bool, PASSWORD] = False,
    password_file: Annotated[Path | None, PASSWORD_FILE] = None,
    as_json: Annotated[bool, AS_JSON] = False,
) -> None:
    """Add an account; without a password it can only use API tokens."""
    secret = read_password(password, password_file)
    _print_user(hub().user_add(username, role, password=secret, display_name=display_name), as_json)


@user_app.command("list")
def user_list(as_json: Annotated[bool, AS_JSON] = False) -> None:
    """Every account with its role, state and projects."""
    users = hub().users()
    if as_json:
        emit_json(users)
        return
    table = Table("username", "name", "role", "state", "password", "projects")
    for u in users:
        state = "disabled" if u.disabled else "enabled"
        projects = ", ".join(str(p) for p in u.projects)
        table.add_row(
            shown(u.username), shown(u.display_name), u.role, state, "yes" if u.has_password else "no", projects
        )
    console.print(table)


@user_app.command("role")
def user_role(
    username: str,
    role: Annotated[str, typer.Argument(help="contributor, reviewer or admin")],
    as_json: Annotated[bool, AS_JSON] = False,
) -> None:
    """Change an account's role."""
    _print_user(hub().user_role(username, role), as_json)


@user_app.command("password")
def user_password(
    username: str,
    password_file: Annotated[Path | None, PASSWORD_FILE] = None,
) -> None:
    """Set an account's password (hidden prompt unless --password-file)."""
    secret = read_password(password_file is None, password_file)
    assert secret is not None
    hub().user_password(username, secret)
    err.print(f"password of {shown(username)} changed", highlight=False)


@user_app.command("assign")
def user_assign(
    username: str,
    project_id: Annotated[int, typer.Argument(help="Project id")],
    remove: Annotated[bool, typer.Option("--remove", help="Remove the assignment instead")] = False,
    as_json: Annotated[bool, AS_JSON] = False,
) -> None:
    """Let a contributor submit updates for a project (or stop them)."""
    _print_user(hub().user_assign(username, project_id, remove=remove), as_json)


@user_app.command("disable")
def user_disable(
    username: str,
    enable: Annotated[bool, typer.Option("--enable", help="Enable the account again")] = False,
    as_json: Annotated[bool, AS_JSON] = False,
) -> None:
    """Disable an account: its sessions and API tokens stop working at once."""
    _print_user(hub().user_disable(username, enable=enable), as_json)


def _print_tokens(tokens: list[ApiToken]) -> None:
    table = Table("id", "user", "name", "prefix", "created", "last used", "revoked")
    for k in tokens:
        used = k.last_used_at.isoformat(timespec="seconds") if k.last_used_at else ""
        revoked = k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else ""
        table.add_row(
            str(k.id),
            shown(k.username),
            shown(k.name),
            k.prefix,
            k.created_at.isoformat(timespec="seconds"),
            used,
            revoked,
        )
    console.print(table)


@user_app.command("token")
def user_token(
    username: Annotated[str | None, typer.Argument(help="Account to make a token for")] = None,
    name: Annotated[str | None, typer.Option("--name", help="What the token is for (e.g. nightly import)")] = None,
    revoke: Annotated[int | None, typer.Option("--revoke", help="Revoke the token with this id")] = None,
    list_tokens: Annotated[bool, typer.Option("--list", help="List tokens (of USERNAME, or all)")] = False,
    as_json: Annotated[bool, AS_JSON] = False,
) -> None:
    """Make an API token (its secret is printed once, on stdout), list tokens, or revoke one."""
    if revoke is not None:
        token = hub().user_token_revoke(revoke)
        if as_json:
            emit_json(token)
        else:
            err.print(f"token {token.id} ({shown(token.name)}) of {shown(token.username)} revoked", highlight=False)
        return
    if list_tokens:
        tokens = hub().user_tokens(username)
        emit_json(tokens) if as_json else _print_tokens(tokens)
        return
    if username is None or not name:
        raise RihubError("give USERNAME and --name to make a token, --list to list them, or --revoke ID")
    issued = hub().user_token(username, name)
    if as_json:
        emit_json(issued)
        return
    err.print(f"token {issued.token.id} for {shown(username)}; the secret is shown only now:", highlight=False)
    sys.stdout.write(issued.secret + "\n")
