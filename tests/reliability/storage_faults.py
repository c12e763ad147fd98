#!/usr/bin/env python3
"""Storage faults under the real `tanhui serve`, made by the operating system, not mocked:
  disk full  - the server runs with RLIMIT_FSIZE at 32 KiB (SIGXFSZ ignored), so that SQLite's
               writes past 32 KiB of any file fail with EFBIG, as on a full disk;
  read-only  - the database file is chmod 0444 and the server runs as an unprivileged user
               (nobody, when the test runs as root, since root ignores file modes).
In both: /healthz, market data and stored quotes still read 200; every quote request is answered
200 (then it is stored) or 503 problem+json naming the cause with Retry-After (then nothing of it
is stored), never a 500; and after a restart on a healthy disk `PRAGMA integrity_check` is ok,
every acknowledged quote reads back, no row is stored in part, and quotes are stored again.

    storage_faults.py TANHUI_BINARY WORK_DIR"""
import argparse
import json
import os
import pwd
import resource
import shutil
import signal
import sqlite3
import tempfile

import harness
import zstandard
from harness import fail

ap = argparse.ArgumentParser()
ap.add_argument("binary")
ap.add_argument("work")
ap.add_argument("--sanitized", action="store_true")
args = ap.parse_args()
calibrated = harness.shared_calibrated_db(args.binary, args.work)
FSIZE = 32 * 1024  # the WAL index (-shm) needs its first 32 KiB; the WAL gets a few pages
problems = []
figures = {}


def check(cond, message):
    if not cond:
        problems.append(message)
    return cond


def quote(k, policy):
    st, ct, body = k.request("POST", "/v1/quotes", json.dumps(harness.price_quote(policy)))
    return st, ct, body, (json.loads(body)["quote_id"] if st == 200 else None), k


def post_raw(port, policy):
    """A quote on its own connection, returning the status, content type, headers and body."""
    import http.client
    c = http.client.HTTPConnection(harness.LOOPBACK, port, timeout=60)
    c.request("POST", "/v1/quotes", body=json.dumps(harness.price_quote(policy)),
              headers={"Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, r.getheader("Content-Type", ""), r.getheader("Retry-After"), data


def reads_work(port, ids, label):
    k = harness.Keepalive(port)
    ok = True
    for target in ["/healthz", "/v1/markets", "/v1/markets/FJEA/prices?from=2024-01-01", "/v1/models/current"] + \
            ["/v1/quotes/" + i for i in ids]:
        st = k.request("GET", target)[0]
        ok &= check(st == 200, "%s: GET %s answered %d" % (label, target, st))
    k.close()
    return ok


def scenario(name, prepare, server_kwargs, restore, expect_words, work=None, binary=None):
    work = work or os.path.join(args.work, name)
    binary = binary or args.binary
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    db = os.path.join(work, "tanhui.db")
    harness.copy_db(calibrated, db)

    # 1. A healthy server stores two quotes, and stops cleanly (the WAL is checkpointed).
    s = harness.Server(args.binary, db, harness.SERVE_ARGS)
    acked = []
    k = harness.Keepalive(s.port)
    for i in range(2):
        st, _, body, qid, _ = quote(k, "%s-before-%d" % (name, i))
        check(st == 200, "%s: a quote before the fault: %d %s" % (name, st, body[:300]))
        if qid:
            acked.append(qid)
    k.close()
    check(s.stop() == 0, "%s: the healthy server did not exit 0" % name)

    # 2. The fault.
    prepare(work, db)
    s = harness.Server(binary, db, harness.SERVE_ARGS, **server_kwargs)
    reads_work(s.port, acked, name + " (fault, before writes)")
    statuses, refused = [], []
    for i in range(30):
        st, ctype, retry_after, body = post_raw(s.port, "%s-during-%d" % (name, i))
        statuses.append(st)
        if st == 200:
            acked.append(json.loads(body)["quote_id"])
            continue
        refused.append(st)
        if st != 503 or ctype != "application/problem+json":
            if len(refused) == 1 or refused[-2] == 503:  # the first of a run of bad answers
                check(False, "%s: a write answered %d %s %s" % (name, st, ctype, body[:300]))
            continue
        if True:
            p = json.loads(body)
            check(p.get("status") == 503 and any(w in p.get("detail", "") for w in expect_words),
                  "%s: the 503 does not name the cause: %s" % (name, p.get("detail")))
            check(retry_after is not None, "%s: a 503 without Retry-After" % name)
            figures.setdefault(name, {})["detail"] = p.get("detail", "")[:90]
    check(refused and all(x == 503 for x in statuses[-10:]),
          "%s: the writes were not refused: %s" % (name, statuses))
    reads_work(s.port, acked, name + " (fault, after refused writes)")
    check(s.alive(), "%s: the server died under the fault" % name)
    five_hundreds = s.statuses.get(500, 0)
    check(five_hundreds == 0, "%s: %d answers 500" % (name, five_hundreds))
    code = s.stop()
    figures.setdefault(name, {}).update({
        "writes": len(statuses), "answered_200": statuses.count(200), "answered_503": statuses.count(503),
        "other": len([x for x in statuses if x not in (200, 503)]), "server_500s": five_hundreds,
        "exit_code_after_sigterm": code})

    # 3. Healthy again: integrity, every acknowledged quote, no row in part, writes work.
    restore(work, db)
    s = harness.Server(args.binary, db, harness.SERVE_ARGS)
    reads_work(s.port, acked, name + " (after restart)")
    k = harness.Keepalive(s.port)
    st, _, body, qid, _ = quote(k, name + "-after")
    check(st == 200, "%s: a quote after the fault was lifted: %d %s" % (name, st, body[:300]))
    k.close()
    check(s.stop() == 0, "%s: the restarted server did not exit 0" % name)
    result = harness.integrity(db)
    check(result == "ok", "%s: integrity_check: %s" % (name, result))
    with sqlite3.connect(db) as c:
        rows = c.execute("SELECT quote_id, request, response FROM quotes").fetchall()
    stored = {r[0] for r in rows}
    missing = [i for i in acked if i not in stored]
    check(not missing, "%s: acknowledged quotes missing: %s" % (name, missing))
    for qid_, req, resp in rows:
        try:
            req, resp = harness.stored_text(req), harness.stored_text(resp)
            check(json.loads(resp)["quote_id"] == qid_ and json.loads(req)["policy"]["id"], "%s: row %s" % (name, qid_))
        except (ValueError, KeyError, TypeError, IndexError, zstandard.ZstdError):
            check(False, "%s: quote %s is stored in part" % (name, qid_))
    figures[name].update({"acknowledged": len(acked), "stored_after_restart": len(stored),
                          "integrity_check": result})


# ---- disk full ---------------------------------------------------------------------------------
def file_size_limit():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (FSIZE, FSIZE))


scenario("disk_full", lambda work, db: None, {"preexec_fn": file_size_limit}, lambda work, db: None,
         ["full", "I/O error"])

# ---- read-only database ------------------------------------------------------------------------
as_root = os.geteuid() == 0
nobody = pwd.getpwnam("nobody") if as_root else None


def make_read_only(work, db):
    os.chmod(db, 0o444)
    if as_root:
        # root ignores file modes: run the server as nobody, who owns the folder (so that SQLite
        # can make its -wal and -shm files there) but may only read the database.
        os.chmod(work, 0o755)
        os.chown(work, nobody.pw_uid, nobody.pw_gid)
        os.chown(db, nobody.pw_uid, nobody.pw_gid)


def make_writable(work, db):
    if as_root:
        for f in os.listdir(work):
            os.chown(os.path.join(work, f), 0, 0)
        os.chown(work, 0, 0)
    os.chmod(db, 0o644)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.chmod(db + suffix, 0o644)


ro_kwargs = {"user": nobody.pw_uid, "group": nobody.pw_gid} if as_root else {}
ro_work, ro_binary = None, None
if as_root:
    # nobody must reach the binary and the database: the build folder may sit below a folder only
    # root may enter (a clone made in `mktemp -d`, mode 0700), so both are staged in a folder of
    # their own under /tmp (mode 1777, which anyone may enter), removed afterwards.
    ro_stage = tempfile.mkdtemp(prefix="tanhui-read-only-", dir="/tmp")
    os.chmod(ro_stage, 0o755)
    ro_binary = os.path.join(ro_stage, "tanhui")
    shutil.copy2(args.binary, ro_binary)
    os.chmod(ro_binary, 0o755)
    ro_work = os.path.join(ro_stage, "read_only")
try:
    scenario("read_only", make_read_only, ro_kwargs, make_writable, ["read-only"], ro_work, ro_binary)
finally:
    if as_root:
        shutil.rmtree(ro_stage, ignore_errors=True)
figures["read_only"]["server_user"] = "nobody" if as_root else pwd.getpwuid(os.geteuid()).pw_name

print("storage fault figures: " + json.dumps(figures), flush=True)
if problems:
    fail("\n".join(problems))
print("storage faults: ok", flush=True)
