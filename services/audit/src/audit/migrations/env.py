from kit.migrations import run_env

from audit.models import metadata

run_env(metadata)
