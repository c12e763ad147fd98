#!/usr/bin/env python3
"""The tests' shared calibrated database, made afresh (ctest fixture calibrated_db, used by the API
and reliability tests): built from data/historical and calibrated by the tanhui under test.

    make_database.py TANHUI_BINARY PATH"""
import os
import sys
import time

import harness

binary, path = sys.argv[1], sys.argv[2]
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(path + suffix):
        os.remove(path + suffix)
t0 = time.monotonic()
harness.calibrated_db(binary, path)
print("calibrated database %s in %.1f s" % (path, time.monotonic() - t0))
