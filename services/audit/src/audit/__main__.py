from kit.cli import run

run(
    "audit",
    settings="audit.config:load",
    spec="audit.main:SPEC",
    migrations="audit:migrations",
)
