#!/usr/bin/python3
"""Every example in api/openapi.yaml validates against its schema, and every request example
is accepted by a running `tanhui serve` (issue 6, item 7).

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
            for where, _, example, method, path, is_request in examples:
                if not is_request or "{" in path:
                    continue
                req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method.upper(),
                                             data=json.dumps(example).encode(),
                                             headers={"Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(req, timeout=300) as r:
                        if r.status >= 300:
                            failures.append(f"{where}: the server answered {r.status}")
                except urllib.error.HTTPError as e:
                    failures.append(f"{where}: the server answered {e.code}: {e.read().decode()[:300]}")
        finally:
            server.terminate()
            server.wait(timeout=60)
    for f in failures:
        print(f)
    checked = len(examples)
    print(f"openapi examples: {checked} checked, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
