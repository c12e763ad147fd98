#!/usr/bin/python3
"""Every example in api/openapi.yaml validates against its schema, every request example is
accepted by a running `tanhui serve` (issue 6, item 7), and every answer the server gives here
(to the request examples, to every GET route without parameters, and to bad requests) validates
against the schema the spec gives for its route, status and media type (issue 18, item 1).

Usage: openapi_examples.py path/to/tanhui path/to/openapi.yaml
Schemas are OpenAPI 3.0 (a JSON Schema subset); $ref to #/components/... are resolved here.
"""
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

import jsonschema
import yaml


def resolve(node, spec):
    """The node with every {"$ref": "#/..."} replaced by its target, recursively."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = spec
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return resolve(target, spec)
        out = {k: resolve(v, spec) for k, v in node.items()}
        # OpenAPI 3.0's nullable: true is JSON Schema's type [T, "null"].
        if out.pop("nullable", False) and isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        return out
    if isinstance(node, list):
        return [resolve(v, spec) for v in node]
    return node


def examples_of(spec):
    """(where, schema, example, method, path, is_request) for every example under paths."""
    for path, item in spec["paths"].items():
        for method, op in item.items():
            op = resolve(op, spec)
            body = op.get("requestBody", {}).get("content", {})
            for ctype, media in body.items():
                if "example" in media:
                    yield (f"{method.upper()} {path} request {ctype}", media.get("schema"), media["example"], method, path, True)
            for status, response in op.get("responses", {}).items():
                for ctype, media in response.get("content", {}).items():
                    if "example" in media:
                        yield (f"{method.upper()} {path} {status} {ctype}", media.get("schema"), media["example"], method, path, False)


# examples/quotes requests and the route each is sent to.
EXAMPLE_ROUTES = {
    "longyan-index": "/v1/quotes", "longyan-index-fire-pest": "/v1/quotes",
    "nanping-price": "/v1/quotes", "sanming-revenue": "/v1/quotes",
    "gaochun-sink": "/v1/quotes", "longli-growth": "/v1/quotes",
    "buffer": "/v1/risk/buffer", "burning-cost": "/v1/experience/burning-cost",
    "credibility": "/v1/experience/credibility", "damage": "/v1/valuations/damage",
    "layer": "/v1/reinsurance/layer", "layer-table": "/v1/reinsurance/layer", "metrics": "/v1/risk/metrics",
}


def check_answer(spec, method, path, status, ctype, body, failures):
    """The answer against its route's schema for `status` (or "default"); a status the route
    does not list is a failure, a listed one without a JSON schema is not checked."""
    op = resolve(spec["paths"][path][method], spec)
    responses = op.get("responses", {})
    response = responses.get(str(status), responses.get("default"))
    where = f"{method.upper()} {path} answered {status}"
    if response is None:
        failures.append(f"{where}, a status api/openapi.yaml does not list for it")
        return
    media = response.get("content", {}).get(ctype.split(";")[0].strip())
    if media is None:
        failures.append(f"{where} as {ctype}, a media type api/openapi.yaml does not list for it")
        return
    if "schema" not in media or not ctype.startswith("application/") or "json" not in ctype:
        return
    try:
        jsonschema.Draft4Validator(media["schema"]).validate(json.loads(body))
    except (jsonschema.ValidationError, ValueError) as e:
        failures.append(f"{where}: the answer does not match its schema: {getattr(e, 'message', e)}")


def call(port, method, path, target, body, failures, spec):
    """One request; its answer checked against the spec. Returns (status, body)."""
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(f"http://127.0.0.1:{port}{target}", method=method.upper(), data=data,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=300) as r:
            status, ctype, text = r.status, r.headers.get("Content-Type", ""), r.read().decode()
    except urllib.error.HTTPError as e:
        status, ctype, text = e.code, e.headers.get("Content-Type", ""), e.read().decode()
    check_answer(spec, method, path, status, ctype, text, failures)
    return status, text


def main():
    tanhui, spec_path = sys.argv[1], sys.argv[2]
    with open(spec_path, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    failures = []
    examples = list(examples_of(spec))
    for where, schema, example, *_ in examples:
        if schema is None:
            continue
        try:
            # OpenAPI 3.0 schemas use draft-4 keywords (exclusiveMinimum: true).
            jsonschema.Draft4Validator(schema).validate(example)
        except jsonschema.ValidationError as e:
            failures.append(f"{where}: example does not match its schema: {e.message}")

    # The golden quote requests (every product, engine and model override, tests/golden/requests)
    # match the request schema: the overrides' members are typed, so a decoder field the spec
    # lacks, or a bound it states differently, shows here.
    golden_dir = os.path.join(os.path.dirname(os.path.abspath(spec_path)), "..", "tests", "golden", "requests")
    request_schema = resolve(spec["components"]["schemas"]["QuoteRequest"], spec)
    products = set(request_schema["properties"]["product"]["enum"])
    golden_checked = 0
    for name in sorted(os.listdir(golden_dir)):
        with open(os.path.join(golden_dir, name), encoding="utf-8") as f:
            body = json.load(f)
        for i, request in enumerate(body if isinstance(body, list) else [body]):
            if not isinstance(request, dict) or request.get("product") not in products:
                continue
            golden_checked += 1
            try:
                jsonschema.Draft4Validator(request_schema).validate(request)
            except jsonschema.ValidationError as e:
                failures.append(f"tests/golden/requests/{name}[{i}]: does not match QuoteRequest: {e.message}")

    # Request examples against the real server (local mode, loopback, a fresh database).
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, TANHUI_DB=os.path.join(tmp, "openapi.db"))
        server = subprocess.Popen([tanhui, "serve", "--listen", "127.0.0.1", "--port", "0"],
                                  env=env, stderr=subprocess.PIPE, text=True)
        try:
            port = None
            for line in server.stderr:
                if "listening on http://" in line:
                    port = int(line.rsplit(":", 1)[1].strip().rstrip("/"))
                    break
            if port is None:
                print("openapi_examples: the server did not start")
                return 1
            answers = 0
            quote_id = None
            for where, _, example, method, path, is_request in examples:
                if not is_request or "{" in path:
                    continue
                status, text = call(port, method, path, path, example, failures, spec)
                answers += 1
                if status >= 300:
                    failures.append(f"{where}: the server answered {status}: {text[:300]}")
                elif path == "/v1/quotes":
                    quote_id = json.loads(text).get("quote_id")
                # The same example, broken: a problem answer (400) of the route.
                call(port, method, path, path, b"{", failures, spec)
                answers += 1
            # Every GET route without a path parameter; the stored quote by id and replayed.
            for path, item in spec["paths"].items():
                if "get" in item and "{" not in path:
                    call(port, "get", path, path, None, failures, spec)
                    call(port, "get", path, path + "?no_such_parameter=1", None, failures, spec)
                    answers += 2
            if quote_id:
                call(port, "get", "/v1/quotes/{id}", f"/v1/quotes/{quote_id}", None, failures, spec)
                call(port, "post", "/v1/quotes/{id}/replay", f"/v1/quotes/{quote_id}/replay", None, failures, spec)
                call(port, "get", "/v1/quotes/{id}", "/v1/quotes/no-such-quote", None, failures, spec)
                answers += 3
            # Every request of examples/quotes, to its route: each product's quote answer.
            examples_dir = os.path.join(os.path.dirname(os.path.abspath(spec_path)), "..", "examples", "quotes")
            for name, path in EXAMPLE_ROUTES.items():
                with open(os.path.join(examples_dir, name + ".json"), encoding="utf-8") as f:
                    body = json.load(f)
                status, text = call(port, "post", path, path, body, failures, spec)
                answers += 1
                if status != 200:
                    failures.append(f"examples/quotes/{name}.json to {path}: the server answered {status}: {text[:300]}")
            call(port, "get", "/v1/markets/{market}/prices", "/v1/markets/FJEA/prices?to=2017-01-31", None, failures, spec)
            call(port, "get", "/v1/history/{kind}", "/v1/history/fire?region=35", None, failures, spec)
            answers += 2
            print(f"openapi answers: {answers} server answers checked against their schemas")
        finally:
            server.terminate()
            server.wait(timeout=60)
    for f in failures:
        print(f)
    checked = len(examples)
    print(f"openapi examples: {checked} checked and {golden_checked} golden quote requests, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
