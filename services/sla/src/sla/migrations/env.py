from kit.migrations import run_env
from sla.models import metadata

run_env(metadata)
