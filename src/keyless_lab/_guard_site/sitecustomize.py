"""Turn on the keyless-lab network guard in this Python process when KEYLESS_LAB_NETGUARD=1.

This directory is put on PYTHONPATH by the test suite and `keyless-lab run`, so notebook kernels,
`az`/`azd` shims and any other Python subprocess inherit the guard.
"""

import os

if os.environ.get("KEYLESS_LAB_NETGUARD") == "1":
    from keyless_lab import netguard

    netguard.install()
