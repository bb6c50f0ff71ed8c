"""``python -m altinn_emulator --host 127.0.0.1 --port 0 [--seed N] [--data DIR] [--base-date YYYY-MM-DD]``"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from .server import make_server


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m altinn_emulator", description="Local Altinn 2 SOAP emulator"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = let the OS choose (printed on stdout)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="DIR",
        help="directory with *.json item files (POST /_emulator/items bodies); repeatable",
    )
    parser.add_argument(
        "--base-date",
        type=date.fromisoformat,
        default=None,
        help="date the generated items are relative to (default: today)",
    )
    parser.add_argument(
        "--schema-dir", default=None, help="XSD/WSDL folder (default prisolve_altinn/altinn/soap/wsdl)"
    )
    parser.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="MODULE",
        help="extra module to import (it registers routes); repeatable",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    parser.add_argument(
        "--check-contract",
        action="store_true",
        default=None,
        help="check every Altinn 3 answer against Altinn's contracts (altinn3/contract.py); "
        "a violation answers 500 and is logged on stderr",
    )
    args = parser.parse_args(argv)
    server = make_server(
        args.host,
        args.port,
        seed=args.seed,
        base_date=args.base_date,
        data_dirs=args.data,
        schema_dir=args.schema_dir,
        plugins=args.plugin,
        verbose=args.verbose,
        check_contract=args.check_contract,
    )
    print(f"Altinn emulator listening on {server.url}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
