"""CPU time to make N `Aws` objects with five clients each (no call is made).

Every `Aws` in a process shares botocore's data loader (aws.client.shared_data_loader),
so the service models are parsed once per process, not once per session.

    .venv/bin/python bench/session_bench.py [N ...]

Figures (2026-12-06, 2-core machine, the counts run one after the other in one process):
1 Aws 0.37 s, then 10 more 0.42 s. With a loader per session (before), 10 Aws made in a fresh
process took 2.36 s, against 0.87 s now: about 0.2 s of JSON parsing per session saved.
"""

from __future__ import annotations

import sys
import time

from lambda_release.aws.client import Aws

SERVICES = ("lambda", "cloudformation", "s3", "codedeploy", "cloudwatch")


def main(counts: list[int]) -> None:
    for n in counts:
        start = time.process_time()
        for _ in range(n):
            aws = Aws(region="us-east-1", endpoint_url="http://127.0.0.1:9")
            for service in SERVICES:
                aws.client(service)
        print(f"{n:3d} Aws x {len(SERVICES)} clients: {time.process_time() - start:.2f} s CPU")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 10])
