"""The Typer application every command module registers on."""

import typer

app = typer.Typer(
    name="shopstar",
    help="ShopStar: find, develop, match and pay the creators who sell.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """ShopStar: find, develop, match and pay the creators who sell."""
