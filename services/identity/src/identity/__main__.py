from kit.cli import run

run(
    "identity",
    settings="identity.config:load",
    spec="identity.main:SPEC",
    migrations="identity:migrations",
    seed="identity.seed:load_file",
)
