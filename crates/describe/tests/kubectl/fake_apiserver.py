#!/usr/bin/env python3
"""A minimal read-only Kubernetes API server for `kubectl describe`.

Serves the objects of one JSON file (`{"pods": [...], "nodes": [...],
"events": [...], "leases": [...], "deployments": [...], "replicasets": [...]}`)
with legacy discovery, GETs by name and LISTs filtered by field selector.
Used by `tests/kubectl_compare.rs` (ignored by default) to diff our renderer
against a real kubectl binary. Prints the port it listens on, then serves.

Usage: fake_apiserver.py WORLD.json
"""

import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WORLD = {}
WORLD_PATH = ""

RESOURCES = {
    # plural: (group/version, kind, namespaced, world key)
    "pods": ("v1", "Pod", True, "pods"),
    "nodes": ("v1", "Node", False, "nodes"),
    "events": ("v1", "Event", True, "events"),
    "namespaces": ("v1", "Namespace", False, None),
    "deployments": ("apps/v1", "Deployment", True, "deployments"),
    "replicasets": ("apps/v1", "ReplicaSet", True, "replicasets"),
    "leases": ("coordination.k8s.io/v1", "Lease", True, "leases"),
}


def resource_list(gv):
    out = []
    for plural, (rgv, kind, namespaced, _) in RESOURCES.items():
        if rgv != gv:
            continue
        out.append({
            "name": plural, "singularName": kind.lower(), "namespaced": namespaced,
            "kind": kind, "verbs": ["get", "list"],
            "shortNames": {"pods": ["po"], "nodes": ["no"], "deployments": ["deploy"],
                           "replicasets": ["rs"], "events": ["ev"]}.get(plural, []),
        })
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": out}


def group(name, version):
    gv = f"{name}/{version}"
    return {"name": name, "versions": [{"groupVersion": gv, "version": version}],
            "preferredVersion": {"groupVersion": gv, "version": version}}


def field(obj, path):
    cur = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(part, "")
    return cur if cur is not None else ""


def matches_fields(obj, selector):
    if not selector:
        return True
    for term in selector.split(","):
        if "!=" in term:
            k, v = term.split("!=", 1)
            if str(field(obj, k)) == v:
                return False
        elif "=" in term:
            k, v = term.split("=", 1)
            k = k.rstrip("=")
            if str(field(obj, k)) != v:
                return False
    return True


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):  # quiet
        pass

    def send(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        global WORLD
        # Re-read on every request so a test can rewrite the world between runs.
        with open(WORLD_PATH) as f:
            WORLD = json.load(f)
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        parts = [p for p in url.path.split("/") if p]
        if parts == ["api"]:
            return self.send(200, {"kind": "APIVersions", "versions": ["v1"],
                                   "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})
        if parts == ["apis"]:
            return self.send(200, {"kind": "APIGroupList", "apiVersion": "v1",
                                   "groups": [group("apps", "v1"), group("coordination.k8s.io", "v1")]})
        if parts == ["api", "v1"]:
            return self.send(200, resource_list("v1"))
        if len(parts) == 3 and parts[0] == "apis":
            return self.send(200, resource_list(f"{parts[1]}/{parts[2]}"))
        if parts[:2] == ["api", "v1"]:
            gv, rest = "v1", parts[2:]
        elif parts and parts[0] == "apis" and len(parts) >= 3:
            gv, rest = f"{parts[1]}/{parts[2]}", parts[3:]
        else:
            return self.send(404, status(404, "NotFound", "the server could not find the requested resource"))
        ns = None
        if len(rest) >= 2 and rest[0] == "namespaces" and len(rest) != 2:
            ns, rest = rest[1], rest[2:]
        if not rest or rest[0] not in RESOURCES:
            return self.send(404, status(404, "NotFound", "the server could not find the requested resource"))
        plural = rest[0]
        rgv, kind, namespaced, key = RESOURCES[plural]
        items = WORLD.get(key, []) if key else []
        if ns is not None:
            items = [o for o in items if o.get("metadata", {}).get("namespace", "") == ns]
        group_name = rgv.split("/")[0] if "/" in rgv else ""
        if len(rest) == 2:
            name = rest[1]
            for o in items:
                if o.get("metadata", {}).get("name") == name:
                    o = dict(o)
                    o.setdefault("apiVersion", rgv)
                    o.setdefault("kind", kind)
                    return self.send(200, o)
            res = f"{plural}.{group_name}" if group_name else plural
            return self.send(404, status(404, "NotFound", f'{res} "{name}" not found'))
        sel = q.get("fieldSelector", [""])[0]
        items = [o for o in items if matches_fields(o, sel)]
        return self.send(200, {"kind": kind + "List", "apiVersion": rgv,
                               "metadata": {"resourceVersion": "1"}, "items": items})


def main():
    global WORLD_PATH
    WORLD_PATH = sys.argv[1]
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
