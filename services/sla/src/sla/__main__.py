from kit.cli import run

run(
    "sla",
    settings="sla.config:load",
    spec="sla.main:SPEC",
    migrations="sla:migrations",
    seed="sla.seed:load_file",
)
