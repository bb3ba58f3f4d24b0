"""`flask credits grant EMAIL N` and `flask credits show EMAIL`."""
import click
from flask.cli import AppGroup

from app.auth.service import find_user
from app.credits import service

credits = AppGroup("credits", help="Manage credit balances.")


def _credits(value: float) -> str:
    """Every digit of a balance (`:g` would print 99999592 as 9.99996e+07)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _user(email: str):
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"No account with email {email}")
    return user


@credits.command("grant")
@click.argument("email")
@click.argument("amount", type=click.FloatRange(min=0, min_open=True))
@click.option("--note", default=None, help="Why the credits were granted.")
def grant(email: str, amount: float, note: str | None) -> None:
    """Add AMOUNT credits to EMAIL's balance for this month."""
    new_balance = service.grant(_user(email), amount, note)
    click.echo(f"Granted {_credits(amount)} credits to {email}; balance {_credits(new_balance)}")


@credits.command("show")
@click.argument("email")
def show(email: str) -> None:
    """Print EMAIL's balance for this month."""
    click.echo(_credits(service.balance(_user(email))))
