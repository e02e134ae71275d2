from kit.cli import run

run(
    "audit",
    settings="audit.config:load",
    spec="audit.main:SPEC",
    migrations="audit:migrations",
    commands={"verify": ("re-walk the hash chain and its signed checkpoints", "audit.cli:verify")},
)
