"""`papersift serve` refuses to expose a login-less app; `papersift user` manages accounts."""

from __future__ import annotations

from click.testing import CliRunner

from papersift import accounts
from papersift.cli.main import cli
from papersift.config import store_location
from papersift.store import Store


def test_single_user_serve_stays_on_loopback() -> None:
    for host in ("0.0.0.0", "192.168.1.5", "::", "example.org"):
        result = CliRunner().invoke(cli, ["serve", "--host", host])
        assert result.exit_code == 2 and "--multi-user" in result.output, host


def test_user_commands() -> None:
    runner = CliRunner()
    added = runner.invoke(
        cli, ["user", "add", "ada", "--password-stdin", "--profile", "ada"], input="a long password\n"
    )
    assert added.exit_code == 0, added.output
    assert "user 'ada' added, owner of ada" in added.output
    admin = runner.invoke(cli, ["user", "add", "root", "--admin", "--password-stdin"], input="another password\n")
    assert admin.exit_code == 0 and "(admin)" in admin.output
    again = runner.invoke(cli, ["user", "add", "ada", "--password-stdin"], input="a long password\n")
    assert again.exit_code == 1 and "already a user named 'ada'" in again.output
    short = runner.invoke(cli, ["user", "add", "eve", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "at least 8 characters" in short.output
    listed = runner.invoke(cli, ["user", "list"])
    assert "ada\tuser\tada" in listed.output and "root\tadmin\tno profiles" in listed.output
    with Store(store_location()) as store:
        assert accounts.authenticate(store, "ada", "a long password") is not None
    reset = runner.invoke(cli, ["user", "reset-password", "ada", "--password-stdin"], input="a new password!\n")
    assert reset.exit_code == 0
    with Store(store_location()) as store:
        assert accounts.authenticate(store, "ada", "a long password") is None
        assert accounts.authenticate(store, "ada", "a new password!") is not None
    assert runner.invoke(cli, ["user", "grant", "root", "lab"]).exit_code == 0
    removed = runner.invoke(cli, ["user", "remove", "ada"])
    assert removed.exit_code == 0
    assert runner.invoke(cli, ["user", "remove", "ada"]).exit_code == 1
    assert "ada" not in runner.invoke(cli, ["user", "list"]).output
