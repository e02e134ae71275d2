"""Generate Python code and type stubs from proto/ into libs/contracts/src.

`--check` generates into a temporary folder and fails when the protos do not compile or the
generated package differs from what is there (stale code), naming the files.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTO = ROOT / "proto"
OUT = ROOT / "libs" / "contracts" / "src"


def generate(out: Path) -> None:
    """Run protoc over every .proto file, writing _pb2, _pb2_grpc and their .pyi stubs."""
    import grpc_tools

    protos = sorted(str(p.relative_to(PROTO)) for p in PROTO.rglob("*.proto"))
    include = Path(grpc_tools.__file__).parent / "_proto"
    bindir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    cmd = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        f"-I{PROTO}",
        f"-I{include}",
        f"--python_out={out}",
        f"--mypy_out={out}",
        f"--grpc_python_out={out}",
        f"--mypy_grpc_out={out}",
        *protos,
    ]
    result = subprocess.run(cmd, cwd=PROTO, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"protoc failed:\n{result.stderr}")
    for folder in {p.parent for p in out.rglob("*_pb2.py")}:
        while folder != out:
            init = folder / "__init__.py"
            if not init.exists():
                init.write_text("")
            folder = folder.parent


def differences(a: Path, b: Path) -> list[str]:
    """Relative paths of generated files that differ between two trees."""
    names = {
        str(p.relative_to(root))
        for root in (a, b)
        for p in root.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and p.suffix in {".py", ".pyi"}
        and p.relative_to(root).parts[0] == "helpdesk"
        and len(p.relative_to(root).parts) > 2
    }
    return sorted(
        n
        for n in names
        if not ((a / n).exists() and (b / n).exists() and filecmp.cmp(a / n, b / n, shallow=False))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if generated code is stale")
    args = parser.parse_args()
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            generate(Path(tmp))
            stale = differences(Path(tmp), OUT)
        if stale:
            sys.exit("generated contracts are stale (run `make proto`): " + ", ".join(stale))
        print("contracts: generated code matches proto/")
        return
    for child in (OUT / "helpdesk").iterdir():
        if child.is_dir():
            shutil.rmtree(child)
    generate(OUT)
    print(f"contracts: generated into {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
