// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh k8s: a node's intent from the Kubernetes objects a cluster holds
 * (what "kubectl get -o json" prints for Pods, Services, EndpointSlices
 * of discovery.k8s.io/v1, and Nodes). Every object is checked before a
 * word is written, and the intent is checked as "apply" would read it.
 * No netlink in here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <json-c/json.h>
#include <linux/idmesh.h>

#include "util.h"
#include "intent.h"
#include "intent_impl.h"
#include "k8s.h"
#include "k8s_impl.h"
#include "parse.h"
#include "yaml.h"

struct slice_ref {
	bool mcs;		/* an imported Service's (KEP-1645), not a Service's */
	const char *ns, *svc;
	const struct obj *ob;
	bool bad;		/* found malformed: left out, said once */
};

static int check_obj(struct k8s *k, const char *file, const char *where,
		     json_object *o)
{
	struct obj ob = { .o = o };
	const char *av;
	json_object *md;
	bool cluster;

	snprintf(ob.where, sizeof(ob.where), "%s%s%s", file ? file : "", file ? ": " : "",
		 where);
	snprintf(ob.item, sizeof(ob.item), "%s", where);
	if (!json_object_is_type(o, json_type_object))
		return k8s_fail(k, &ob, "", "expected an object");
	if (k8s_str_at(k, &ob, o, "kind", "kind", true, &ob.kind))
		return -1;
	if (strcmp(ob.kind, "Pod") && strcmp(ob.kind, "Service") &&
	    strcmp(ob.kind, "EndpointSlice") && strcmp(ob.kind, "Node") &&
	    strcmp(ob.kind, "Namespace") && strcmp(ob.kind, "NetworkPolicy") &&
	    strcmp(ob.kind, "ServiceImport"))
		return 0;
	/* Of another cluster: its Nodes, Pods and Namespaces only. */
	ob.cluster = k->loading;
	if (ob.cluster && strcmp(ob.kind, "Pod") && strcmp(ob.kind, "Node") &&
	    strcmp(ob.kind, "Namespace"))
		return 0;
	if (k8s_obj_at(k, &ob, o, "metadata", "metadata", &md))
		return -1;
	if (!md)
		return k8s_fail(k, &ob, "metadata", "missing");
	if (k8s_str_at(k, &ob, md, "metadata.name", "name", true, &ob.name) ||
	    k8s_str_at(k, &ob, md, "metadata.namespace", "namespace", false, &ob.ns))
		return -1;
	if (!ob.ns)
		ob.ns = "default";
	/* Nodes and Namespaces have no namespace: named alone. */
	cluster = !strcmp(ob.kind, "Node") || !strcmp(ob.kind, "Namespace");
	if (!file && cluster)
		snprintf(ob.where, sizeof(ob.where), "%s %s", ob.kind, ob.name);
	else if (!file)
		snprintf(ob.where, sizeof(ob.where), "%s %s/%s", ob.kind, ob.ns, ob.name);
	else if (cluster)
		snprintf(ob.where, sizeof(ob.where), "%s: %s %s (%s)", file, ob.kind,
			 ob.name, where);
	else
		snprintf(ob.where, sizeof(ob.where), "%s: %s %s/%s (%s)", file, ob.kind,
			 ob.ns, ob.name, where);
	/* Kinds read from one API version only: named when it differs. */
	av = !strcmp(ob.kind, "EndpointSlice") ? "discovery.k8s.io/v1" :
	     !strcmp(ob.kind, "NetworkPolicy") ? "networking.k8s.io/v1" :
	     !strcmp(ob.kind, "ServiceImport") ? "multicluster.x-k8s.io/v1alpha1" : NULL;
	if (av) {
		const char *got;

		if (k8s_str_at(k, &ob, o, "apiVersion", "apiVersion", true, &got))
			return -1;
		if (strcmp(got, av))
			return k8s_fail(k, &ob, "apiVersion", "\"%s\" is not %s", got, av);
	}
	ob.idx = k->n;
	k->v = xrealloc(k->v, k->n + 1, sizeof(*k->v));
	k->v[k->n++] = ob;
	return 0;
}

/* An object that cannot be read is left out, with why: never the rest. */
static int add_obj(struct k8s *k, const char *file, const char *where,
		   json_object *o)
{
	if (check_obj(k, file, where, o))
		k8s_skip(k, "left out");
	return 0;
}

static int add_root(struct k8s *k, const char *file, size_t nth, bool stream,
		    json_object *root)
{
	json_object *items;
	char where[64];
	size_t i;

	k->roots = xrealloc(k->roots, k->nroots + 1, sizeof(*k->roots));
	k->roots[k->nroots++] = root;
	items = idm_json_at(root, "items");
	if (!items) {
		snprintf(where, sizeof(where), stream ? "object %zu" : "the object", nth + 1);
		return add_obj(k, file, where, root);
	}
	if (!json_object_is_type(items, json_type_array)) {
		snprintf(k->err, k->errlen, "%s: items: expected a list", file);
		return -1;
	}
	for (i = 0; i < json_object_array_length(items); i++) {
		snprintf(where, sizeof(where), "items[%zu]", i);
		if (add_obj(k, file, where, json_object_array_get_idx(items, i)))
			return -1;
	}
	return 0;
}

/*
 * YAML: every document of the stream ("---" between them, as files of
 * several objects are written), each an object or a List; never the first
 * alone.
 */
static int load_yaml(struct k8s *k, struct ctx *c, const char *file,
		     const char *text, size_t len)
{
	json_object *docs;
	char yerr[256];
	size_t i, n;

	docs = idm_yaml_parse_stream(text, len, yerr, sizeof(yerr));
	if (!docs)
		return idm_intent_fail(c, "", "YAML: %s", yerr);
	n = json_object_array_length(docs);
	if (!n) {
		json_object_put(docs);
		return idm_intent_fail(c, "", "YAML: the document is empty");
	}
	for (i = 0; i < n; i++) {
		json_object *root = json_object_get(json_object_array_get_idx(docs, i));

		if (add_root(k, file, i, n > 1, root)) {
			json_object_put(docs);
			return -1;
		}
	}
	json_object_put(docs);
	return 0;
}

/*
 * JSON: one value, or several one after the other (what "kubectl ... -o
 * json" prints for several objects); YAML: every document.
 */
static int load_file(struct k8s *k, const char *file)
{
	struct ctx c = { .file = file, .err = k->err, .errlen = k->errlen };
	struct json_tokener *tok;
	size_t len, off, nth = 0;
	json_object *root;
	char *text;
	int ret = -1;

	text = idm_read_file(file, &len);
	if (!text) {
		snprintf(k->err, k->errlen, "cannot read \"%s\": %s", file, strerror(errno));
		return -1;
	}
	off = strspn(text, " \t\r\n");
	if (off >= len) {
		root = idm_parse_text(&c, text, len);	/* says it is empty */
		ret = root ? add_root(k, file, 0, false, root) : -1;
		free(text);
		return ret;
	}
	if (text[off] != '{') {
		ret = load_yaml(k, &c, file, text, len);
		free(text);
		return ret;
	}
	tok = json_tokener_new();
	while (tok && off < len) {
		size_t end;

		/* Where the value ends, then the value read strictly. */
		json_tokener_reset(tok);
		json_tokener_set_flags(tok, 0);
		root = json_tokener_parse_ex(tok, text + off, (int)(len - off));
		end = json_tokener_get_parse_end(tok);
		if (root) {
			json_object_put(root);
			json_tokener_reset(tok);
			json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
			root = json_tokener_parse_ex(tok, text + off, (int)end);
		}
		if (!root) {
			size_t line = 1, i;

			for (i = 0; i < off + end && i < len; i++)
				line += text[i] == '\n';
			snprintf(k->err, k->errlen, "%s: line %zu: %s", file, line,
				 json_tokener_error_desc(json_tokener_get_error(tok)));
			goto out;
		}
		if (add_root(k, file, nth++, true, root))
			goto out;
		off += end;
		off += strspn(text + off, " \t\r\n");
	}
	ret = tok ? 0 : -1;
out:
	if (tok)
		json_tokener_free(tok);
	free(text);
	return ret;
}

static int cmp_obj(const void *x, const void *y)
{
	const struct obj *a = x, *b = y;
	int r = strcmp(a->kind, b->kind);

	if (!r)
		r = strcmp(a->ns, b->ns);
	if (!r)
		r = strcmp(a->name, b->name);
	if (!r)
		r = (a->cluster > b->cluster) - (a->cluster < b->cluster);
	return r ? r : (a->idx > b->idx) - (a->idx < b->idx);
}

/*
 * Two objects of a kind with the same name are one cluster's mistake:
 * the later one is left out, with why.
 */
static void check_unique(struct k8s *k)
{
	size_t i, n = 0;

	qsort(k->v, k->n, sizeof(*k->v), cmp_obj);
	for (i = 0; i < k->n; i++) {
		if (n && !strcmp(k->v[n - 1].kind, k->v[i].kind) &&
		    !strcmp(k->v[n - 1].ns, k->v[i].ns) &&
		    !strcmp(k->v[n - 1].name, k->v[i].name) &&
		    k->v[n - 1].cluster == k->v[i].cluster) {
			/* The first given stays: every node keeps the same one. */
			k8s_fail(k, &k->v[i], "metadata.name", "given twice (also %s)",
				 k->v[n - 1].item);
			k8s_skip(k, "left out");
			continue;
		}
		k->v[n++] = k->v[i];
	}
	k->n = n;
}

/* ---- the intent's parts ---- */

static int check_ip(struct k8s *k, const struct obj *ob, const char *path,
		    const char *s, struct idm_addr *a)
{
	if (idm_parse_addr(s, a))
		return k8s_fail(k, ob, path, "\"%s\" is not an IPv4 or IPv6 address", s);
	return 0;
}

/*
 * How an endpoint serves, as kube-proxy's CategorizeEndpoints reads its
 * conditions (pkg/proxy/topology.go): ready endpoints take new
 * connections; when a Service has none, its serving and terminating ones
 * do; every other endpoint of the slice takes none but keeps those it
 * holds (kube-proxy leaves their conntrack entries until the endpoint
 * leaves the slice). Kept on each backend under EP_CLASS until the
 * Service's slices are all read, then made weights (ep_weights()).
 */
enum { IDM_EP_HELD, IDM_EP_SERVING_TERMINATING, IDM_EP_READY };
#define EP_CLASS "\x01class"

/* New connections to the best class there is; the others weight 0. */
static void ep_weights(json_object *bes)
{
	size_t b, n = json_object_array_length(bes);
	int best = IDM_EP_HELD;

	for (b = 0; b < n; b++) {
		int c = json_object_get_int(idm_json_at(json_object_array_get_idx(bes, b), EP_CLASS));

		best = c > best ? c : best;
	}
	for (b = 0; b < n; b++) {
		json_object *be = json_object_array_get_idx(bes, b);

		if (best == IDM_EP_HELD ||
		    json_object_get_int(idm_json_at(be, EP_CLASS)) < best)
			json_object_object_add(be, "weight", json_object_new_int(0));
		json_object_object_del(be, EP_CLASS);
	}
}

/* A slice's endpoints for one Service port, each with its EP_CLASS. */
static int slice_backends(struct k8s *k, const struct obj *ob, int family,
			  const char *port_name, const char *proto,
			  const char *node, json_object *bes)
{
	json_object *ports, *eps, *p, *e, *x;
	const char *s, *pname, *pproto;
	char path[160];
	size_t i;
	int port = -1;

	if (k8s_arr_at(k, ob, ob->o, "ports", "ports", &ports) ||
	    k8s_arr_at(k, ob, ob->o, "endpoints", "endpoints", &eps))
		return -1;
	for (i = 0; ports && i < json_object_array_length(ports); i++) {
		p = json_object_array_get_idx(ports, i);
		snprintf(path, sizeof(path), "ports[%zu]", i);
		if (k8s_str_at(k, ob, p, path, "name", false, &pname) ||
		    k8s_str_at(k, ob, p, path, "protocol", false, &pproto))
			return -1;
		if (strcmp(pname ? pname : "", port_name) ||
		    strcasecmp(pproto ? pproto : "TCP", proto))
			continue;
		x = idm_json_at(p, "port");
		if (!x)
			return 0;	/* "all ports": not a Service's target */
		if (!json_object_is_type(x, json_type_int) || json_object_get_int64(x) < 1 ||
		    json_object_get_int64(x) > 65535)
			return k8s_fail(k, ob, path, "port: expected a number 1..65535");
		port = (int)json_object_get_int64(x);
	}
	if (port < 0 || !eps)
		return 0;
	for (i = 0; i < json_object_array_length(eps); i++) {
		json_object *addrs, *cond, *ready, *serving, *term, *be;
		bool is_ready, is_serving, is_term;
		struct idm_addr a;
		size_t b;
		int cls;

		e = json_object_array_get_idx(eps, i);
		snprintf(path, sizeof(path), "endpoints[%zu].addresses", i);
		if (k8s_arr_at(k, ob, e, path, "addresses", &addrs))
			return -1;
		if (!addrs || !json_object_array_length(addrs))
			return k8s_fail(k, ob, path, "missing");
		snprintf(path, sizeof(path), "endpoints[%zu].addresses[0]", i);
		x = json_object_array_get_idx(addrs, 0);
		if (!json_object_is_type(x, json_type_string))
			return k8s_fail(k, ob, path, "expected a string");
		s = json_object_get_string(x);
		if (check_ip(k, ob, path, s, &a))
			return -1;
		if (a.family != family)
			return k8s_fail(k, ob, path, "\"%s\" is not of the slice's addressType", s);
		if (node) {
			const char *en;

			snprintf(path, sizeof(path), "endpoints[%zu]", i);
			if (k8s_str_at(k, ob, e, path, "nodeName", false, &en))
				return -1;
			if (!en || strcmp(en, node))
				continue;
		}
		snprintf(path, sizeof(path), "endpoints[%zu].conditions", i);
		if (k8s_obj_at(k, ob, e, path, "conditions", &cond))
			return -1;
		/*
		 * The API's meaning of an absent condition: ready, serving as
		 * ready says, not terminating (kube-proxy reads them so).
		 */
		ready = idm_json_at(cond, "ready");
		serving = idm_json_at(cond, "serving");
		term = idm_json_at(cond, "terminating");
		if ((ready && !json_object_is_type(ready, json_type_boolean)) ||
		    (serving && !json_object_is_type(serving, json_type_boolean)) ||
		    (term && !json_object_is_type(term, json_type_boolean)))
			return k8s_fail(k, ob, path, "ready, serving and terminating are true or false");
		is_ready = !ready || json_object_get_boolean(ready);
		is_serving = serving ? json_object_get_boolean(serving) : is_ready;
		is_term = term && json_object_get_boolean(term);
		cls = is_ready ? IDM_EP_READY : is_serving && is_term ?
		      IDM_EP_SERVING_TERMINATING : IDM_EP_HELD;
		for (b = 0; b < json_object_array_length(bes); b++) {
			json_object *o2 = json_object_array_get_idx(bes, b);

			if (strcmp(json_object_get_string(idm_json_at(o2, "address")), s) ||
			    json_object_get_int(idm_json_at(o2, "port")) != port)
				continue;
			/* In two slices: the better condition wins. */
			if (cls > json_object_get_int(idm_json_at(o2, EP_CLASS)))
				json_object_object_add(o2, EP_CLASS, json_object_new_int(cls));
			break;
		}
		if (b < json_object_array_length(bes))
			continue;
		be = json_object_new_object();
		json_object_object_add(be, "address", json_object_new_string(s));
		json_object_object_add(be, "port", json_object_new_int(port));
		json_object_object_add(be, EP_CLASS, json_object_new_int(cls));
		json_object_array_add(bes, be);
	}
	return 0;
}

static int cmp_slice_key(const void *x, const void *y)
{
	const struct slice_ref *a = x, *b = y;
	int r = (int)a->mcs - (int)b->mcs;

	if (!r)
		r = strcmp(a->ns, b->ns);
	return r ? r : strcmp(a->svc, b->svc);
}

/* The same, then the slice's name: a Service's slices in name order. */
static int cmp_slice(const void *x, const void *y)
{
	const struct slice_ref *a = x, *b = y;
	int r = cmp_slice_key(a, b);

	return r ? r : strcmp(a->ob->name, b->ob->name);
}

/*
 * Every EndpointSlice under its Service's name (its
 * kubernetes.io/service-name label), or its imported Service's
 * (multicluster.kubernetes.io/service-name, KEP-1645), sorted: a Service
 * finds its slices by a binary search, not by a walk over every object.
 */
static int index_slices(struct k8s *k)
{
	size_t i;

	k->slices = NULL;
	for (i = 0; i < k->n; i++) {
		const struct obj *es = &k->v[i];
		json_object *lb;
		const char *svc, *imp;

		if (strcmp(es->kind, "EndpointSlice"))
			continue;
		if (k8s_obj_at(k, es, idm_json_at(es->o, "metadata"), "metadata.labels", "labels", &lb) ||
		    k8s_str_at(k, es, lb, "metadata.labels", "kubernetes.io/service-name",
			       false, &svc) ||
		    k8s_str_at(k, es, lb, "metadata.labels",
			       "multicluster.kubernetes.io/service-name", false, &imp)) {
			k8s_skip(k, "left out");
			continue;
		}
		if (svc || imp)
			k->slices = xrealloc(k->slices, k->nslices + 2, sizeof(*k->slices));
		if (svc)
			k->slices[k->nslices++] = (struct slice_ref){ false, es->ns, svc, es, false };
		if (imp)
			k->slices[k->nslices++] = (struct slice_ref){ true, es->ns, imp, es, false };
	}
	if (k->nslices)
		qsort(k->slices, k->nslices, sizeof(*k->slices), cmp_slice);
	return 0;
}

/*
 * Every Namespace's labels under its name (checked: an object of
 * strings; a Namespace whose are not is left out, and its Pods get none).
 */
static void index_namespaces(struct k8s *k)
{
	size_t i;

	k->ns_labels = json_object_new_object();
	for (i = 0; i < k->n; i++) {
		const struct obj *ns = &k->v[i];
		json_object *lb;

		if (strcmp(ns->kind, "Namespace"))
			continue;
		if (k8s_obj_at(k, ns, idm_json_at(ns->o, "metadata"), "metadata.labels",
			       "labels", &lb)) {
			k8s_skip(k, "left out");
			continue;
		}
		/* Namespace sameness: this cluster's labels, else the first other's. */
		if (!lb || (ns->cluster && json_object_object_get_ex(k->ns_labels, ns->name, NULL)))
			continue;
		{
			bool bad = false;

			json_object_object_foreach(lb, key, val)
				if (!bad && !json_object_is_type(val, json_type_string)) {
					k8s_fail(k, ns, "metadata.labels", "%s: expected a string", key);
					bad = true;
				}
			if (bad) {
				k8s_skip(k, "left out; its Pods have no namespace labels");
				continue;
			}
		}
		json_object_object_add(k->ns_labels, ns->name, json_object_get(lb));
	}
}

/* The first slice of (ns, svc), or nslices. */
static size_t first_slice(const struct k8s *k, const struct slice_ref *key)
{
	size_t lo = 0, hi = k->nslices;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_slice_key(&k->slices[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * A Service idmesh leaves alone: another proxy's (kube-proxy leaves it
 * alone too).
 */
static bool other_proxy(const struct obj *sv)
{
	json_object *lb = idm_json_at(idm_json_at(sv->o, "metadata"), "labels");

	return lb && json_object_is_type(lb, json_type_object) &&
	       idm_json_at(lb, "service.kubernetes.io/service-proxy-name");
}

/*
 * spec.sessionAffinity: ClientIP pins a client address to its backend for
 * sessionAffinityConfig.clientIP.timeoutSeconds (default 10800, at most
 * 86400: the API's bounds) in *secs; None or absent: 0.
 */
static int session_affinity(struct k8s *k, const struct obj *sv,
			    json_object *spec, uint32_t *secs)
{
	json_object *cfg, *x;
	const char *aff;
	int64_t t = 10800;

	*secs = 0;
	if (k8s_str_at(k, sv, spec, "spec.sessionAffinity", "sessionAffinity", false,
		       &aff))
		return -1;
	if (!aff || !strcmp(aff, "None"))
		return 0;
	if (strcmp(aff, "ClientIP"))
		return k8s_fail(k, sv, "spec.sessionAffinity",
			    "\"%s\" is not None or ClientIP", aff);
	cfg = idm_json_at(idm_json_at(spec, "sessionAffinityConfig"), "clientIP");
	x = idm_json_at(cfg, "timeoutSeconds");
	if (x) {
		t = json_object_is_type(x, json_type_int) ?
		    json_object_get_int64(x) : -1;
		if (t < 1 || t > IDMESH_AFFINITY_MAX)
			return k8s_fail(k, sv,
				    "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
				    "expected a number 1..%d", IDMESH_AFFINITY_MAX);
	}
	*secs = (uint32_t)t;
	return 0;
}

static int service_vips(struct k8s *k, const struct obj *sv, const char *node,
			json_object *vips, uint32_t table_size)
{
	bool imp = !strcmp(sv->kind, "ServiceImport");
	struct slice_ref key = { .mcs = imp, .ns = sv->ns, .svc = sv->name };
	json_object *spec, *ips, *ports, *p, *x;
	const char *type, *ip, *pname, *proto, *itp;
	size_t i, j, s, first;
	uint32_t affinity;
	char path[160];

	if (other_proxy(sv))
		return 0;
	first = first_slice(k, &key);
	if (k8s_obj_at(k, sv, sv->o, "spec", "spec", &spec))
		return -1;
	if (!spec)
		return k8s_fail(k, sv, "spec", "missing");
	if (k8s_str_at(k, sv, spec, "spec.type", "type", false, &type) ||
	    (!imp && k8s_str_at(k, sv, spec, "spec.internalTrafficPolicy",
				"internalTrafficPolicy", false, &itp)) ||
	    session_affinity(k, sv, spec, &affinity))
		return -1;
	/*
	 * An imported Service (KEP-1645): its clusterset IPs (spec.ips) and
	 * ports, its endpoints in every exporting cluster (the slices the
	 * MCS controller labels with its name); Headless: no VIP.
	 */
	if (imp) {
		if (type && strcmp(type, "ClusterSetIP") && strcmp(type, "Headless"))
			return k8s_fail(k, sv, "spec.type", "\"%s\" is not ClusterSetIP or Headless",
					type);
		if (type && !strcmp(type, "Headless"))
			return 0;
		if (k8s_arr_at(k, sv, spec, "spec.ips", "ips", &ips) ||
		    k8s_arr_at(k, sv, spec, "spec.ports", "ports", &ports))
			return -1;
		if (!ips || !json_object_array_length(ips))
			return 0;	/* not given one yet */
		ip = NULL;
		node = NULL;
		goto addresses;
	}
	/* Local: this node's endpoints only (none: no backend at all). */
	if (!itp || strcmp(itp, "Local"))
		node = NULL;
	if (type && !strcmp(type, "ExternalName"))
		return 0;
	if (k8s_arr_at(k, sv, spec, "spec.clusterIPs", "clusterIPs", &ips) ||
	    k8s_str_at(k, sv, spec, "spec.clusterIP", "clusterIP", false, &ip) ||
	    k8s_arr_at(k, sv, spec, "spec.ports", "ports", &ports))
		return -1;
	if (!ip || !strcmp(ip, "None") || !ip[0])
		return 0;	/* headless, or not given one yet */
addresses:
	for (i = 0; i < (ips ? json_object_array_length(ips) : 1); i++) {
		struct idm_addr a;

		snprintf(path, sizeof(path), imp ? "spec.ips[%zu]" :
			 ips ? "spec.clusterIPs[%zu]" : "spec.clusterIP", i);
		if (ips) {
			x = json_object_array_get_idx(ips, i);
			if (!json_object_is_type(x, json_type_string))
				return k8s_fail(k, sv, path, "expected a string");
			ip = json_object_get_string(x);
		}
		if (check_ip(k, sv, path, ip, &a))
			return -1;
		for (j = 0; ports && j < json_object_array_length(ports); j++) {
			json_object *vip, *bes;
			int64_t port;

			p = json_object_array_get_idx(ports, j);
			snprintf(path, sizeof(path), "spec.ports[%zu]", j);
			if (k8s_str_at(k, sv, p, path, "name", false, &pname) ||
			    k8s_str_at(k, sv, p, path, "protocol", false, &proto))
				return -1;
			proto = proto ? proto : "TCP";
			if (strcasecmp(proto, "TCP") && strcasecmp(proto, "UDP") &&
			    strcasecmp(proto, "SCTP"))
				return k8s_fail(k, sv, path, "protocol \"%s\" is not TCP, UDP or SCTP", proto);
			x = idm_json_at(p, "port");
			port = x && json_object_is_type(x, json_type_int) ?
			       json_object_get_int64(x) : -1;
			if (port < 1 || port > 65535)
				return k8s_fail(k, sv, path, "port: expected a number 1..65535");
			bes = json_object_new_array();
			vip = json_object_new_object();
			json_object_object_add(vip, "address", json_object_new_string(ip));
			json_object_object_add(vip, "port", json_object_new_int((int)port));
			{
				char lower[8];
				size_t c;

				for (c = 0; c + 1 < sizeof(lower) && proto[c]; c++)
					lower[c] = (char)(proto[c] | 0x20);
				lower[c] = '\0';
				json_object_object_add(vip, "protocol", json_object_new_string(lower));
			}
			if (table_size)
				json_object_object_add(vip, "table-size",
						       json_object_new_int((int)table_size));
			if (affinity)
				json_object_object_add(vip, "affinity",
						       json_object_new_int((int)affinity));
			json_object_object_add(vip, "backends", bes);
			json_object_array_add(vips, vip);
			/* The slices of this Service, of this family. */
			for (s = first; s < k->nslices && !cmp_slice_key(&k->slices[s], &key); s++) {
				const struct obj *es = k->slices[s].ob;
				size_t nb = json_object_array_length(bes);
				const char *at_;

				if (k->slices[s].bad)
					continue;
				if (k8s_str_at(k, es, es->o, "addressType", "addressType", true, &at_)) {
					k->slices[s].bad = true;
					k8s_skip(k, "left out");
					continue;
				}
				if (strcmp(at_, a.family == AF_INET ? "IPv4" : "IPv6"))
					continue;
				if (slice_backends(k, es, a.family, pname ? pname : "", proto,
						   node, bes)) {
					k8s_truncate_array(bes, nb);
					k->slices[s].bad = true;
					k8s_skip(k, "left out");
				}
			}
			ep_weights(bes);
		}
	}
	return 0;
}

/* The Pod's IPs, its node; *skip for Pods with no workload. */
static int pod_ips(struct k8s *k, const struct obj *pod, json_object **ips,
		   const char **ip, const char **node, bool *skip)
{
	json_object *spec, *status, *x;
	const char *phase;

	*skip = true;
	if (k8s_obj_at(k, pod, pod->o, "spec", "spec", &spec) ||
	    k8s_obj_at(k, pod, pod->o, "status", "status", &status) ||
	    k8s_str_at(k, pod, spec, "spec.nodeName", "nodeName", false, node) ||
	    k8s_str_at(k, pod, status, "status.phase", "phase", false, &phase) ||
	    k8s_arr_at(k, pod, status, "status.podIPs", "podIPs", ips) ||
	    k8s_str_at(k, pod, status, "status.podIP", "podIP", false, ip))
		return -1;
	x = idm_json_at(spec, "hostNetwork");
	if (x && !json_object_is_type(x, json_type_boolean))
		return k8s_fail(k, pod, "spec.hostNetwork", "expected true or false");
	/* Host-network Pods have the node's address; finished Pods none. */
	if ((x && json_object_get_boolean(x)) || !*ip ||
	    (phase && (!strcmp(phase, "Succeeded") || !strcmp(phase, "Failed"))))
		return 0;
	*skip = false;
	return 0;
}

/* The Pod's named container ports, {"NAME": "PROTO:PORT"}, or NULL. */
static int named_ports(struct k8s *k, const struct obj *pod, json_object **out)
{
	json_object *cs, *ps, *spec = idm_json_at(pod->o, "spec");
	const char *name, *proto;
	char path[96], sub[128], val[32];
	size_t i, j;

	*out = NULL;
	if (k8s_arr_at(k, pod, spec, "spec.containers", "containers", &cs))
		return -1;
	for (i = 0; cs && i < json_object_array_length(cs); i++) {
		snprintf(path, sizeof(path), "spec.containers[%zu].ports", i);
		if (k8s_arr_at(k, pod, json_object_array_get_idx(cs, i), path, "ports", &ps))
			goto bad;
		for (j = 0; ps && j < json_object_array_length(ps); j++) {
			json_object *p = json_object_array_get_idx(ps, j), *n;
			int32_t num;

			snprintf(sub, sizeof(sub), "%s[%zu]", path, j);
			if (k8s_str_at(k, pod, p, sub, "name", false, &name) ||
			    k8s_str_at(k, pod, p, sub, "protocol", false, &proto))
				goto bad;
			if (!name)
				continue;
			n = idm_json_at(p, "containerPort");
			num = n && json_object_is_type(n, json_type_int) ? json_object_get_int(n) : 0;
			if (num < 1 || num > 65535) {
				k8s_fail(k, pod, sub, "containerPort: expected 1..65535");
				goto bad;
			}
			if (!proto || !strcmp(proto, "TCP")) {
				proto = "tcp";
			} else if (!strcmp(proto, "UDP")) {
				proto = "udp";
			} else if (!strcmp(proto, "SCTP")) {
				proto = "sctp";
			} else {
				k8s_fail(k, pod, sub, "protocol: \"%s\" is not TCP, UDP or SCTP", proto);
				goto bad;
			}
			if (!*out)
				*out = json_object_new_object();
			snprintf(val, sizeof(val), "%s:%d", proto, num);
			json_object_object_add(*out, name, json_object_new_string(val));
		}
	}
	return 0;
bad:
	json_object_put(*out);
	*out = NULL;
	return -1;
}

static int pod_workloads(struct k8s *k, const struct obj *pod, const char *node,
			 json_object *wls, json_object *ports)
{
	json_object *ips, *md, *labels, *lbl, *w, *nsl, *named = NULL;
	const char *ip, *pnode, *cl = pod->cluster ? k->a->remote[pod->cluster - 1].name : "";
	char name[600], path[64], dev[IFNAMSIZ];
	bool skip, mine;
	size_t i, n;

	if (pod_ips(k, pod, &ips, &ip, &pnode, &skip))
		return -1;
	if (skip)
		return 0;
	md = idm_json_at(pod->o, "metadata");
	if (k8s_obj_at(k, pod, md, "metadata.labels", "labels", &labels))
		return -1;
	lbl = json_object_new_object();
	if (labels) {
		json_object_object_foreach(labels, key, val) {
			if (k8s_per_pod_label(key))
				continue;
			if (!json_object_is_type(val, json_type_string)) {
				json_object_put(lbl);
				snprintf(path, sizeof(path), "metadata.labels");
				return k8s_fail(k, pod, path, "%s: expected a string", key);
			}
			json_object_object_add(lbl, key, json_object_get(val));
		}
	}
	/* Pods of two namespaces with the same labels are two Services. */
	json_object_object_add(lbl, K8S_POD_NS,
			       json_object_new_string(pod->ns));
	/*
	 * And the namespace's labels, as Cilium's identities have them, for
	 * NetworkPolicy's namespaceSelector.
	 */
	if (json_object_object_get_ex(k->ns_labels, pod->ns, &nsl)) {
		json_object_object_foreach(nsl, nkey, nval) {
			char key[320];

			snprintf(key, sizeof(key), K8S_NS_LABEL "%s", nkey);
			json_object_object_add(lbl, key, json_object_get(nval));
		}
	}
	/* The API gives every Namespace its name as a label (since 1.21). */
	json_object_object_add(lbl, K8S_NS_LABEL "kubernetes.io/metadata.name",
			       json_object_new_string(pod->ns));
	if (named_ports(k, pod, &named)) {
		json_object_put(lbl);
		return -1;
	}
	mine = !pod->cluster && pnode && !strcmp(pnode, node);
	idm_k8s_pod_dev(pod->ns, pod->name, dev, sizeof(dev));
	n = ips ? json_object_array_length(ips) : 1;
	for (i = 0; i < n; i++) {
		struct idm_addr a;
		const char *s = ip;

		snprintf(path, sizeof(path), ips ? "status.podIPs[%zu].ip" : "status.podIP", i);
		if (ips && k8s_str_at(k, pod, json_object_array_get_idx(ips, i), path, "ip",
				      true, &s)) {
			json_object_put(lbl);
			json_object_put(named);
			return -1;
		}
		if (check_ip(k, pod, path, s, &a)) {
			json_object_put(lbl);
			json_object_put(named);
			return -1;
		}
		w = json_object_new_object();
		/* Another cluster's Pods are named with the cluster's name first. */
		if (n == 1)
			snprintf(name, sizeof(name), "%s%s%s/%s", cl, *cl ? ":" : "",
				 pod->ns, pod->name);
		else
			snprintf(name, sizeof(name), "%s%s%s/%s %s", cl, *cl ? ":" : "",
				 pod->ns, pod->name, s);
		json_object_object_add(w, "name", json_object_new_string(name));
		json_object_object_add(w, "address", json_object_new_string(s));
		if (mine)
			json_object_object_add(w, "dev", json_object_new_string(dev));
		json_object_object_add(w, "labels", json_object_get(lbl));
		if (named)
			json_object_object_add(w, "named-ports", json_object_get(named));
		json_object_array_add(wls, w);
	}
	json_object_put(lbl);
	json_object_put(named);
	if (mine)
		json_object_array_add(ports, json_object_new_string(dev));
	return 0;
}

/* A Node's InternalIP of a family (0: any), and its pod CIDRs. */
static int node_info(struct k8s *k, const struct obj *nd, int family,
		     const char **addr, json_object **cidrs, const char **cidr)
{
	json_object *spec, *status, *addrs;
	size_t i;

	*addr = NULL;
	if (k8s_obj_at(k, nd, nd->o, "spec", "spec", &spec) ||
	    k8s_obj_at(k, nd, nd->o, "status", "status", &status) ||
	    k8s_arr_at(k, nd, spec, "spec.podCIDRs", "podCIDRs", cidrs) ||
	    k8s_str_at(k, nd, spec, "spec.podCIDR", "podCIDR", false, cidr) ||
	    k8s_arr_at(k, nd, status, "status.addresses", "addresses", &addrs))
		return -1;
	for (i = 0; addrs && i < json_object_array_length(addrs); i++) {
		json_object *a = json_object_array_get_idx(addrs, i);
		const char *type, *s;
		struct idm_addr ia;
		char path[64];

		snprintf(path, sizeof(path), "status.addresses[%zu]", i);
		if (k8s_str_at(k, nd, a, path, "type", true, &type) ||
		    k8s_str_at(k, nd, a, path, "address", true, &s))
			return -1;
		if (strcmp(type, "InternalIP"))
			continue;
		if (check_ip(k, nd, path, s, &ia))
			return -1;
		if (!*addr && (!family || ia.family == family))
			*addr = s;
	}
	return 0;
}

/* The i-th of a Node's pod CIDRs, checked; NULL after k8s_fail() says why. */
static const char *pod_cidr(struct k8s *k, const struct obj *nd, json_object *cidrs,
			    const char *cidr, size_t i)
{
	struct idm_prefix p;
	char why[160], path[64];
	const char *s = cidr;

	snprintf(path, sizeof(path), cidrs ? "spec.podCIDRs[%zu]" : "spec.podCIDR", i);
	if (cidrs) {
		json_object *x = json_object_array_get_idx(cidrs, i);

		if (!json_object_is_type(x, json_type_string)) {
			k8s_fail(k, nd, path, "expected a string");
			return NULL;
		}
		s = json_object_get_string(x);
	}
	if (idm_prefix_parse(s, true, &p, why, sizeof(why))) {
		k8s_fail(k, nd, path, "%s", why);
		return NULL;
	}
	return s;
}

/* A pod CIDR already given to a peer, and the Node it came from. */
struct taken {
	struct idm_prefix p;
	const struct obj *nd;
};

/*
 * The peers one other Node nd makes: each of its pod CIDRs behind its
 * first InternalIP, on this node's external link of that family (xl[0]
 * IPv4, xl[1] IPv6, NULL: this node has no such InternalIP). A Node
 * whose pod CIDRs are malformed or another Node's is left out, said.
 */
static void node_peers(struct k8s *k, const struct obj *nd, json_object **xl,
		       struct taken **tk, size_t *ntk)
{
	const char *addr, *cidr, *s;
	json_object *cidrs, *peers, *routes, *pe;
	struct idm_prefix *ps;
	struct idm_addr na;
	size_t j, t, n;
	char why[160];

	if (node_info(k, nd, 0, &addr, &cidrs, &cidr)) {
		k8s_skip(k, "no link to it");
		return;
	}
	n = cidrs ? json_object_array_length(cidrs) : cidr ? 1 : 0;
	if (!addr) {
		if (n) {
			k8s_fail(k, nd, "status.addresses", "no InternalIP");
			k8s_skip(k, "no link to it");
		}
		return;		/* not reachable yet, and no pods */
	}
	idm_parse_addr(addr, &na);
	if (!xl[na.family == AF_INET6]) {
		k8s_fail(k, nd, "status.addresses", "no InternalIP of a family this node has");
		k8s_skip(k, "no link to it");
		return;
	}
	ps = xrealloc(NULL, n ? n : 1, sizeof(*ps));
	for (j = 0; j < n; j++) {
		s = pod_cidr(k, nd, cidrs, cidr, j);
		if (!s || idm_prefix_parse(s, true, &ps[j], why, sizeof(why)))
			goto skip;
		for (t = 0; t < *ntk; t++)
			if (idm_prefix_in(&ps[j], &(*tk)[t].p) ||
			    idm_prefix_in(&(*tk)[t].p, &ps[j])) {
				k8s_fail(k, nd, cidrs ? "spec.podCIDRs" : "spec.podCIDR",
					 "%s overlaps Node %s's pod CIDRs", s, (*tk)[t].nd->name);
				goto skip;
			}
	}
	json_object_object_get_ex(xl[na.family == AF_INET6], "peers", &peers);
	json_object_object_get_ex(xl[na.family == AF_INET6], "routes", &routes);
	for (j = 0; j < n; j++) {
		s = pod_cidr(k, nd, cidrs, cidr, j);
		pe = json_object_new_object();
		json_object_object_add(pe, "prefix", json_object_new_string(s));
		json_object_object_add(pe, "remote", json_object_new_string(addr));
		json_object_array_add(peers, pe);
		json_object_array_add(routes, json_object_new_string(s));
		*tk = xrealloc(*tk, *ntk + 1, sizeof(**tk));
		(*tk)[*ntk].p = ps[j];
		(*tk)[(*ntk)++].nd = nd;
	}
	free(ps);
	return;
skip:
	free(ps);
	k8s_skip(k, "no link to it");
}

/*
 * One external link per family of this node's InternalIPs (the id every
 * node gives it: IDM_K8S_LINK_ID), with a peer and a route for each pod
 * CIDR of every other Node: one device, not one per Node.
 */
static int external_links(struct k8s *k, const struct obj *me, json_object *links)
{
	static const char *const names[] = { "idmx4", "idmx6" };
	const char *maddr, *cidr, *s;
	json_object *cidrs, *xl[2] = { NULL, NULL };
	struct taken *tk = NULL;
	size_t i, j, ntk = 0;
	struct idm_prefix p;
	char why[160];
	int f;

	for (f = 0; f < 2; f++) {
		if (node_info(k, me, f ? AF_INET6 : AF_INET, &maddr, &cidrs, &cidr)) {
			k8s_skip(k, "no external links");
			return 0;
		}
		if (!maddr)
			continue;
		xl[f] = json_object_new_object();
		json_object_object_add(xl[f], "name", json_object_new_string(names[f]));
		json_object_object_add(xl[f], "family", json_object_new_string(f ? "inet6" : "inet"));
		json_object_object_add(xl[f], "local", json_object_new_string(maddr));
		json_object_object_add(xl[f], "id", json_object_new_int(IDM_K8S_LINK_ID));
		json_object_object_add(xl[f], "routes", json_object_new_array());
		json_object_object_add(xl[f], "peers", json_object_new_array());
		json_object_array_add(links, xl[f]);
	}
	/* This node's own pod CIDRs are no peer's. */
	for (j = 0; (xl[0] || xl[1]) && j < (cidrs ? json_object_array_length(cidrs) :
					     cidr ? 1 : 0); j++) {
		s = pod_cidr(k, me, cidrs, cidr, j);
		if (!s || idm_prefix_parse(s, true, &p, why, sizeof(why)))
			continue;
		tk = xrealloc(tk, ntk + 1, sizeof(*tk));
		tk[ntk].p = p;
		tk[ntk++].nd = me;
	}
	for (i = 0; (xl[0] || xl[1]) && i < k->n; i++)
		if (!strcmp(k->v[i].kind, "Node") && &k->v[i] != me)
			node_peers(k, &k->v[i], xl, &tk, &ntk);
	free(tk);
	return 0;
}

/*
 * The secrets of file as "ipsec": {"secrets": [...]}, each checked; the
 * external links are encrypted. 0, or -1 with why in err.
 */
static int ipsec_secrets(struct k8s *k, const char *file, json_object *intent,
			 json_object *links)
{
	json_object *secrets = json_object_new_array(), *ip;
	struct idm_ipsec_secret sec;
	char line[256], *p, *e;
	unsigned int lineno = 0;
	size_t i;
	FILE *f;

	f = fopen(file, "re");
	if (!f) {
		snprintf(k->err, k->errlen, "cannot read the IPsec secrets \"%s\": %s", file,
			 strerror(errno));
		goto fail;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		for (e = p + strlen(p); e > p && strchr(" \t\r\n", e[-1]); e--)
			;
		*e = '\0';
		if (!*p || *p == '#')
			continue;
		if (idm_ipsec_secret_parse(p, &sec) ||
		    json_object_array_length(secrets) == IDM_IPSEC_SECRETS_MAX) {
			snprintf(k->err, k->errlen, "%s:%u: %s", file, lineno,
				 json_object_array_length(secrets) == IDM_IPSEC_SECRETS_MAX ?
				 "more than 4 secrets" : "not a secret of 64 hex digits");
			fclose(f);
			goto fail;
		}
		json_object_array_add(secrets, json_object_new_string(p));
	}
	memset(line, 0, sizeof(line));
	memset(&sec, 0, sizeof(sec));
	fclose(f);
	if (!json_object_array_length(secrets)) {
		snprintf(k->err, k->errlen, "%s: no secret in it", file);
		goto fail;
	}
	ip = json_object_new_object();
	json_object_object_add(ip, "secrets", secrets);
	json_object_object_add(intent, "ipsec", ip);
	for (i = 0; i < json_object_array_length(links); i++)
		json_object_object_add(json_object_array_get_idx(links, i), "encrypt",
				       json_object_new_boolean(1));
	return 0;
fail:
	json_object_put(secrets);
	return -1;
}

/*
 * "masquerade": the node's own pod CIDRs (its pods' egress; none yet:
 * nothing to masquerade). One that is malformed is left out, said.
 */
static void masquerade(struct k8s *k, const struct obj *me, json_object *out)
{
	const char *addr, *cidr, *s;
	json_object *cidrs;
	size_t j, n;

	if (node_info(k, me, 0, &addr, &cidrs, &cidr)) {
		k8s_skip(k, "no masquerade");
		return;
	}
	n = cidrs ? json_object_array_length(cidrs) : cidr ? 1 : 0;
	for (j = 0; j < n; j++) {
		s = pod_cidr(k, me, cidrs, cidr, j);
		if (s)
			json_object_array_add(out, json_object_new_string(s));
		else
			k8s_skip(k, "not masqueraded");
	}
}

/* Is key one of the intent's service-keys (or are there none)? */
static bool service_key(json_object *keys, const char *key)
{
	size_t i;

	if (!keys)
		return true;
	for (i = 0; i < json_object_array_length(keys); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(keys, i)), key))
			return true;
	return false;
}

/*
 * With service-keys, Services have those labels alone: a NetworkPolicy
 * whose selectors (its policies from pols[from]) name another cannot be
 * enforced.
 */
static int netpol_keys(struct k8s *k, const struct obj *np, json_object *intent,
		       json_object *pols, size_t from)
{
	json_object *keys = idm_json_at(intent, "service-keys");
	size_t i, j;
	int side;

	for (i = from; keys && i < json_object_array_length(pols); i++) {
		json_object *p = json_object_array_get_idx(pols, i);

		for (side = 0; side < 2; side++) {
			json_object *sel = idm_json_at(p, side ? "server" : "client");

			for (j = 0; sel && json_object_is_type(sel, json_type_array) &&
			     j < json_object_array_length(sel); j++) {
				const char *key = json_object_get_string(
					idm_json_at(json_object_array_get_idx(sel, j), "key"));

				if (!service_key(keys, key))
					return k8s_fail(k, np, "spec",
							"selects by \"%s\", which is not one of the service-keys",
							key);
			}
		}
	}
	return 0;
}

/* The user's part of the intent: identity settings and policies. */
static int merge_policy(struct k8s *k, const char *file, json_object *intent)
{
	static const char *const keys[] = { "default", "service-keys", "ids",
					    "hash-key", "policies", NULL };
	struct ctx c = { .file = file, .err = k->err, .errlen = k->errlen };
	json_object *root;
	char *text;
	size_t len, i;

	text = idm_read_file(file, &len);
	if (!text) {
		snprintf(k->err, k->errlen, "cannot read \"%s\": %s", file, strerror(errno));
		return -1;
	}
	root = idm_parse_text(&c, text, len);
	free(text);
	if (!root)
		return -1;
	if (idm_want_type(&c, "", root, json_type_object, "an object at the top") ||
	    idm_known_keys(&c, "", root, keys)) {
		json_object_put(root);
		return -1;
	}
	for (i = 0; keys[i]; i++) {
		json_object *x;

		if (json_object_object_get_ex(root, keys[i], &x))
			json_object_object_add(intent, keys[i], json_object_get(x));
	}
	json_object_put(root);
	return 0;
}

/*
 * Every file's objects, then the ones given in memory (the bad ones left
 * out, with why); -1 with why in k->err when a file cannot be read.
 */
static int load_all(struct k8s *k, const struct idm_k8s_args *a)
{
	size_t i;

	for (i = 0; i < a->nfiles; i++)
		if (load_file(k, a->files[i]))
			return -1;
	for (i = 0; i < a->nobjs; i++)
		add_obj(k, NULL, "", a->objs[i]);
	for (i = 0; i < a->nremote; i++) {
		size_t j;

		k->loading = (unsigned int)i + 1;
		if (a->remote[i].file && load_file(k, a->remote[i].file))
			return -1;
		for (j = 0; j < a->remote[i].nobjs; j++)
			add_obj(k, NULL, "", a->remote[i].objs[j]);
	}
	k->loading = 0;
	check_unique(k);
	return 0;
}

/* Node a->node among the objects; NULL with why in k->err. */
static const struct obj *find_node(struct k8s *k, const struct idm_k8s_args *a)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (!strcmp(k->v[i].kind, "Node") && !k->v[i].cluster &&
		    !strcmp(k->v[i].name, a->node))
			return &k->v[i];
	snprintf(k->err, k->errlen, "node \"%s\" is not among the Nodes given", a->node);
	return NULL;
}

static void k8s_free(struct k8s *k)
{
	size_t i;

	for (i = 0; i < k->nroots; i++)
		json_object_put(k->roots[i]);
	free(k->roots);
	free(k->slices);
	json_object_put(k->ns_labels);
	free(k->v);
}

/* What is written: indented, "/" as it is. */
static char *json_text(json_object *o)
{
	return xstrdup(json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		JSON_C_TO_STRING_NOSLASHESCAPE));
}

json_object *idm_k8s_build(struct idm_k8s_args *a, unsigned int parts,
			   char *err, size_t errlen)
{
	struct k8s k = { .err = err, .errlen = errlen, .a = a };
	json_object *intent = NULL, *links, *vips = NULL, *wls = NULL, *ports = NULL;
	json_object *pols = NULL;
	const struct obj *me = NULL;
	size_t i;

	a->skipped = 0;
	if (load_all(&k, a))
		goto fail;
	if (parts & (IDM_K8S_LINKS | IDM_K8S_SACL)) {
		me = find_node(&k, a);
		if (!me)
			goto fail;
	}
	if ((parts & IDM_K8S_VIPS) && index_slices(&k))
		goto fail;
	if (parts & IDM_K8S_SACL)
		index_namespaces(&k);
	intent = json_object_new_object();
	if ((parts & IDM_K8S_SACL) && a->policy && merge_policy(&k, a->policy, intent))
		goto fail;
	if (parts & IDM_K8S_LINKS) {
		/* The per-Node remote links of earlier releases go. */
		json_object_object_add(intent, "remote-links", json_object_new_array());
		links = json_object_new_array();
		json_object_object_add(intent, "external-links", links);
		if (external_links(&k, me, links))
			goto fail;
		if (a->ipsec_secrets && ipsec_secrets(&k, a->ipsec_secrets, intent, links))
			goto fail;
		if (a->masquerade) {
			json_object *m = json_object_new_array();

			json_object_object_add(intent, "masquerade", m);
			masquerade(&k, me, m);
		}
	}
	if (parts & IDM_K8S_VIPS) {
		vips = json_object_new_array();
		json_object_object_add(intent, "vips", vips);
	}
	if (parts & IDM_K8S_SACL) {
		/* The NetworkPolicies join the policies the user gave. */
		if (!json_object_object_get_ex(intent, "policies", &pols)) {
			pols = json_object_new_array();
			json_object_object_add(intent, "policies", pols);
		}
		ports = json_object_new_array();
		json_object_object_add(intent, "ports", ports);
		wls = json_object_new_array();
		json_object_object_add(intent, "workloads", wls);
	}
	for (i = 0; i < k.n; i++) {
		const struct obj *ob = &k.v[i];

		/* What an object that fails halfway made is taken back. */
		if (vips && (!strcmp(ob->kind, "Service") || !strcmp(ob->kind, "ServiceImport"))) {
			size_t nv = json_object_array_length(vips);

			if (service_vips(&k, ob, a->node, vips, a->table_size)) {
				k8s_truncate_array(vips, nv);
				k8s_skip(&k, "no VIP for it");
			}
		}
		if (pols && !strcmp(ob->kind, "NetworkPolicy")) {
			size_t np = json_object_array_length(pols);

			if (k8s_netpol(&k, ob, pols) ||
			    netpol_keys(&k, ob, intent, pols, np)) {
				k8s_truncate_array(pols, np);
				k8s_skip(&k, "not enforced");
			}
		}
		if (wls && !strcmp(ob->kind, "Pod")) {
			size_t nw = json_object_array_length(wls);
			size_t np = json_object_array_length(ports);

			if (pod_workloads(&k, ob, a->node, wls, ports)) {
				k8s_truncate_array(wls, nw);
				k8s_truncate_array(ports, np);
				k8s_skip(&k, "left out");
			}
		}
	}
	k8s_free(&k);
	return intent;
fail:
	json_object_put(intent);
	k8s_free(&k);
	return NULL;
}

char *idm_k8s_conflist(struct idm_k8s_args *a, int sacl, uint32_t mtu,
		       char *err, size_t errlen)
{
	struct k8s k = { .err = err, .errlen = errlen, .a = a };
	json_object *conf = NULL, *plugin, *ipam, *ranges, *cidrs;
	const char *addr, *cidr;
	const struct obj *me;
	char *text = NULL;
	size_t i, n;

	a->skipped = 0;
	me = load_all(&k, a) ? NULL : find_node(&k, a);
	if (!me || node_info(&k, me, 0, &addr, &cidrs, &cidr))
		goto out;
	n = cidrs ? json_object_array_length(cidrs) : cidr ? 1 : 0;
	if (!n) {
		k8s_fail(&k, me, "spec.podCIDRs", "none yet: the node has no pod addresses to give");
		goto out;
	}
	ranges = json_object_new_array();
	for (i = 0; i < n; i++) {
		const char *s = pod_cidr(&k, me, cidrs, cidr, i);
		json_object *set, *r;

		if (!s) {
			json_object_put(ranges);
			goto out;
		}
		r = json_object_new_object();
		json_object_object_add(r, "subnet", json_object_new_string(s));
		set = json_object_new_array();
		json_object_array_add(set, r);
		json_object_array_add(ranges, set);
	}
	ipam = json_object_new_object();
	json_object_object_add(ipam, "type", json_object_new_string("host-local"));
	json_object_object_add(ipam, "ranges", ranges);
	plugin = json_object_new_object();
	json_object_object_add(plugin, "type", json_object_new_string("idmesh-cni"));
	if (mtu)
		json_object_object_add(plugin, "mtu", json_object_new_int64(mtu));
	if (sacl)
		json_object_object_add(plugin, "sacl", json_object_new_boolean(1));
	json_object_object_add(plugin, "ipam", ipam);
	conf = json_object_new_object();
	/*
	 * CNI 1.1's negotiation: a runtime whose libcni knows 1.1.0 (GC,
	 * STATUS) takes the newest of cniVersions, an older one (podman 4.3:
	 * libcni 1.1, which refuses a 1.1.0 result) reads cniVersion.
	 */
	json_object_object_add(conf, "cniVersion", json_object_new_string("1.0.0"));
	json_object_object_add(conf, "cniVersions", json_object_new_array());
	json_object_array_add(json_object_object_get(conf, "cniVersions"),
			      json_object_new_string("1.0.0"));
	json_object_array_add(json_object_object_get(conf, "cniVersions"),
			      json_object_new_string("1.1.0"));
	json_object_object_add(conf, "name", json_object_new_string("idmesh"));
	json_object_object_add(conf, "plugins", json_object_new_array());
	json_object_array_add(json_object_object_get(conf, "plugins"), plugin);
	text = json_text(conf);
out:
	json_object_put(conf);
	k8s_free(&k);
	return text;
}

char *idm_k8s_intent(struct idm_k8s_args *a, char *err, size_t errlen)
{
	json_object *intent = idm_k8s_build(a, IDM_K8S_ALL, err, errlen);
	char *text;

	if (!intent)
		return NULL;
	text = json_text(intent);
	json_object_put(intent);
	return text;
}
