"""Generated gRPC and event contracts (built from proto/ by scripts/gen_protos.py)."""
