#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A stand-in Kubernetes API server for the node agent's tests.

It serves what the agent reads (Nodes, Services, EndpointSlices, Pods) as
the API documents list and watch
(https://kubernetes.io/docs/reference/using-api/api-concepts/):

- list: {"kind": "XList", "metadata": {"resourceVersion", "continue"},
  "items"}, items without kind and apiVersion; "limit" and "continue"
  page it; a continue token older than the compaction answers 410 Gone.
- watch (?watch=1&resourceVersion=RV): chunked, one JSON event per line
  ({"type": ADDED|MODIFIED|DELETED|BOOKMARK|ERROR, "object"}), the events
  after RV; with allowWatchBookmarks a BOOKMARK every --bookmark seconds;
  the stream ends after timeoutSeconds. An RV older than the compaction:
  HTTP 200 and one ERROR event with a Status of code 410 (reason Expired),
  as the real server answers.
- a bearer token (--token) or 401; TLS with --cert/--key.

The test drives it over POST:
  /_test/objects   body: objects (a stream of JSON values or Lists, as
                   "kubectl ... -o json" prints): the cluster becomes
                   exactly these; the differences are the events.
                   ?merge: these are added or replaced, the rest stay.
  /_test/cut       every open watch stream is dropped mid-stream.
  /_test/compact   the history is forgotten: watches from before now
                   get 410, and open streams are cut.
  /_test/crd?installed=0|1
                   the ServiceImport CRD is removed (404) or installed.
  /_test/fail?n=N[&what=list|watch]
                   the next N list or watch requests (or only lists,
                   or only watches) answer 500.
GET /_test/stats gives the requests seen, per kind.

It also answers discovery (/api, /apis and their resource lists) for
the kinds of deploy/idmesh-agent.yaml, and 404 for any one object, so
that "kubectl apply --dry-run=client" can map and check a manifest
against it.
"""
import argparse
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RES = {
    "/api/v1/nodes": ("Node", "v1", "NodeList"),
    "/api/v1/services": ("Service", "v1", "ServiceList"),
    "/apis/discovery.k8s.io/v1/endpointslices":
        ("EndpointSlice", "discovery.k8s.io/v1", "EndpointSliceList"),
    "/api/v1/pods": ("Pod", "v1", "PodList"),
    "/api/v1/namespaces": ("Namespace", "v1", "NamespaceList"),
    "/apis/networking.k8s.io/v1/networkpolicies":
        ("NetworkPolicy", "networking.k8s.io/v1", "NetworkPolicyList"),
    # A CRD's (the Multi-Cluster Services API): served only while
    # installed (/_test/crd); otherwise 404, as a real server
    # answers for a resource no CRD defines.
    "/apis/multicluster.x-k8s.io/v1alpha1/serviceimports":
        ("ServiceImport", "multicluster.x-k8s.io/v1alpha1", "ServiceImportList"),
}
CRD_KINDS = {"ServiceImport"}
KINDS = {v[0]: k for k, v in RES.items()}
# Discovery: group/version -> [(resource, kind, namespaced)].
DISCOVERY = {
    "v1": [("nodes", "Node", False), ("pods", "Pod", True),
           ("services", "Service", True), ("namespaces", "Namespace", False),
           ("serviceaccounts", "ServiceAccount", True),
           ("configmaps", "ConfigMap", True)],
    "apps/v1": [("daemonsets", "DaemonSet", True)],
    "rbac.authorization.k8s.io/v1": [("clusterroles", "ClusterRole", False),
                                     ("clusterrolebindings", "ClusterRoleBinding", False)],
    "discovery.k8s.io/v1": [("endpointslices", "EndpointSlice", True)],
    "networking.k8s.io/v1": [("networkpolicies", "NetworkPolicy", True)],
}


def discovery(path):
    """The discovery document at path, or None."""
    if path == "/api":
        return {"kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": []}
    if path == "/apis":
        groups = []
        for gv in DISCOVERY:
            if "/" in gv:
                g, v = gv.split("/")
                groups.append({"name": g, "versions": [{"groupVersion": gv, "version": v}],
                               "preferredVersion": {"groupVersion": gv, "version": v}})
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
    gv = path[len("/api/"):] if path.startswith("/api/") else path[len("/apis/"):]
    if gv in DISCOVERY and path in ("/api/" + gv, "/apis/" + gv):
        verbs = ["create", "delete", "get", "list", "patch", "update", "watch"]
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
                "resources": [{"name": r, "singularName": k.lower(), "namespaced": ns,
                               "kind": k, "verbs": verbs} for r, k, ns in DISCOVERY[gv]]}
    return None


def parse_stream(text):
    """Every JSON value of text (several, one after the other), Lists opened."""
    dec = json.JSONDecoder()
    out, i = [], 0
    while True:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        if i >= len(text):
            return out
        v, i = dec.raw_decode(text, i)
        out.extend(v.get("items", []) if "items" in v else [v])


def key_of(o):
    md = o.get("metadata", {})
    return (o.get("kind"), md.get("namespace", "default")
            if o.get("kind") != "Node" else "", md.get("name"))


class World:
    def __init__(self):
        self.cv = threading.Condition()
        self.rv = 1000
        self.compacted = 0
        self.objs = {}          # key -> object (with its resourceVersion)
        self.log = []           # (rv, kind, type, object)
        self.gen = 0            # cut/compact generation
        self.fail = 0
        self.fail_what = "any"
        self.stats = {}
        self.crd = False

    def set_objects(self, objs, merge=False):
        with self.cv:
            want = dict(self.objs) if merge else {}
            for o in objs:
                if o.get("kind") in KINDS:
                    want[key_of(o)] = o
            for k in sorted(set(self.objs) - set(want), key=str):
                self.rv += 1
                old = dict(self.objs.pop(k))
                old["metadata"] = dict(old["metadata"], resourceVersion=str(self.rv))
                self.log.append((self.rv, k[0], "DELETED", old))
            for k in sorted(want, key=str):
                cur = self.objs.get(k)
                if cur is want[k]:
                    continue
                o = json.loads(json.dumps(want[k]))
                o.setdefault("metadata", {})
                if cur is not None:
                    a = dict(cur, metadata=dict(cur["metadata"]))
                    a["metadata"].pop("resourceVersion", None)
                    if a == o:
                        continue
                self.rv += 1
                o["metadata"]["resourceVersion"] = str(self.rv)
                self.objs[k] = o
                self.log.append((self.rv, k[0], "MODIFIED" if cur else "ADDED", o))
            self.cv.notify_all()
            return self.rv

    def cut(self, compact=False):
        with self.cv:
            self.gen += 1
            if compact:
                self.rv += 1
                self.compacted = self.rv
                self.log = []
            self.cv.notify_all()


W = World()


def strip(o):
    o = dict(o)
    o.pop("kind", None)
    o.pop("apiVersion", None)
    return o


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    token = None
    bookmark = 1.0

    def log_message(self, fmt, *args):
        pass

    def send_json(self, code, obj):
        body = (json.dumps(obj) + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def status(self, code, reason, msg):
        self.send_json(code, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                              "status": "Failure", "message": msg,
                              "reason": reason, "code": code})

    def do_POST(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query, keep_blank_values=True)
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode() if n else ""
        if u.path == "/_test/objects":
            rv = W.set_objects(parse_stream(body), merge="merge" in q)
            return self.send_json(200, {"resourceVersion": str(rv)})
        if u.path in ("/_test/cut", "/_test/compact"):
            W.cut(compact=u.path.endswith("compact"))
            return self.send_json(200, {"resourceVersion": str(W.rv)})
        if u.path == "/_test/crd":
            with W.cv:
                W.crd = q.get("installed", ["1"])[0] == "1"
            return self.send_json(200, {})
        if u.path == "/_test/fail":
            with W.cv:
                W.fail = int(q.get("n", ["1"])[0])
                W.fail_what = q.get("what", ["any"])[0]
            return self.send_json(200, {})
        self.status(404, "NotFound", "no such test path")

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(u.query).items()}
        if u.path == "/_test/stats":
            with W.cv:
                return self.send_json(200, W.stats)
        if self.token and self.headers.get("Authorization") != "Bearer " + self.token:
            return self.status(401, "Unauthorized", "Unauthorized")
        if u.path not in RES or (RES[u.path][0] in CRD_KINDS and not W.crd):
            d = discovery(u.path)
            if d is not None:
                return self.send_json(200, d)
            return self.status(404, "NotFound", "the server could not find the requested resource")
        kind = RES[u.path][0]
        watch = q.get("watch") in ("1", "true")
        with W.cv:
            s = W.stats.setdefault(kind, {"list": 0, "watch": 0})
            s["watch" if watch else "list"] += 1
            if W.fail > 0 and W.fail_what in ("any", "watch" if watch else "list"):
                W.fail -= 1
                failing = True
            else:
                failing = False
        if failing:
            return self.status(500, "InternalError", "injected failure")
        if watch:
            return self.watch(kind, q)
        return self.list(kind, q)

    def list(self, kind, q):
        limit = int(q.get("limit", "0") or 0)
        with W.cv:
            start, rv = 0, W.rv
            if q.get("continue"):
                crv, off = q["continue"].split(":")
                if int(crv) < W.compacted:
                    return self.status(410, "Expired",
                                       "The provided continue parameter is too old")
                start, rv = int(off), int(crv)
            items = sorted((o for k, o in W.objs.items() if k[0] == kind), key=key_of)
            # A page of a list at rv: what changed since is not in it.
            items = [o for o in items if int(o["metadata"]["resourceVersion"]) <= rv]
        page = items[start:start + limit] if limit else items[start:]
        md = {"resourceVersion": str(rv)}
        if limit and start + limit < len(items):
            md["continue"] = "%d:%d" % (rv, start + limit)
        self.send_json(200, {"kind": RES_LIST[kind], "apiVersion": API[kind],
                             "metadata": md, "items": [strip(o) for o in page]})

    def chunk(self, obj):
        data = (json.dumps(obj) + "\n").encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def watch(self, kind, q):
        rv = int(q.get("resourceVersion") or 0)
        timeout = float(q.get("timeoutSeconds", "300"))
        bookmarks = q.get("allowWatchBookmarks") in ("1", "true")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        end = time.monotonic() + timeout
        with W.cv:
            gen = W.gen
            if rv and rv < W.compacted:
                self.chunk({"type": "ERROR", "object": {
                    "kind": "Status", "apiVersion": "v1", "metadata": {},
                    "status": "Failure", "reason": "Expired", "code": 410,
                    "message": "too old resource version: %d (%d)" % (rv, W.compacted)}})
                self.wfile.write(b"0\r\n\r\n")
                return
        last_bm = time.monotonic()
        try:
            while True:
                with W.cv:
                    if W.gen != gen:
                        # Cut: the connection goes with no end of stream.
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    evs = [e for e in W.log if e[0] > rv and e[1] == kind]
                    rv = max(rv, W.rv)
                    if not evs:
                        # Woken by a change, a cut, the next bookmark or the end.
                        nxt = end
                        if bookmarks:
                            nxt = min(nxt, last_bm + H.bookmark)
                        W.cv.wait(max(0.01, nxt - time.monotonic()))
                for e in evs:
                    self.chunk({"type": e[2], "object": e[3]})
                if bookmarks and time.monotonic() - last_bm >= H.bookmark:
                    last_bm = time.monotonic()
                    self.chunk({"type": "BOOKMARK", "object": {
                        "kind": kind, "apiVersion": API[kind],
                        "metadata": {"resourceVersion": str(rv)}}})
                if time.monotonic() >= end:
                    break
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True


RES_LIST = {v[0]: v[2] for v in RES.values()}
API = {v[0]: v[1] for v in RES.values()}


class Server(ThreadingHTTPServer):
    """TLS (when tls is set) in each connection's own thread: a client
    slow to finish its handshake holds up no other one, as it would if
    the listening socket did the handshakes as it accepts."""
    tls = None

    def finish_request(self, request, client_address):
        if self.tls:
            try:
                request.settimeout(30)
                request = self.tls.wrap_socket(request, server_side=True)
                request.settimeout(None)
            except OSError:
                return
        super().finish_request(request, client_address)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--addr", default="127.0.0.1")
    ap.add_argument("--token")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--bookmark", type=float, default=1.0)
    ap.add_argument("--port-file", help="write the port here once listening")
    ap.add_argument("objects", nargs="*", help="the cluster at the start")
    a = ap.parse_args()
    H.token = a.token
    H.bookmark = a.bookmark
    objs = []
    for f in a.objects:
        with open(f) as fh:
            objs += parse_stream(fh.read())
    W.set_objects(objs)
    srv = Server((a.addr, a.port), H)
    srv.daemon_threads = True
    if a.cert:
        import ssl
        srv.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        srv.tls.load_cert_chain(a.cert, a.key)
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as fh:
            fh.write("%d\n" % srv.server_address[1])
        import os
        os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
