#!/usr/bin/env python3
"""A battery of hostile inputs against a release build of `chatda serve` on loopback.

Starts its own server (3,000 + 3,000 demo rows, admin key set) on a temporary data
directory, sends every input below (and the issue's list), watches the server's RSS
throughout, then checks that writes accepted with 200 are searchable after a reindex and
swap, and that SIGTERM ends the process cleanly. Prints a summary; exits 1 on any 5xx,
abort, RSS over 1 GB or lost write.

    python3 scripts/battery.py [path/to/chatda]      # default target/release/chatda
Standard library only.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/chatda"
PORT = 7793
KEY = "battery-admin-key"
RSS_LIMIT_MB = 1024

peak_rss_kb = 0
results = []  # (name, status)


def rss_watch(pid, stop):
    global peak_rss_kb
    while not stop.is_set():
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS"):
                        peak_rss_kb = max(peak_rss_kb, int(line.split()[1]))
        except FileNotFoundError:
            return
        time.sleep(0.1)


def request(method, path, body=None, headers=None, auth=True, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout)
    h = {"content-type": "application/json"}
    if auth:
        h["authorization"] = f"Bearer {KEY}"
    h.update(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body, ensure_ascii=False)
    if isinstance(body, str):
        body = body.encode()
    try:
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        return r.status, data
    finally:
        conn.close()


def case(name, method, path, body=None, expect=None, **kw):
    try:
        status, data = request(method, path, body, **kw)
    except Exception as e:  # connection reset or refused: the server may be gone
        status, data = 0, str(e).encode()
    results.append((name, status))
    if status >= 500 or status == 0:
        print(f"  FAIL {name}: {status} {data[:200]!r}")
    elif expect is not None and status != expect:
        print(f"  note {name}: expected {expect}, got {status} {data[:160]!r}")
    return status, data


def hostile_inputs():
    s = "/v1/indexes/concerts/search"
    a = "/v1/indexes/concerts/aggregate"
    t = "/v1/indexes/tickets/aggregate"
    big = 10**12
    aggs = {
        "top_hits huge": {"x": {"top_hits": {"size": big, "sort": [{"price_min": "desc"}]}}},
        "top_hits 2^62": {"x": {"top_hits": {"size": 2**62}}},
        "top_hits from huge": {"x": {"top_hits": {"size": 1, "from": big}}},
        "top_hits text sort": {"x": {"top_hits": {"size": 1, "sort": [{"title": "asc"}]}}},
        "top_hits glob": {"x": {"top_hits": {"size": 1, "docvalue_fields": ["*"]}}},
        "nested top_hits": {"g": {"terms": {"field": "genre"}, "aggs": {"x": {"top_hits": {"size": big}}}}},
        "composite": {"x": {"composite": {"sources": [{"t": {"terms": {"field": "title"}}}]}}},
        "multi_terms": {"x": {"multi_terms": {"terms": [{"field": "title"}, {"field": "genre"}]}}},
        "filter agg": {"x": {"filter": {"query_string": "*:*"}}},
        "empty ranges": {"x": {"range": {"field": "price_min", "ranges": []}}},
        "calendar on number": {"x": {"date_histogram": {"field": "price_min", "calendar_interval": "month"}}},
        "fixed 1ms": {"x": {"date_histogram": {"field": "start_date", "fixed_interval": "1ms"}}},
        "fixed garbage": {"x": {"date_histogram": {"field": "start_date", "fixed_interval": "soon"}}},
        "both intervals": {"x": {"date_histogram": {"field": "start_date", "fixed_interval": "1d", "calendar_interval": "day"}}},
        "histogram 0": {"x": {"histogram": {"field": "price_min", "interval": 0}}},
        "histogram tiny": {"x": {"histogram": {"field": "price_min", "interval": 1e-9}}},
        "histogram bounds": {"x": {"histogram": {"field": "price_min", "interval": 1, "extended_bounds": {"min": 0, "max": 1e15}}}},
        "terms huge": {"x": {"terms": {"field": "genre", "size": 2**32 - 1}}},
        "terms negative": {"x": {"terms": {"field": "genre", "size": -1}}},
        "percentiles bad": {"x": {"percentiles": {"field": "price_min", "percents": [150, -3]}}},
        "timezone typo": {"x": {"date_histogram": {"field": "start_date", "calendar_interval": "day", "timezone": "+09:00"}}},
        "time_zone bogus": {"x": {"date_histogram": {"field": "start_date", "calendar_interval": "day", "time_zone": "Mars/Base"}}},
        "two kinds": {"x": {"terms": {"field": "genre"}, "avg": {"field": "price_min"}}},
        "not an object": {"x": 5},
        "unknown field": {"x": {"terms": {"field": "nope"}}},
        "no field": {"x": {"terms": {}}},
        "sigma": {"x": {"extended_stats": {"field": "price_min", "sigma": -1}}},
        "cardinality": {"x": {"cardinality": {"field": "genre"}}},
    }
    deep = {"terms": {"field": "genre"}}
    for _ in range(50):
        deep = {"terms": {"field": "genre"}, "aggs": {"i": deep}}
    aggs["50 deep"] = {"o": deep}
    aggs["200 wide"] = {f"a{i}": {"terms": {"field": "genre"}} for i in range(200)}
    for name, body in aggs.items():
        case(f"aggs {name}", "POST", a, {"aggs": body}, auth=False)
        case(f"aggs {name} (tickets)", "POST", t, {"aggs": body}, auth=False)

    searches = {
        "offset max": {"offset": 2**64 - 1, "limit": 1},
        "offset wrap": {"offset": 2**64 - 6, "limit": 10},
        "offset 2^64": {"offset": 2**64},
        "limit -1": {"limit": -1},
        "limit huge": {"limit": 10**9},
        "min_score nan": '{"min_score": NaN}',
        "min_score 2": {"min_score": 2},
        "q long": {"q": "가" * 10_000},
        "q object": {"q": {"a": 1}},
        "array body": [1, 2, 3],
        "string body": '"hello"',
        "null body": "null",
        "garbage": "{{{{",
        "deep json": "[" * 100_000 + "]" * 100_000,
        "search_after junk": {"search_after": "!!!"},
        "search_after + offset": {"search_after": "x", "offset": 5},
        "sort 10 keys": {"sort": ["price_min"] * 10},
        "sort unknown": {"sort": [{"nope": "asc"}]},
        "fields boost 0": {"fields": {"title": 0}},
        "fields boost inf": '{"fields": {"title": 1e999}}',
        "fuzzy 9": {"fuzzy": 9},
        "filter date garbage": {"filter": {"start_date": {"gte": "yesterday"}}},
        "filter lte bare date": {"filter": {"start_date": {"lte": "2025-12-19"}}},
        "filter tz": {"filter": {"start_date": {"lte": "2025-12-19", "time_zone": "Asia/Seoul"}}},
        "filter tz bad": {"filter": {"start_date": {"lte": "2025-12-19", "time_zone": 9}}},
        "filter not deep": {"filter": {"not": {"not": {"not": {"genre": "콘서트"}}}}},
        "filter huge int": {"filter": {"price_min": {"gte": 2**70}}},
        "filter year 99999": {"filter": {"start_date": {"gte": "99999-01-01"}}},
        "filter last day": {"filter": {"start_date": "9999-12-31"}},
        "time_zone bad": {"time_zone": "Nowhere/Land"},
        "q control chars": {"q": "\u0000\u0001\ufffe"},
        "q only particles": {"q": "을를이가"},
        "q chosung": {"q": "ㅇㅇㅇㅇㅇㅇㅇㅇㅇㅇㅇㅇㅇㅇㅇㅇㅇㅇㅇㅇ"},
        "q emoji": {"q": "🎵🎶" * 100},
        "highlight + aggs": {"q": "공연", "highlight": True, "aggs": {"g": {"terms": {"field": "genre"}}}},
    }
    for name, body in searches.items():
        case(f"search {name}", "POST", s, body, auth=False)

    case("analyze 9.9 MB", "POST", "/v1/analyze", {"text": "여름공연을 봤어요 " * 380_000}, auth=False)
    case("analyze mode bogus", "POST", "/v1/analyze", {"text": "a", "mode": "x"}, auth=False)
    case("analyze array", "POST", "/v1/analyze", [1], auth=False)
    case("suggest limit 0", "GET", "/v1/indexes/concerts/suggest?q=a&limit=0", auth=False)
    case("suggest limit huge", "GET", "/v1/indexes/concerts/suggest?q=a&limit=99999999999999999999", auth=False)
    case("suggest q long", "GET", "/v1/indexes/concerts/suggest?q=" + "a" * 5000, auth=False)
    case("ndjson 1M lines", "POST", "/v1/indexes/concerts/documents", "1\n" * 1_000_000, expect=413)
    case("ndjson 10 MB", "POST", "/v1/indexes/concerts/documents", "1\n" * 5_000_000, expect=413)
    case("ndjson 10k bad", "POST", "/v1/indexes/concerts/documents", "{}\n" * 10_000)
    case("ndjson not utf8", "POST", "/v1/indexes/concerts/documents", b"\xff\xfe\n")
    case("ndjson delete object", "POST", "/v1/indexes/concerts/documents", '{"delete": {"id": 1}}\n')
    case("reindex batch max", "POST", "/v1/indexes/concerts/reindex", {"batch_size": 2**64 - 1})
    case("reindex batch -1", "POST", "/v1/indexes/concerts/reindex", {"batch_size": -1})
    case("reindex array", "POST", "/v1/indexes/concerts/reindex", [1])
    case("rollback fresh", "POST", "/v1/aliases/concerts/rollback", expect=409)
    for v in [999, -5, 0, 2**63 - 1]:
        case(f"swap {v}", "POST", "/v1/aliases/concerts/swap", {"version": v}, expect=409)
    case("swap array", "POST", "/v1/aliases/concerts/swap", [5])
    case("jobs limit huge", "GET", "/v1/jobs?limit=99999999999999999999")
    case("job id huge", "GET", "/v1/jobs/99999999999999999999")
    case("unknown index", "POST", "/v1/indexes/../../etc/search", {}, auth=False)
    case("lowercase bearer", "GET", "/v1/jobs", auth=False, headers={"authorization": f"bearer {KEY}"}, expect=200)
    for i in range(300):
        case(f"method {i}", f"M{i}", "/healthz", auth=False)
    status, data = request("GET", "/metrics", auth=False)
    print(f"  metrics: {len(data)} bytes after 300 unknown methods")

    # 40 concurrent swaps to the live version.
    _, body = request("GET", "/v1/indexes")
    live = next(i for i in json.loads(body)["indexes"] if i["alias"] == "concerts")["live_version"]
    threads = [threading.Thread(target=case, args=(f"concurrent swap {i}", "POST", "/v1/aliases/concerts/swap", {"version": live})) for i in range(40)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()

    # Slow and half-open clients.
    held = []
    for _ in range(100):
        sock = socket.create_connection(("127.0.0.1", PORT))
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        held.append(sock)
    time.sleep(12)  # past the header deadline
    cut = 0
    for sock in held:
        sock.settimeout(1)
        try:
            cut += sock.recv(1) == b""
        except (socket.timeout, ConnectionResetError):
            cut += 1
        sock.close()
    print(f"  slow-header clients cut off: {cut}/100")
    results.append(("slow headers cut", 200 if cut == 100 else 500))


def writes_survive_reindex():
    lines = "\n".join(json.dumps({"id": 900_000 + i, "title": f"배터리 공연 {i}호", "genre": "콘서트"}) for i in range(5))
    status, body = request("POST", "/v1/indexes/concerts/documents", lines)
    assert status == 200, body
    status, body = request("POST", "/v1/indexes/concerts/reindex", {})
    assert status == 202, body
    job = json.loads(body)["job_id"]
    for _ in range(600):
        _, body = request("GET", f"/v1/jobs/{job}")
        state = json.loads(body)["state"]
        if state != "running":
            break
        time.sleep(0.5)
    assert state == "succeeded", body
    found = 0
    for i in range(5):
        _, body = request("POST", "/v1/indexes/concerts/search", {"q": f"배터리 공연 {i}호", "limit": 5}, auth=False)
        found += any(h["id"] == 900_000 + i for h in json.loads(body)["hits"])
    results.append(("accepted writes after reindex + swap", 200 if found == 5 else 500))
    print(f"  accepted writes searchable after reindex + swap: {found}/5")


def main():
    data = tempfile.mkdtemp()
    env = dict(os.environ, CHATDA_DATA_DIR=data, CHATDA_LISTEN=f"127.0.0.1:{PORT}",
               CHATDA_DEMO_CONCERTS="3000", CHATDA_DEMO_TICKETS="3000", CHATDA_ADMIN_KEY=KEY,
               RUST_LOG="error")
    server = subprocess.Popen([BIN, "serve"], env=env)
    stop = threading.Event()
    threading.Thread(target=rss_watch, args=(server.pid, stop), daemon=True).start()
    for _ in range(600):
        try:
            if request("GET", "/readyz", auth=False)[0] == 200:
                break
        except OSError:
            pass
        time.sleep(0.5)
    print("hostile inputs:")
    hostile_inputs()
    print("writes:")
    writes_survive_reindex()
    alive = server.poll() is None
    server.send_signal(signal.SIGTERM)
    code = server.wait(timeout=60)
    stop.set()
    fivexx = [n for n, st in results if st >= 500 or st == 0]
    four = sum(1 for _, st in results if 400 <= st < 500)
    print(f"{len(results)} requests: {four} 4xx, {len(fivexx)} 5xx or dropped; "
          f"alive until SIGTERM: {alive}; exit code {code}; peak RSS {peak_rss_kb // 1024} MB")
    ok = not fivexx and alive and code == 0 and peak_rss_kb // 1024 < RSS_LIMIT_MB
    print("battery:", "passed" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
