"""A large embeddings request (2,048 inputs, Azure's maximum) does not stall the other surfaces.

The request takes seconds of CPU; the emulator builds its reply off the event loop, so a discovery
GET sent meanwhile is answered in milliseconds instead of waiting for the whole request.
"""

from __future__ import annotations

import json
import random
import ssl
import subprocess
import sys
import time

import httpx

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import CONTOSO_TENANT_ID
from keyless_lab.emulator.openai.requests import MAX_EMBEDDING_INPUTS

TENANT = CONTOSO_TENANT_ID
# The big request runs in another process, so its client work does not compete with the timed GETs.
BIG_REQUEST = """
import json, ssl, sys, time, httpx
url, key, bundle, body = sys.argv[1], sys.argv[2], sys.argv[3], sys.stdin.buffer.read()
with httpx.Client(verify=ssl.create_default_context(cafile=bundle), timeout=120) as client:
    print("sending", flush=True)
    started = time.perf_counter()
    with client.stream("POST", url, content=body, headers={"api-key": key, "content-type": "application/json"}) as r:
        size = sum(len(chunk) for chunk in r.iter_raw(1 << 20))
    print(json.dumps({"status": r.status_code, "bytes": size, "seconds": time.perf_counter() - started}), flush=True)
"""


def test_discovery_answers_quickly_during_a_maximal_embeddings_request(shared_emulator: EmulatorServer) -> None:
    server = shared_emulator
    words = random.Random(7)
    vocabulary = [f"term{n}" for n in range(20_000)]
    inputs = [" ".join(words.choice(vocabulary) for _ in range(100)) for _ in range(MAX_EMBEDDING_INPUTS)]
    url = f"{server.urls.openai_endpoint}openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21"
    discovery = f"/{TENANT}/v2.0/.well-known/openid-configuration"
    latencies = []
    with httpx.Client(
        base_url=server.urls.authority_host,
        verify=ssl.create_default_context(cafile=str(server.tls.bundle)),
        timeout=60,
    ) as http:
        assert http.get(discovery).status_code == 200  # connected and warm before the big request starts
        key = server.state.openai_keys.as_dict()["key1"]
        big = subprocess.Popen(
            [sys.executable, "-c", BIG_REQUEST, url, key, str(server.tls.bundle)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert big.stdin is not None and big.stdout is not None
        big.stdin.write(json.dumps({"input": inputs}).encode())
        big.stdin.close()
        assert big.stdout.readline() == b"sending\n"
        while big.poll() is None:
            started = time.perf_counter()
            assert http.get(discovery).status_code == 200
            latencies.append(time.perf_counter() - started)
            time.sleep(0.02)
    outcome = json.loads(big.stdout.read())
    assert outcome["status"] == 200 and outcome["bytes"] > 60_000_000  # 2,048 vectors of 1,536 floats

    # Measured on a loaded 2-core machine: the request runs 6-10 s; GETs take 4-6 ms (median), 20-45 ms
    # (the slowest but one) and one of 60-190 ms, which is a full pass of Python's cyclic garbage
    # collector over this test process (with `gc.disable()` the slowest GET took 30 ms). On the event
    # loop, one GET waited for the whole request (6.7 s of 6.9 s). The bounds leave room for load.
    latencies.sort()
    median, p90 = latencies[len(latencies) // 2], latencies[len(latencies) * 9 // 10]
    print(
        f"embeddings {outcome['seconds']:.1f} s; {len(latencies)} GETs: median {median * 1000:.1f} ms, "
        f"90th percentile {p90 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms"
    )
    assert len(latencies) >= 5
    assert p90 < 0.1
    assert latencies[-1] < outcome["seconds"] / 4
