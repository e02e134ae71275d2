from kit.migrations import run_env
from routing.models import metadata

run_env(metadata)
