"""Shared parts of the reliability tests (tests/reliability/*.py): the real `tanhui serve` as a
child process on 127.0.0.1 with an ephemeral port, its resident memory, raw and keep-alive HTTP
clients, and the calibrated database they start from. Python 3 standard library only."""
import collections
import functools
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

import zstandard

# Quote requests and answers are stored compressed (data/store/stored_text.hpp): a BLOB of a
# version byte and a zstd frame made with that version's dictionary; rows written before are TEXT.
_DICTIONARIES = {1: os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "store",
                                 "stored_text_v1.dict")}


@functools.lru_cache(maxsize=None)
def _decompressor(version):
    with open(_DICTIONARIES[version], "rb") as f:
        d = zstandard.ZstdCompressionDict(f.read(), dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    return zstandard.ZstdDecompressor(dict_data=d)


def stored_text(value):
    """The text of a quotes.request or quotes.response value as sqlite3 returns it."""
    if isinstance(value, str):
        return value
    return _decompressor(value[0]).decompress(bytes(value[1:])).decode("utf-8")

LOOPBACK = "127.0.0.1"


def fail(message):
    print("FAIL: " + message, flush=True)
    sys.exit(1)


def calibrated_db(binary, path):
    """A database built from data/historical and calibrated (the model quotes use), made once per
    build folder and copied by each test: calibration costs seconds."""
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".tmp-%d" % os.getpid()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(tmp + suffix):
                os.remove(tmp + suffix)
        subprocess.run([binary, "--db", tmp, "calibrate"], check=True, stdout=subprocess.DEVNULL)
        os.replace(tmp, path)
    return path


def copy_db(src, dst):
    shutil.copyfile(src, dst)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(dst + suffix):
            os.remove(dst + suffix)


# How every server under test runs: 2 handler threads and 2 I/O threads.
SERVE_ARGS = ("--threads", "2", "--io-threads", "2")


def shared_calibrated_db(binary, work):
    """The calibrated database the tests share: ctest's calibrated_db fixture, named by
    $TANHUI_CALIBRATED_DB (tests/CMakeLists.txt); a test run by hand makes one beside its work
    folder on first use."""
    shared = os.environ.get("TANHUI_CALIBRATED_DB")
    if shared and os.path.isfile(shared):
        return shared
    return calibrated_db(binary, os.path.join(work, "..", "calibrated.db"))


def working_db(binary, work, name):
    """A fresh copy of the shared calibrated database, WORK/NAME; WORK is made if missing."""
    os.makedirs(work, exist_ok=True)
    db = os.path.join(work, name)
    copy_db(shared_calibrated_db(binary, work), db)
    return db


class Server:
    """`tanhui --db DB serve --port 0 ARGS` with stderr read by a thread: the port from the
    `listening on` line, every log line kept (the access log and events)."""

    def __init__(self, binary, db, args=(), preexec_fn=None, user=None, group=None, env=None):
        self.cmd = [binary, "--db", db, "serve", "--port", "0"] + list(args)
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, preexec_fn=preexec_fn, user=user, group=group,
                                     env=env)
        self.port = None
        self.events = []  # {"level", "message"} lines
        self.statuses = collections.Counter()  # from the access log
        self.tail = collections.deque(maxlen=50)
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not self._ready.wait(120) or self.port is None:
            self.proc.kill()
            fail("the server did not start: %s\n%s" % (self.cmd, "\n".join(self.tail)))

    def _read(self):
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.tail.append(line)
            if self.port is None and "listening on http://" in line:
                self.port = int(line.rsplit(":", 1)[1].strip().rstrip("/"))
                self._ready.set()
                continue
            if line.startswith("{"):
                try:
                    j = json.loads(line)
                except ValueError:
                    continue
                if "level" in j:
                    self.events.append(j)
                elif "status" in j:
                    self.statuses[j["status"]] += 1
        self._ready.set()

    def alive(self):
        return self.proc.poll() is None

    def rss_mib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
        return float("nan")

    def errors(self):
        return [e for e in self.events if e.get("level") == "error"]

    def stop(self, timeout=40):
        """SIGTERM, then the exit code (graceful stop: 0)."""
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
            fail("the server did not stop within %d s of SIGTERM" % timeout)
        self._reader.join(10)
        return code

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self._reader.join(10)


class Keepalive:
    """One keep-alive connection (http.client); reconnects when the server closed it."""

    def __init__(self, port, timeout=60):
        self.port, self.timeout = port, timeout
        self.conn = None

    def request(self, method, target, body=None, headers=None):
        h = {"Host": LOOPBACK}
        if body is not None:
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, target, body=body, headers=h)
                r = self.conn.getresponse()
                data = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.close()
                return r.status, r.getheader("Content-Type", ""), data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server closed in the meantime: one fresh try.
                self.close()
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def raw_exchange(port, data, half_close=True, timeout=30):
    """Sends bytes on a new connection, half-closes, reads to the end; returns (status or None,
    content type, whole answer). None: the server closed without an answer."""
    with socket.create_connection((LOOPBACK, port), timeout=timeout) as s:
        try:
            s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered early (413, 431) and closed its side
        chunks = []
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
        except ConnectionResetError:
            pass
    answer = b"".join(chunks)
    return parse_status(answer), content_type(answer), answer


def parse_status(answer):
    if not answer.startswith(b"HTTP/1."):
        return None
    try:
        return int(answer.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def content_type(answer):
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-type":
            return value.strip()
    return ""


def percentile(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def integrity(db):
    with sqlite3.connect(db) as c:
        return c.execute("PRAGMA integrity_check").fetchone()[0]


def stored_quote_ids(db):
    with sqlite3.connect(db) as c:
        return {r[0] for r in c.execute("SELECT quote_id FROM quotes")}


def index_quote(policy="SOAK-1", years=1000, seed=20270101):
    return {
        "product": "index_insurance",
        "policy": {"id": policy, "start": "2027-01-01", "term_months": 12},
        "holdings": [{"id": "xinluo-fir-1", "region": "350802", "forest_type": "chinese_fir",
                      "area_ha": 2000, "age_years": 18}],
        "cover": {"perils": ["fire", "pest"], "form": "per_tonne", "price_cny_per_tco2e": 20,
                  "deductible_tco2e": 500, "limit_cny": 2000000},
        "premium": {"principle": "std_dev", "parameter": 0.25, "expense_ratio": 0.15},
        "simulation": {"years": years, "seed": seed},
    }


def price_quote(policy="SOAK-P"):
    return {
        "product": "price_insurance",
        "policy": {"id": policy, "start": "2027-01-01", "term_months": 12},
        "cover": {"market": "FJEA", "quantity_tco2e": 100000, "target_price_cny": 15.0,
                  "fixings": "monthly", "method": "risk_neutral", "engine": "turnbull_wakeman"},
        "premium": {"principle": "expected_value", "parameter": 0.1, "expense_ratio": 0.15},
        "simulation": {"years": 1000, "seed": 1},
        "model": {"price": {"spot": 15.5, "volatility": 0.35}},
    }
