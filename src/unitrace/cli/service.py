"""``unitrace init``, ``serve`` and ``demo``: the database made or migrated, the HTTP service
run, demo data seeded. Only these commands may create a database."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from unitrace.cli.common import (
    absolute_url,
    bad_input_is_one_line,
    cli_actor,
    migrated_registry,
    open_registry,
    progress_bar,
    say,
)


def init() -> None:
    """Create or migrate the database (idempotent); the first run prints an admin token once."""
    from unitrace.services.tokens import create_token

    database, done = migrated_registry()
    engine = database.engine
    with database.unit_of_work() as uow:
        first = uow.tokens.count() == 0
        token = (
            create_token(uow, role="admin", label="first admin", actor=cli_actor())
            if first
            else None
        )
        uow.commit()
    say(
        f"database {engine.url.render_as_string()} {'is up to date' if done == 'up to date' else done}"
    )
    if token is not None:
        say(f"first admin token (shown once, keep it safe): {token}")


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (a few per core under load).")
    ] = 1,
    access_log: Annotated[
        bool, typer.Option(help="Log every request on stdout (the scan log is kept apart).")
    ] = True,
) -> None:
    """Run the HTTP service: the API, its OpenAPI page at /docs, and the Digital Link routes."""
    import uvicorn

    from unitrace.api.app import create_app
    from unitrace.api.serving import GRACEFUL_SHUTDOWN
    from unitrace.config import Settings

    database = open_registry()
    say(
        f"unitrace is serving on http://{host}:{port}/  (API documentation: http://{host}:{port}/docs)"
    )
    if workers == 1:
        service = create_app(database, Settings.from_environment())
        uvicorn.run(
            service,
            host=host,
            port=port,
            log_level="info",
            access_log=access_log,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
            # X-Forwarded-For is believed from UNITRACE_TRUSTED_PROXIES only (api.callers)
            proxy_headers=False,
        )
        return
    # each worker process opens the database itself, from the same environment
    database.engine.dispose()
    from unitrace.api.serving import serve_workers

    serve_workers(host=host, port=port, workers=workers, access_log=access_log)


def demo(
    url: Annotated[
        str, typer.Option(help="Where the service will be reached.")
    ] = "http://127.0.0.1:8000",
) -> None:
    """Create or migrate the database, fill it with demo data (once), and print an admin token
    and the URLs to open: a new token each run, the one printed by the run before revoked."""
    from unitrace.config import Settings
    from unitrace.services.demo import (
        DEMO_STEPS,
        demo_console_users,
        demo_seeded,
        demo_token,
        demo_units,
        seed_demo,
    )

    base = url.rstrip("/")
    database, _ = migrated_registry()
    actor = cli_actor()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        seeded = demo_seeded(uow)
        if not seeded:
            with progress_bar("demo data", DEMO_STEPS) as advance:
                summary = seed_demo(uow, actor=actor, progress=advance)
        made = demo_token(uow, actor=actor)
        people = demo_console_users(uow, actor=actor)
        units = demo_units(uow, base)
        uow.commit()
    if seeded:
        say(f"demo data: already in {database.engine.url.render_as_string()}")
    else:
        say(
            f"demo data: {summary.products} products, {summary.lots} lots, {summary.parties} "
            f"parties, {summary.units:,} units commissioned, {summary.shipped:,} shipped, "
            f"{summary.alerts} alerts raised by scans"
        )
    earlier = ", ".join(str(token_id) for token_id in made.revoked)
    replaces = f"  (replaces the demo's token {earlier}, now revoked)" if earlier else ""
    say(f"admin token: {made.token}{replaces}")
    say(f"the brand console: {base}/console  (new passwords each run)")
    for person in people:
        who = "the brand's admin" if person.party is None else f"{person.party}: its own units only"
        say(f"  {person.email}  password: {person.password}  ({who})")
    say("open in a browser (no token needed):")
    addresses = [("unitrace", f"{base}/"), ("API documentation", f"{base}/docs  and  {base}/redoc")]
    if units is not None:
        addresses += [
            ("a genuine unit's page", units.genuine),
            ("a unit at the pharmacy", units.pharmacy),
        ]
    for label, address in addresses:
        say(f"  {label:>22}: {address}")
    # the commands of another terminal, on the same database and printing the same codes
    command = Path(sys.argv[0])
    say("in another terminal:")
    if command.name == "unitrace" and command.parent.is_dir():
        say(f'  export PATH="{command.parent.resolve()}:$PATH"')
    say(f"  export UNITRACE_DATABASE_URL={absolute_url(database)}")
    say(f"  export UNITRACE_RESOLVER_BASE={Settings.from_environment().resolver_base}")
