from kit.cli import run

run(
    "tickets",
    settings="tickets.config:load",
    spec="tickets.main:SPEC",
    migrations="tickets:migrations",
)
