from kit.cli import run

run(
    "routing",
    settings="routing.config:load",
    spec="routing.main:SPEC",
    migrations="routing:migrations",
    seed="routing.seed:load_file",
)
