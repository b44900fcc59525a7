// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh-agent: keeps one node in step with its cluster. It lists and
 * watches Nodes, Services, EndpointSlices, Pods, Namespaces,
 * NetworkPolicies and ServiceImports (a CRD's: none while it is not
 * served), and other clusters' Nodes, Pods and Namespaces, as client-go's
 * reflector does (list, then watch from the list's resourceVersion with
 * bookmarks; on 410 Gone relist; on a broken stream watch again after an
 * exponential backoff with jitter), keeps the objects in memory, and
 * turns each event into the change of the one part it touches: a
 * Service's VIPs (that Service and its EndpointSlices alone), the remote
 * links (a Node), the identity tables (a Pod). A resync builds the whole
 * intent and lets apply's diff change what differs (nothing, when the
 * node agrees). Every change goes through apply's engine: all of it, or
 * nothing (its undo). Documentation/agent.rst.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <curl/curl.h>
#include <json-c/json.h>

#include "apply.h"
#include "intent.h"
#include "k8s.h"
#include "kube.h"
#include "nl.h"
#include "sacl.h"
#include "util.h"

enum { R_NODE, R_SVC, R_SLICE, R_POD, R_NS, R_NP, R_SI, NRES };
/* What the agent reads of another cluster: its Nodes, Pods, Namespaces. */
static const int remote_kinds[] = { R_NODE, R_POD, R_NS };
#define NREMOTE_RES	ARRAY_LEN(remote_kinds)

enum { S_LIST, S_WATCH, S_WAIT };
enum { EV_ADDED, EV_MODIFIED, EV_DELETED, EV_BOOKMARK, EV_ERROR, NEV };
enum { P_LINKS, P_VIPS, P_SACL, P_ALL, NPART };

static const char *const ev_names[NEV] = {
	"ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"
};
static const char *const part_names[NPART] = { "links", "vips", "sacl", "all" };

struct res {
	int id;				/* R_* */
	const char *kind, *api_version, *path;
	const char *cluster;		/* another cluster's name; NULL: this one */
	struct kube_cfg *cfg;		/* its API server */
	/*
	 * A kind only some clusters serve (a CRD's: ServiceImport): a list
	 * answered 404 holds none of it, and the sync goes on without.
	 */
	bool optional, absent;
	json_object *objs;		/* "ns/name" (Nodes: name) -> object */
	char *rv;			/* where the watch starts */
	int state;
	bool relist;			/* S_WAIT ends in a list, not a watch */
	bool gone;			/* the stream said 410 */
	bool listed;			/* once, at least */
	bool tried;			/* a list answered (or failed) once */
	double due;			/* S_WAIT: until then */
	unsigned int fails;
	CURL *h;
	struct curl_slist *hdrs;
	char *buf;			/* the stream's unfinished line */
	size_t len, cap;
	uint64_t events[NEV], lists, relists, watches, stream_errors;
};

/*
 * Where VIPs come from: Services and ServiceImports (KEP-1645), each
 * with the EndpointSlices whose label names it.
 */
enum { V_SVC, V_SI, NVSRC };
struct vipsrc {
	int res;			/* R_SVC, R_SI */
	const char *label;		/* the slice's label that names it */
	const char *what;		/* in the log, before "ns/name" */
	json_object *by;		/* "ns/name" -> { slice key: slice } */
	json_object *vips;		/* "ns/name" -> its VIPs, as applied */
	json_object *dirty;		/* "ns/name" -> null */
};

/* Another cluster of the clusterset: a kubeconfig context. */
struct remote {
	char *name;
	const char *context;
	struct kube_cfg cfg;
	struct res r[NRES];		/* by kind: remote_kinds[] only */
};

struct agent {
	struct kube_cfg cfg;
	struct remote *remote;
	size_t nremote;
	struct res **all;		/* this cluster's and the others' */
	size_t nall;
	const char *node, *policy, *conflist, *metrics, *netns;
	uint32_t table_size, mtu;
	bool masquerade;		/* the node's pod CIDRs' egress */
	/* The IPsec secrets' file, and its inode and time when last read. */
	const char *ipsec_secrets;
	struct timespec ipsec_mtime;
	ino_t ipsec_ino;
	bool sacl_conf, dry, once;
	double resync;
	struct res r[NRES];
	CURLM *multi;
	struct vipsrc src[NVSRC];
	bool dirty_links, dirty_sacl, dirty_conf, full;
	double next_resync, retry_at;
	unsigned int apply_fails;
	bool nl_open;
	struct idm_nl nl, rt;
	int listen_fd;
	char *conf_text;		/* the conflist as written */
	/* counters */
	uint64_t applies[NPART], failures[NPART], changes, skipped;
	double last_sync, last_us[NPART];
	bool synced;
};

static volatile sig_atomic_t stop;

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- structured log: logfmt, one line per event ---- */

static void put_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/*
 * "ts=... level=L msg="M" k=v ...": kv is a list of key, value pairs
 * ending in NULL; values with a space or quote are quoted.
 */
static void lg(const char *level, const char *msg, ...)
{
	char ts[40];
	struct timespec t;
	struct tm tm;
	const char *k, *v;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &t);
	gmtime_r(&t.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "ts=%s.%03ldZ level=%s msg=", ts, t.tv_nsec / 1000000, level);
	put_quoted(stderr, msg);
	va_start(ap, msg);
	while ((k = va_arg(ap, const char *))) {
		v = va_arg(ap, const char *);
		fprintf(stderr, " %s=", k);
		if (!v)
			v = "";
		if (!*v || strpbrk(v, " \"=\\\n"))
			put_quoted(stderr, v);
		else
			fputs(v, stderr);
	}
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

static const char *num(char *buf, size_t len, double v)
{
	snprintf(buf, len, "%.0f", v);
	return buf;
}

static void warn_obj(void *arg, const char *msg)
{
	struct agent *ag = arg;

	ag->skipped++;
	lg("warn", "object left out", "reason", msg, NULL);
}

/* A log line's last pair: the cluster of r, when it is another one. */
#define CL(r)	((r)->cluster ? "cluster" : NULL), (r)->cluster

/* ---- objects ---- */

/* "ns/name", or a Node's name; false for an object without a name. */
static bool obj_key(const struct res *r, json_object *o, char *buf, size_t len)
{
	json_object *md = idm_json_at(o, "metadata");
	const char *name = idm_json_str(md, "name"), *ns = idm_json_str(md, "namespace");

	if (!name || !*name)
		return false;
	if (!r || !strcmp(r->kind, "Node") || !strcmp(r->kind, "Namespace"))
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%s/%s", ns ? ns : "default", name);
	return true;
}

/* An EndpointSlice's Service (or ServiceImport): "ns/svc", or false. */
static bool slice_svc(const struct vipsrc *v, json_object *o, char *buf, size_t len)
{
	json_object *md = idm_json_at(o, "metadata");
	const char *svc = idm_json_str(idm_json_at(md, "labels"), v->label);
	const char *ns = idm_json_str(md, "namespace");

	if (!svc)
		return false;
	snprintf(buf, len, "%s/%s", ns ? ns : "default", svc);
	return true;
}

static void mark_svc(struct vipsrc *v, const char *key)
{
	json_object_object_add(v->dirty, key, NULL);
}

/* Whether two objects differ in what the intent reads of them. */
static bool differ(json_object *a, json_object *b, const char *const *paths)
{
	size_t i;

	if (!a || !b)
		return true;
	for (i = 0; paths[i]; i += 2) {
		json_object *x = idm_json_at(idm_json_at(a, paths[i]), paths[i + 1]);
		json_object *y = idm_json_at(idm_json_at(b, paths[i]), paths[i + 1]);

		if (!json_object_equal(x, y))
			return true;
	}
	return false;
}

/* An object came, changed or went: mark the parts it touches. */
static void touch(struct agent *ag, struct res *r, json_object *old, json_object *cur)
{
	static const char *const node_paths[] = {
		"status", "addresses", "spec", "podCIDRs", "spec", "podCIDR", NULL
	};
	static const char *const pod_paths[] = {
		"metadata", "labels", "spec", "nodeName", "spec", "hostNetwork",
		"spec", "containers", "status", "podIPs", "status", "podIP",
		"status", "phase", NULL
	};
	static const char *const ns_paths[] = { "metadata", "labels", NULL };
	static const char *const np_paths[] = {
		"spec", "podSelector", "spec", "policyTypes", "spec", "ingress",
		"spec", "egress", NULL
	};
	char key[600];
	int i;

	switch (r->id) {
	case R_NODE:
		if (!differ(old, cur, node_paths))
			return;
		ag->dirty_links = true;
		if (!r->cluster && obj_key(r, cur ? cur : old, key, sizeof(key)) &&
		    !strcmp(key, ag->node)) {
			ag->dirty_conf = true;
			ag->dirty_sacl = true;
		}
		break;
	case R_SVC:
	case R_SI:
		if (obj_key(r, cur ? cur : old, key, sizeof(key)))
			mark_svc(&ag->src[r->id == R_SI ? V_SI : V_SVC], key);
		break;
	case R_SLICE:
		for (i = 0; i < NVSRC; i++) {
			if (old && slice_svc(&ag->src[i], old, key, sizeof(key)))
				mark_svc(&ag->src[i], key);
			if (cur && slice_svc(&ag->src[i], cur, key, sizeof(key)))
				mark_svc(&ag->src[i], key);
		}
		break;
	case R_POD:
		if (differ(old, cur, pod_paths))
			ag->dirty_sacl = true;
		break;
	case R_NS:
		/* Its labels are its Pods' identity. */
		if (differ(old, cur, ns_paths))
			ag->dirty_sacl = true;
		break;
	case R_NP:
		if (differ(old, cur, np_paths))
			ag->dirty_sacl = true;
		break;
	}
}

/* Keep the slice index of a Service (or ServiceImport): old out, cur in. */
static void index_slice(struct vipsrc *v, const char *key, json_object *old,
			json_object *cur)
{
	char svc[600];
	json_object *set;

	if (old && slice_svc(v, old, svc, sizeof(svc)) &&
	    json_object_object_get_ex(v->by, svc, &set)) {
		json_object_object_del(set, key);
		if (!json_object_object_length(set))
			json_object_object_del(v->by, svc);
	}
	if (cur && slice_svc(v, cur, svc, sizeof(svc))) {
		if (!json_object_object_get_ex(v->by, svc, &set)) {
			set = json_object_new_object();
			json_object_object_add(v->by, svc, set);
		}
		json_object_object_add(set, key, json_object_get(cur));
	}
}

/* Put cur (NULL: remove) under key; the parts it touches marked. */
static void store(struct agent *ag, struct res *r, const char *key, json_object *cur)
{
	json_object *old = NULL;

	json_object_object_get_ex(r->objs, key, &old);
	if (old)
		json_object_get(old);
	touch(ag, r, old, cur);
	if (r->id == R_SLICE) {
		int i;

		for (i = 0; i < NVSRC; i++)
			index_slice(&ag->src[i], key, old, cur);
	}
	if (cur)
		json_object_object_add(r->objs, key, json_object_get(cur));
	else
		json_object_object_del(r->objs, key);
	json_object_put(old);
}

/*
 * List items have no kind and apiVersion; what k8s.c reads needs them.
 * What nothing reads is dropped before the object is held: a real
 * cluster's managed fields and annotations (kubectl's last applied
 * configuration), a Node's image list, a Pod's volumes and container
 * statuses weigh more than the rest of the object.
 */
static void set_kind(const struct res *r, json_object *o)
{
	static const char *const drop[][2] = {
		{ "metadata", "managedFields" }, { "metadata", "annotations" },
		{ "status", "images" }, { "status", "conditions" },
		{ "status", "nodeInfo" }, { "spec", "volumes" },
		{ "status", "containerStatuses" }, { "status", "initContainerStatuses" },
	};
	size_t i;

	json_object_object_add(o, "kind", json_object_new_string(r->kind));
	json_object_object_add(o, "apiVersion", json_object_new_string(r->api_version));
	for (i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
		json_object *x = idm_json_at(o, drop[i][0]);

		if (x && json_object_is_type(x, json_type_object))
			json_object_object_del(x, drop[i][1]);
	}
}

static void set_rv(struct res *r, json_object *o)
{
	const char *rv = idm_json_str(idm_json_at(o, "metadata"), "resourceVersion");

	if (rv) {
		free(r->rv);
		r->rv = xstrdup(rv);
	}
}

/* ---- list and watch ---- */

static double backoff(unsigned int fails)
{
	/* client-go's reflector: 800 ms doubling to 30 s, jitter up to 100 %. */
	double d = 0.8 * pow(2, fails > 6 ? 6 : fails);

	if (d > 30)
		d = 30;
	return d * (1 + (double)random() / RAND_MAX);
}

static void wait_then(struct agent *ag, struct res *r, bool relist)
{
	double d = backoff(r->fails++);
	char s[32];

	r->state = S_WAIT;
	r->relist = relist;
	r->due = now_mono() + d;
	snprintf(s, sizeof(s), "%.2f", d);
	if (!r->absent)
		lg("info", relist ? "list again after backoff" : "watch again after backoff",
		   "kind", r->kind, "backoff_s", s, CL(r), NULL);
}

struct body {
	char *p;
	size_t len;
};

static size_t body_write(char *data, size_t size, size_t n, void *arg)
{
	struct body *b = arg;

	b->p = xrealloc(b->p, b->len + size * n + 1, 1);
	memcpy(b->p + b->len, data, size * n);
	b->len += size * n;
	b->p[b->len] = '\0';
	return size * n;
}

/* A Status's message, or the HTTP code. */
static void http_error(const char *what, const struct res *r, long code,
		       CURLcode cc, const char *errbuf, const char *body)
{
	json_object *st = body ? json_tokener_parse(body) : NULL;
	const char *m = idm_json_str(st, "message");
	char c[16];

	snprintf(c, sizeof(c), "%ld", code);
	lg("error", what, "kind", r->kind, "http", c,
	   "error", cc != CURLE_OK ? (errbuf[0] ? errbuf : curl_easy_strerror(cc)) :
		    m ? m : "", CL(r), NULL);
	json_object_put(st);
}

/*
 * One list, page by page (limit 500, as client-go's pager); the objects
 * replace those held, and the difference is marked. 1: 410 (the pages
 * expired: list again at once), 2: an optional kind not served (none
 * held now), 0, -1.
 */
static int list_res(struct agent *ag, struct res *r)
{
	json_object *fresh = json_object_new_object(), *page = NULL;
	char *cont = NULL, path[2048], errbuf[CURL_ERROR_SIZE];
	struct curl_slist *hdrs;
	int ret = -1;
	long code;

	r->lists++;
	for (;;) {
		struct body b = { 0 };
		json_object *items, *md;
		CURLcode cc;
		CURL *h;
		size_t i;

		if (cont) {
			char *e = curl_easy_escape(NULL, cont, 0);

			snprintf(path, sizeof(path), "%s?limit=500&continue=%s", r->path, e);
			curl_free(e);
		} else {
			snprintf(path, sizeof(path), "%s?limit=500", r->path);
		}
		h = kube_get(r->cfg, path, &hdrs);
		errbuf[0] = '\0';
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, body_write);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
		cc = curl_easy_perform(h);
		code = 0;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		curl_easy_cleanup(h);
		curl_slist_free_all(hdrs);
		if (r->optional && cc == CURLE_OK && code == 404) {
			/* Not served (its CRD is not installed): none of it. */
			free(b.p);
			if (!r->absent)
				lg("info", "kind not served: none held, asked again after backoff",
				   "kind", r->kind, "path", r->path, CL(r), NULL);
			r->absent = true;
			json_object_put(fresh);
			fresh = json_object_new_object();
			free(r->rv);
			r->rv = NULL;
			ret = 2;
			goto diff;
		}
		if (cc != CURLE_OK || code != 200) {
			if (code == 401)
				kube_token_reload(r->cfg);
			http_error("list failed", r, code, cc, errbuf, b.p);
			free(b.p);
			ret = code == 410 ? 1 : -1;
			goto out;
		}
		page = json_tokener_parse(b.p ? b.p : "");
		free(b.p);
		items = idm_json_at(page, "items");
		md = idm_json_at(page, "metadata");
		if (!items || !json_object_is_type(items, json_type_array)) {
			lg("error", "list failed", "kind", r->kind, "error",
			   "the answer is not a list", CL(r), NULL);
			goto out;
		}
		for (i = 0; i < json_object_array_length(items); i++) {
			json_object *o = json_object_array_get_idx(items, i);
			char key[600];

			if (!json_object_is_type(o, json_type_object) ||
			    !obj_key(r, o, key, sizeof(key))) {
				ag->skipped++;
				lg("warn", "object left out", "kind", r->kind,
				   "reason", "no metadata.name", CL(r), NULL);
				continue;
			}
			set_kind(r, o);
			json_object_object_add(fresh, key, json_object_get(o));
		}
		free(cont);
		cont = idm_json_str(md, "continue") ? xstrdup(idm_json_str(md, "continue")) : NULL;
		if (!cont) {
			set_rv(r, page);
			break;
		}
		json_object_put(page);
		page = NULL;
	}
	r->absent = false;
	ret = 0;
diff:
	/* What went, then what came or changed. */
	{
		json_object_iter it;
		char **gone = NULL;
		size_t ngone = 0, i;

		json_object_object_foreachC(r->objs, it)
			if (!json_object_object_get_ex(fresh, it.key, NULL)) {
				gone = xrealloc(gone, ngone + 1, sizeof(*gone));
				gone[ngone++] = xstrdup(it.key);
			}
		for (i = 0; i < ngone; i++) {
			store(ag, r, gone[i], NULL);
			free(gone[i]);
		}
		free(gone);
		json_object_object_foreachC(fresh, it) {
			json_object *old = NULL;

			json_object_object_get_ex(r->objs, it.key, &old);
			if (!old || !json_object_equal(old, it.val))
				store(ag, r, it.key, it.val);
		}
	}
	r->listed = true;
out:
	{
		char n[24];

		if (!ret)
			lg("info", "listed", "kind", r->kind, "objects",
			   num(n, sizeof(n), json_object_object_length(r->objs)),
			   "resourceVersion", r->rv, CL(r), NULL);
	}
	free(cont);
	json_object_put(page);
	json_object_put(fresh);
	return ret;
}

static void on_event(struct agent *ag, struct res *r, const char *line)
{
	json_object *ev = json_tokener_parse(line), *o;
	const char *type;
	char key[600];
	int t;

	type = idm_json_str(ev, "type");
	o = idm_json_at(ev, "object");
	for (t = 0; type && t < NEV; t++)
		if (!strcmp(type, ev_names[t]))
			break;
	if (!type || t == NEV || !o || !json_object_is_type(o, json_type_object)) {
		ag->skipped++;
		lg("warn", "watch event left out", "kind", r->kind,
		   "reason", !ev ? "not JSON" : "no type or object", CL(r), NULL);
		goto out;
	}
	r->events[t]++;
	switch (t) {
	case EV_BOOKMARK:
		set_rv(r, o);
		break;
	case EV_ERROR: {
		json_object *c = idm_json_at(o, "code");
		const char *m = idm_json_str(o, "message");

		if (c && json_object_get_int(c) == 410) {
			r->gone = true;
			lg("info", "watch expired", "kind", r->kind, "error", m, CL(r), NULL);
		} else {
			lg("error", "watch error", "kind", r->kind, "error", m, CL(r), NULL);
		}
		break;
	}
	default:
		if (!obj_key(r, o, key, sizeof(key))) {
			ag->skipped++;
			lg("warn", "watch event left out", "kind", r->kind,
			   "reason", "no metadata.name", CL(r), NULL);
			break;
		}
		set_kind(r, o);
		store(ag, r, key, t == EV_DELETED ? NULL : o);
		set_rv(r, o);
	}
out:
	json_object_put(ev);
}

/* The stream's bytes, kept: handle_lines() reads them, in the loop. */
static size_t stream_write(char *data, size_t size, size_t n, void *arg)
{
	struct res *r = arg;
	size_t add = size * n;

	if (r->len + add + 1 > r->cap) {
		r->cap = (r->len + add + 1) * 2;
		r->buf = xrealloc(r->buf, r->cap, 1);
	}
	memcpy(r->buf + r->len, data, add);
	r->len += add;
	r->buf[r->len] = '\0';
	return add;
}

/* Every whole line the stream of r holds, as events. */
static void handle_lines(struct agent *ag, struct res *r)
{
	size_t start = 0, i;

	for (i = 0; i < r->len; i++) {
		if (r->buf[i] != '\n')
			continue;
		r->buf[i] = '\0';
		if (i > start && !r->gone)
			on_event(ag, r, r->buf + start);
		start = i + 1;
	}
	memmove(r->buf, r->buf + start, r->len - start);
	r->len -= start;
}

static void watch_res(struct agent *ag, struct res *r)
{
	char path[2048];
	/* client-go: a timeout between 5 and 10 minutes, spread over clients. */
	long timeout = 300 + random() % 300;

	snprintf(path, sizeof(path),
		 "%s?watch=1&allowWatchBookmarks=true&resourceVersion=%s&timeoutSeconds=%ld",
		 r->path, r->rv ? r->rv : "", timeout);
	r->h = kube_get(r->cfg, path, &r->hdrs);
	r->len = 0;
	r->gone = false;
	curl_easy_setopt(r->h, CURLOPT_WRITEFUNCTION, stream_write);
	curl_easy_setopt(r->h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(r->h, CURLOPT_PRIVATE, r);
	curl_multi_add_handle(ag->multi, r->h);
	r->state = S_WATCH;
	r->watches++;
}

static void start_res(struct agent *ag, struct res *r)
{
	int rc = list_res(ag, r);

	if (rc == 1)
		rc = list_res(ag, r);
	r->tried = true;
	if (rc == 2) {
		/* Not served: listed as none; a list again, in time. */
		wait_then(ag, r, true);
		return;
	}
	if (rc && ag->once && !r->cluster) {
		stop = 1;	/* one try: the error is said */
		return;
	}
	if (rc) {
		wait_then(ag, r, true);
		return;
	}
	r->fails = 0;
	watch_res(ag, r);
}

/* A watch ended: why, and what comes next. */
static void watch_done(struct agent *ag, struct res *r, CURLcode cc)
{
	long code = 0;

	curl_easy_getinfo(r->h, CURLINFO_RESPONSE_CODE, &code);
	handle_lines(ag, r);
	curl_multi_remove_handle(ag->multi, r->h);
	curl_easy_cleanup(r->h);
	curl_slist_free_all(r->hdrs);
	r->h = NULL;
	r->hdrs = NULL;
	if (r->gone || code == 410) {
		/* The resourceVersion is too old: list again, at once. */
		r->relists++;
		r->state = S_LIST;
		return;
	}
	if (cc == CURLE_OK && code == 200) {
		r->fails = 0;
		watch_res(ag, r);	/* the server's timeout: go on */
		return;
	}
	r->stream_errors++;
	if (code == 401)
		kube_token_reload(r->cfg);
	if (r->optional && code == 404) {
		/* Its CRD went: list (404 again: none held). */
		r->state = S_LIST;
		return;
	}
	http_error("watch broken", r, code, cc, "", r->len ? r->buf : NULL);
	wait_then(ag, r, false);
}

/* ---- the node ---- */

static int nl_up(struct agent *ag)
{
	if (ag->nl_open)
		return 0;
	if (idm_nl_open(&ag->nl, ag->netns))
		return -1;
	if (idm_rt_open(&ag->rt, NULL)) {
		idm_nl_close(&ag->nl);
		return -1;
	}
	ag->nl_open = true;
	return 0;
}

/* Every object of the kinds given of rs (this cluster's or another's), borrowed. */
static json_object **all_objs(struct res *rs, const int *kinds, size_t nk, size_t *n)
{
	json_object **v = NULL;
	size_t k, cnt = 0;

	for (k = 0; k < nk; k++)
		cnt += (size_t)json_object_object_length(rs[kinds[k]].objs);
	v = xrealloc(NULL, cnt, sizeof(*v));
	*n = 0;
	for (k = 0; k < nk; k++) {
		json_object_iter it;

		json_object_object_foreachC(rs[kinds[k]].objs, it)
			v[(*n)++] = it.val;
	}
	return v;
}

/* Same VIP: address, port, protocol. */
static bool same_vip(const struct idm_vip_spec *a, const struct idm_vip_spec *b)
{
	return a->addr.family == b->addr.family && a->port == b->port &&
	       a->proto == b->proto && !memcmp(a->addr.bytes, b->addr.bytes, a->addr.len);
}

static int parse_intent(json_object *o, struct idm_intent *in, char *err, size_t errlen)
{
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);

	if (idm_intent_parse("agent", text, strlen(text), in, err, errlen) ||
	    idm_intent_derive(in, err, errlen))
		return -1;
	return 0;
}

/*
 * Make the intent o (its part `part`) true on the node; old: a Service's
 * VIPs as last made (their removal), with part P_VIPS. 0 or -1; logged
 * with the time since t0 (when its making began).
 */
static int apply_part(struct agent *ag, int part, json_object *o, json_object *old,
		      const char *what, double t0)
{
	struct idm_intent in = { 0 }, was = { 0 };
	struct idm_vip_spec *gone = NULL;
	struct idm_sacl_tables want = { 0 };
	struct idm_apply p = { 0 };
	char err[1024], us[32], nch[24];
	size_t i, j, ngone = 0, n = 0;
	int ret = -1;

	err[0] = '\0';
	if (parse_intent(o, &in, err, sizeof(err)))
		goto out;
	if (part == P_VIPS) {
		in.vips_some = true;
		if (old) {
			json_object *w = json_object_new_object();

			json_object_object_add(w, "vips", json_object_get(old));
			i = parse_intent(w, &was, err, sizeof(err));
			json_object_put(w);
			if (i)
				goto out;
		}
		gone = xrealloc(NULL, was.nvips, sizeof(*gone));
		for (i = 0; i < was.nvips; i++) {
			for (j = 0; j < in.nvips; j++)
				if (same_vip(&was.vips[i].v, &in.vips[j].v))
					break;
			if (j == in.nvips)
				gone[ngone++] = was.vips[i].v;
		}
		in.vips_gone = gone;
		in.nvips_gone = ngone;
	}
	/* The identity part is there when the intent has its workloads. */
	in.keep_sacl = !json_object_object_get_ex(o, "workloads", NULL);
	if (!in.keep_sacl && idm_intent_state(&in, &want, err, sizeof(err)))
		goto out;
	if (ag->dry) {
		/* What would be made, one JSON line on standard output. */
		json_object *l = json_object_new_object(), *g = json_object_new_array();

		for (i = 0; i < ngone; i++) {
			char a[INET6_ADDRSTRLEN];

			inet_ntop(gone[i].addr.family, gone[i].addr.bytes, a, sizeof(a));
			json_object_array_add(g, json_object_new_string(a));
		}
		json_object_object_add(l, "part", json_object_new_string(part_names[part]));
		json_object_object_add(l, "what", json_object_new_string(what));
		json_object_object_add(l, "intent", json_object_get(o));
		json_object_object_add(l, "gone", g);
		printf("%s\n", json_object_to_json_string_ext(l, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		fflush(stdout);
		json_object_put(l);
		ret = 0;
		goto out;
	}
	if (nl_up(ag) || idm_apply_plan(&ag->nl, &ag->rt, &in, &want, &p))
		goto out;
	n = p.links.n + p.vips.n + (size_t)p.nops + p.set_key + p.set_masq + p.set_default;
	if (n && ((!in.keep_sacl && idm_apply_check_devs(&in, &want)) ||
		  idm_apply_commit(&ag->nl, &ag->rt, &in, &want, &p)))
		goto out;
	ret = 0;
out:
	ag->applies[part]++;
	ag->last_us[part] = (now_mono() - t0) * 1e6;
	snprintf(us, sizeof(us), "%.0f", ag->last_us[part]);
	snprintf(nch, sizeof(nch), "%zu", n);
	if (ret) {
		ag->failures[part]++;
		lg("error", "apply failed", "part", part_names[part], "what", what,
		   "error", err[0] ? err : "see above", NULL);
	} else {
		ag->changes += n;
		lg("info", ag->dry ? "planned" : "applied", "part", part_names[part],
		   "what", what, "changes", ag->dry ? "?" : nch, "duration_us", us, NULL);
	}
	idm_apply_free(&p);
	idm_sacl_tables_free(&want);
	idm_intent_free(&in);
	idm_intent_free(&was);
	free(gone);
	return ret;
}

/* A Service's (ServiceImport's) VIPs, from it and its EndpointSlices alone. */
static json_object *svc_intent(struct agent *ag, struct vipsrc *vs, const char *key)
{
	struct idm_k8s_args a = {
		.node = ag->node, .table_size = ag->table_size,
		.warn = warn_obj, .warn_arg = ag,
	};
	json_object **v, *svc = NULL, *set = NULL, *o;
	char err[1024];
	size_t n = 0;

	json_object_object_get_ex(ag->r[vs->res].objs, key, &svc);
	json_object_object_get_ex(vs->by, key, &set);
	/* The Service and every slice of it (none without the Service). */
	v = xrealloc(NULL, 1 + (svc && set ? (size_t)json_object_object_length(set) : 0),
		     sizeof(*v));
	if (svc)
		v[n++] = svc;
	if (svc && set) {
		json_object_iter it;

		json_object_object_foreachC(set, it)
			v[n++] = it.val;
	}
	a.objs = v;
	a.nobjs = n;
	o = idm_k8s_build(&a, IDM_K8S_VIPS, err, sizeof(err));
	free(v);
	if (!o)
		lg("error", "no VIPs", vs->res == R_SI ? "serviceimport" : "service", key,
		   "error", err, NULL);
	return o;
}

static int sync_svc(struct agent *ag, struct vipsrc *vs, const char *key)
{
	double t0 = now_mono();
	json_object *o = svc_intent(ag, vs, key), *old = NULL, *vips;
	char what[640];

	if (!o)
		return 0;	/* said; never retried until it changes */
	vips = idm_json_at(o, "vips");
	json_object_object_get_ex(vs->vips, key, &old);
	if (old ? json_object_equal(old, vips) : !json_object_array_length(vips)) {
		json_object_put(o);
		return 0;
	}
	snprintf(what, sizeof(what), "%s%s", vs->what, key);
	if (apply_part(ag, P_VIPS, o, old, what, t0)) {
		json_object_put(o);
		return -1;
	}
	if (json_object_array_length(vips))
		json_object_object_add(vs->vips, key, json_object_get(vips));
	else
		json_object_object_del(vs->vips, key);
	json_object_put(o);
	return 0;
}

/* This node among the Nodes: without it, no links and no identity. */
static bool have_node(struct agent *ag)
{
	if (json_object_object_get_ex(ag->r[R_NODE].objs, ag->node, NULL))
		return true;
	lg("warn", "this node is not among the cluster's Nodes: its links and identity tables are left as they are",
	   "node", ag->node, NULL);
	return false;
}

/*
 * A part (links, identity) or the whole node from every object. An
 * intent that cannot be made is said and not retried: the next event
 * marks the part again.
 */
static int sync_parts(struct agent *ag, int part)
{
	static const int link_kinds[] = { R_NODE };
	static const int sacl_kinds[] = { R_NODE, R_POD, R_NS, R_NP };
	static const int all_kinds[] = { R_NODE, R_SVC, R_SLICE, R_POD, R_NS, R_NP, R_SI };
	struct idm_k8s_args a = {
		.node = ag->node, .policy = ag->policy, .table_size = ag->table_size,
		.masquerade = ag->masquerade, .warn = warn_obj, .warn_arg = ag,
		.ipsec_secrets = ag->ipsec_secrets,
	};
	struct idm_k8s_cluster *rc = NULL;
	size_t j;
	unsigned int parts = part == P_LINKS ? IDM_K8S_LINKS :
			     part == P_SACL ? IDM_K8S_SACL : IDM_K8S_ALL;
	const int *kinds = part == P_LINKS ? link_kinds : part == P_SACL ? sacl_kinds : all_kinds;
	size_t nk = part == P_LINKS ? ARRAY_LEN(link_kinds) :
		    part == P_SACL ? ARRAY_LEN(sacl_kinds) : ARRAY_LEN(all_kinds);
	double t0 = now_mono();
	char err[1024];
	json_object *o;
	int ret;

	if (!have_node(ag)) {
		if (part != P_ALL)
			return 0;
		parts = IDM_K8S_VIPS;
	}
	a.objs = all_objs(ag->r, kinds, nk, &a.nobjs);
	/* The other clusters' Nodes, Pods and Namespaces, as they are held. */
	if (parts != IDM_K8S_VIPS && ag->nremote) {
		rc = xrealloc(NULL, ag->nremote, sizeof(*rc));
		for (j = 0; j < ag->nremote; j++) {
			rc[j] = (struct idm_k8s_cluster){ .name = ag->remote[j].name };
			rc[j].objs = all_objs(ag->remote[j].r, remote_kinds, NREMOTE_RES,
					      &rc[j].nobjs);
		}
		a.remote = rc;
		a.nremote = ag->nremote;
	}
	o = idm_k8s_build(&a, parts, err, sizeof(err));
	free(a.objs);
	for (j = 0; rc && j < ag->nremote; j++)
		free(rc[j].objs);
	free(rc);
	if (!o) {
		ag->failures[part]++;
		lg("error", "no intent", "part", part_names[part], "error", err, NULL);
		return 0;
	}
	ret = apply_part(ag, part, o, NULL, part_names[part], t0);
	json_object_put(o);
	return ret;
}

/* The whole node; then each Service's VIPs as they now are. */
static int sync_all(struct agent *ag)
{
	json_object_iter it;
	json_object *keys;
	int ret, i;

	ret = sync_parts(ag, P_ALL);
	if (ret)
		return ret;
	for (i = 0; i < NVSRC; i++) {
		struct vipsrc *vs = &ag->src[i];

		json_object_put(vs->vips);
		vs->vips = json_object_new_object();
		keys = json_object_new_object();
		json_object_object_foreachC(ag->r[vs->res].objs, it)
			json_object_object_add(keys, it.key, NULL);
		json_object_object_foreachC(keys, it) {
			json_object *o = svc_intent(ag, vs, it.key);
			json_object *v = idm_json_at(o, "vips");

			if (v && json_object_array_length(v))
				json_object_object_add(vs->vips, it.key, json_object_get(v));
			json_object_put(o);
		}
		json_object_put(keys);
		json_object_put(vs->dirty);
		vs->dirty = json_object_new_object();
	}
	ag->dirty_links = ag->dirty_sacl = false;
	return 0;
}

static void write_conf(struct agent *ag)
{
	struct idm_k8s_args a = {
		.node = ag->node, .warn = warn_obj, .warn_arg = ag,
	};
	json_object *me = NULL, *v[1];
	char err[1024], tmp[4200];
	char *text;
	FILE *f;

	ag->dirty_conf = false;
	if (!ag->conflist)
		return;
	json_object_object_get_ex(ag->r[R_NODE].objs, ag->node, &me);
	if (!me) {
		lg("warn", "no conflist yet", "node", ag->node, "error",
		   "the Node is not in the cluster", NULL);
		return;
	}
	v[0] = me;
	a.objs = v;
	a.nobjs = 1;
	text = idm_k8s_conflist(&a, ag->sacl_conf, ag->mtu, err, sizeof(err));
	if (!text) {
		lg("warn", "no conflist yet", "node", ag->node, "error", err, NULL);
		return;
	}
	if (ag->conf_text && !strcmp(ag->conf_text, text)) {
		free(text);
		return;
	}
	/* A runtime reads it whole or not at all: written aside, then renamed. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", ag->conflist);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%s\n", text) < 0 || fclose(f) || rename(tmp, ag->conflist)) {
		lg("error", "cannot write the conflist", "file", ag->conflist,
		   "error", strerror(errno), NULL);
		free(text);
		return;
	}
	lg("info", "wrote the conflist", "file", ag->conflist, NULL);
	free(ag->conf_text);
	ag->conf_text = text;
}

/*
 * This cluster's kinds listed (an optional one maybe as not served), the
 * other clusters' asked once: one that cannot be reached holds no sync
 * back, and joins when its list comes.
 */
static bool all_listed(const struct agent *ag)
{
	size_t i;

	for (i = 0; i < ag->nall; i++)
		if (ag->all[i]->cluster ? !ag->all[i]->tried : !ag->all[i]->listed)
			return false;
	return true;
}

/* What the events since the last call marked, made true. */
static void sync_node(struct agent *ag)
{
	double now = now_mono();
	bool failed = false;

	if (!all_listed(ag) || now < ag->retry_at)
		return;
	if (ag->dirty_conf)
		write_conf(ag);
	if (!ag->synced || ag->full || now >= ag->next_resync) {
		failed = sync_all(ag) != 0;
		if (!failed) {
			ag->full = false;
			ag->next_resync = now + ag->resync;
		}
	} else {
		json_object_iter it;
		int i;

		if (ag->dirty_links) {
			ag->dirty_links = sync_parts(ag, P_LINKS) != 0;
			failed |= ag->dirty_links;
		}
		if (ag->dirty_sacl) {
			ag->dirty_sacl = sync_parts(ag, P_SACL) != 0;
			failed |= ag->dirty_sacl;
		}
		for (i = 0; i < NVSRC; i++) {
			struct vipsrc *vs = &ag->src[i];
			json_object *left = json_object_new_object();

			json_object_object_foreachC(vs->dirty, it)
				if (sync_svc(ag, vs, it.key)) {
					json_object_object_add(left, it.key, NULL);
					failed = true;
				}
			json_object_put(vs->dirty);
			vs->dirty = left;
		}
	}
	if (failed) {
		double d = backoff(ag->apply_fails++);
		char s[32];

		snprintf(s, sizeof(s), "%.2f", d);
		ag->retry_at = now + d;
		lg("info", "retry after backoff", "backoff_s", s, NULL);
		return;
	}
	ag->apply_fails = 0;
	if (!ag->synced)
		lg("info", "in sync", "node", ag->node, NULL);
	ag->synced = true;
	ag->last_sync = now_wall();
}

static bool dirty(const struct agent *ag)
{
	int i;

	for (i = 0; i < NVSRC; i++)
		if (json_object_object_length(ag->src[i].dirty))
			return true;
	return ag->dirty_links || ag->dirty_sacl || ag->dirty_conf || ag->full;
}

/* ---- metrics: Prometheus text ---- */

static void metric_head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A resource's labels: its kind, and its cluster when another one. */
static void res_labels(FILE *f, const struct res *r)
{
	fprintf(f, "kind=\"%s\"", r->kind);
	if (r->cluster)
		fprintf(f, ",cluster=\"%s\"", r->cluster);
}

/* A counter of each kind: the uint64_t at off in its struct res. */
static void per_kind(FILE *f, const struct agent *ag, const char *name, const char *help,
		     size_t off)
{
	size_t i;

	metric_head(f, name, "counter", help);
	for (i = 0; i < ag->nall; i++) {
		fprintf(f, "%s{", name);
		res_labels(f, ag->all[i]);
		fprintf(f, "} %" PRIu64 "\n",
			*(const uint64_t *)((const char *)ag->all[i] + off));
	}
}

static void metrics_text(struct agent *ag, FILE *f)
{
	struct rusage ru;
	size_t j;
	int i, t;

	metric_head(f, "idmesh_agent_events_total", "counter",
		    "Watch events received, by kind and type.");
	for (j = 0; j < ag->nall; j++)
		for (t = 0; t < NEV; t++) {
			fprintf(f, "idmesh_agent_events_total{");
			res_labels(f, ag->all[j]);
			fprintf(f, ",type=\"%s\"} %" PRIu64 "\n", ev_names[t],
				ag->all[j]->events[t]);
		}
	per_kind(f, ag, "idmesh_agent_lists_total", "Lists, by kind.",
		 offsetof(struct res, lists));
	per_kind(f, ag, "idmesh_agent_relists_total", "Lists again after 410 Gone, by kind.",
		 offsetof(struct res, relists));
	per_kind(f, ag, "idmesh_agent_watches_total", "Watches started, by kind.",
		 offsetof(struct res, watches));
	per_kind(f, ag, "idmesh_agent_watch_errors_total",
		 "Watch streams broken or refused, by kind.", offsetof(struct res, stream_errors));
	metric_head(f, "idmesh_agent_objects", "gauge", "Objects held, by kind.");
	for (j = 0; j < ag->nall; j++) {
		fprintf(f, "idmesh_agent_objects{");
		res_labels(f, ag->all[j]);
		fprintf(f, "} %d\n", json_object_object_length(ag->all[j]->objs));
	}
	metric_head(f, "idmesh_agent_kind_served", "gauge",
		    "0 while a kind of a CRD (ServiceImport) is not served (404).");
	for (j = 0; j < ag->nall; j++) {
		if (!ag->all[j]->optional)
			continue;
		fprintf(f, "idmesh_agent_kind_served{");
		res_labels(f, ag->all[j]);
		fprintf(f, "} %d\n", !ag->all[j]->absent);
	}
	metric_head(f, "idmesh_agent_skipped_objects_total", "counter",
		    "Objects and events left out as unusable (each logged).");
	fprintf(f, "idmesh_agent_skipped_objects_total %" PRIu64 "\n", ag->skipped);
	metric_head(f, "idmesh_agent_applies_total", "counter",
		    "Changes of a part of the node, by part.");
	for (i = 0; i < NPART; i++)
		fprintf(f, "idmesh_agent_applies_total{part=\"%s\"} %" PRIu64 "\n",
			part_names[i], ag->applies[i]);
	metric_head(f, "idmesh_agent_apply_failures_total", "counter",
		    "Changes that failed (and were undone), by part.");
	for (i = 0; i < NPART; i++)
		fprintf(f, "idmesh_agent_apply_failures_total{part=\"%s\"} %" PRIu64 "\n",
			part_names[i], ag->failures[i]);
	metric_head(f, "idmesh_agent_apply_seconds", "gauge",
		    "How long the last change of a part took.");
	for (i = 0; i < NPART; i++)
		fprintf(f, "idmesh_agent_apply_seconds{part=\"%s\"} %.6f\n",
			part_names[i], ag->last_us[i] / 1e6);
	metric_head(f, "idmesh_agent_kernel_changes_total", "counter",
		    "Links, VIPs and SACL entries changed.");
	fprintf(f, "idmesh_agent_kernel_changes_total %" PRIu64 "\n", ag->changes);
	metric_head(f, "idmesh_agent_synced", "gauge",
		    "1 when the node held everything the cluster said at the last sync.");
	fprintf(f, "idmesh_agent_synced %d\n", ag->synced && !dirty(ag));
	metric_head(f, "idmesh_agent_last_sync_timestamp_seconds", "gauge",
		    "When the node was last in step with the cluster.");
	fprintf(f, "idmesh_agent_last_sync_timestamp_seconds %.3f\n", ag->last_sync);
	metric_head(f, "idmesh_agent_last_sync_age_seconds", "gauge",
		    "Seconds since then (alert on it).");
	fprintf(f, "idmesh_agent_last_sync_age_seconds %.3f\n",
		ag->synced ? now_wall() - ag->last_sync : -1.0);
	getrusage(RUSAGE_SELF, &ru);
	metric_head(f, "idmesh_agent_max_rss_bytes", "gauge", "The agent's peak memory.");
	fprintf(f, "idmesh_agent_max_rss_bytes %ld\n", ru.ru_maxrss * 1024L);
}

static void write_metrics_file(struct agent *ag)
{
	char tmp[4200];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", ag->metrics);
	f = fopen(tmp, "w");
	if (!f)
		return;
	metrics_text(ag, f);
	if (!fclose(f))
		rename(tmp, ag->metrics);
}

/* "[ADDR]:PORT" or "ADDR:PORT": a socket listening there, or -1. */
static int metrics_listen(const char *spec)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL;
	char host[256];
	const char *colon = strrchr(spec, ':');
	int fd = -1, one = 1;
	size_t n;

	if (!colon)
		return -1;
	n = (size_t)(colon - spec);
	if (n >= sizeof(host))
		return -1;
	memcpy(host, spec, n);
	host[n] = '\0';
	if (host[0] == '[' && n > 1 && host[n - 1] == ']') {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	if (getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res) || !res)
		return -1;
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 8)) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	return fd;
}

/* One scrape: the request read (briefly), the text written, closed. */
static void metrics_serve(struct agent *ag)
{
	struct timeval tv = { .tv_sec = 1 };
	char req[2048], *text = NULL, hdr[256];
	size_t tlen = 0;
	ssize_t got;
	FILE *f;
	int c;

	c = accept4(ag->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return;
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	got = recv(c, req, sizeof(req) - 1, 0);
	if (got <= 0) {
		close(c);
		return;
	}
	req[got] = '\0';
	f = open_memstream(&text, &tlen);
	if (!strncmp(req, "GET /metrics ", 13)) {
		metrics_text(ag, f);
		fclose(f);
		snprintf(hdr, sizeof(hdr),
			 "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
			 tlen);
	} else {
		fprintf(f, "not found: GET /metrics\n");
		fclose(f);
		snprintf(hdr, sizeof(hdr),
			 "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
			 tlen);
	}
	if (send(c, hdr, strlen(hdr), MSG_NOSIGNAL) > 0)
		send(c, text, tlen, MSG_NOSIGNAL);
	free(text);
	close(c);
}

/* ---- main ---- */

static void on_signal(int sig)
{
	stop = sig;
}

static void on_hup(int sig)
{
	(void)sig;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: idmesh-agent [--node NAME] [--kubeconfig FILE [--context NAME]]\n"
		"                    [--policy FILE] [--table-size N] [--conflist FILE\n"
		"                    [--mtu N] [--sacl]] [--masquerade]\n"
		"                    [--ipsec-secrets FILE] [--remote-cluster NAME=CONTEXT]...\n"
		"                    [--metrics FILE|[ADDR]:PORT]\n"
		"                    [--resync SECONDS] [-n NETNS] [--dry-run] [--once]\n"
		"Keep this node in step with its cluster: list and watch Nodes, Services,\n"
		"EndpointSlices, Pods, Namespaces, NetworkPolicies and ServiceImports (when\n"
		"served), and apply what each change means for this node\n"
		"(its external links, VIPs and SACL tables), as \"idmesh k8s node NAME |\n"
		"idmesh apply -f -\" would. NAME: --node, else $NODE_NAME, else the host\n"
		"name. The API server: --kubeconfig, else $KUBECONFIG, else the Pod's\n"
		"service account. --conflist writes the node's CNI configuration from its\n"
		"spec.podCIDRs; --masquerade gives its pods egress (their packets leave\n"
		"the node with its address); --ipsec-secrets encrypts the links to other\n"
		"nodes with keys derived from the file's secrets (read again when it\n"
		"changes). --remote-cluster: another cluster of the clusterset, a context\n"
		"of the kubeconfig; its Nodes become peers, its Pods identities \"NAME:ns/pod\".\n"
		"--once: list, apply, exit. --dry-run: plan,\n"
		"change nothing. See Documentation/agent.rst.\n");
}

static int parse_u32(const char *opt, const char *s, uint32_t max, uint32_t *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || end == s || *end || x > max || s[0] == '-') {
		fprintf(stderr, "Error: %s: expected a number 0..%u, not \"%s\"\n", opt, max, s);
		return -1;
	}
	*v = (uint32_t)x;
	return 0;
}

/*
 * A table size every VIP can have: the rule apply's reader applies (a
 * prime in range), asked of it with a one-VIP intent, so that a wrong
 * size stops the agent at its start, not at every apply.
 */
static int check_table_size(uint32_t n)
{
	struct idm_intent in = { 0 };
	char text[200], err[512];
	int ret;

	snprintf(text, sizeof(text),
		 "{\"vips\": [{\"address\": \"192.0.2.1\", \"port\": 1, \"protocol\": \"tcp\", \"table-size\": %u, \"backends\": []}]}",
		 n);
	ret = idm_intent_parse("--table-size", text, strlen(text), &in, err, sizeof(err));
	idm_intent_free(&in);
	if (ret)
		fprintf(stderr, "Error: %s\n", err);
	return ret;
}

/* Resource id of cluster rm (NULL: this one) ready to be listed. */
static void init_one(struct agent *ag, struct remote *rm, int id)
{
	static const struct {
		const char *kind, *av, *path;
	} def[NRES] = {
		[R_NODE] = { "Node", "v1", "/api/v1/nodes" },
		[R_SVC] = { "Service", "v1", "/api/v1/services" },
		[R_SLICE] = { "EndpointSlice", "discovery.k8s.io/v1",
			      "/apis/discovery.k8s.io/v1/endpointslices" },
		[R_POD] = { "Pod", "v1", "/api/v1/pods" },
		[R_NS] = { "Namespace", "v1", "/api/v1/namespaces" },
		[R_NP] = { "NetworkPolicy", "networking.k8s.io/v1",
			   "/apis/networking.k8s.io/v1/networkpolicies" },
		[R_SI] = { "ServiceImport", "multicluster.x-k8s.io/v1alpha1",
			   "/apis/multicluster.x-k8s.io/v1alpha1/serviceimports" },
	};
	struct res *r = rm ? &rm->r[id] : &ag->r[id];

	r->id = id;
	r->kind = def[id].kind;
	r->api_version = def[id].av;
	r->path = def[id].path;
	r->cluster = rm ? rm->name : NULL;
	r->cfg = rm ? &rm->cfg : &ag->cfg;
	r->optional = id == R_SI;
	r->objs = json_object_new_object();
	r->state = S_LIST;
	ag->all[ag->nall++] = r;
}

/*
 * --remote-cluster NAME=CONTEXT: another cluster of the clusterset, by a
 * context of the kubeconfig. NAME is what its Pods' identities carry
 * ("NAME:ns/pod"), as "idmesh k8s ... remote-cluster NAME FILE" does.
 */
static int add_remote(struct agent *ag, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t i, n = eq ? (size_t)(eq - arg) : 0;

	if (!eq || !n || !eq[1]) {
		fprintf(stderr, "Error: --remote-cluster: expected NAME=CONTEXT, not \"%s\"\n", arg);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!(arg[i] >= 'a' && arg[i] <= 'z') && !(arg[i] >= '0' && arg[i] <= '9') &&
		    arg[i] != '-' && arg[i] != '.') {
			fprintf(stderr, "Error: --remote-cluster: the name \"%.*s\" is not a DNS label (a-z, 0-9, \"-\", \".\")\n",
				(int)n, arg);
			return -1;
		}
	for (i = 0; i < ag->nremote; i++)
		if (strlen(ag->remote[i].name) == n && !strncmp(ag->remote[i].name, arg, n)) {
			fprintf(stderr, "Error: --remote-cluster: \"%.*s\" given twice\n",
				(int)n, arg);
			return -1;
		}
	ag->remote = xrealloc(ag->remote, ag->nremote + 1, sizeof(*ag->remote));
	memset(&ag->remote[ag->nremote], 0, sizeof(*ag->remote));
	ag->remote[ag->nremote].name = xrealloc(NULL, n + 1, 1);
	memcpy(ag->remote[ag->nremote].name, arg, n);
	ag->remote[ag->nremote].name[n] = '\0';
	ag->remote[ag->nremote++].context = eq + 1;
	return 0;
}

static void init_res(struct agent *ag)
{
	size_t i, j;

	ag->all = xrealloc(NULL, NRES + ag->nremote * NREMOTE_RES, sizeof(*ag->all));
	for (i = 0; i < NRES; i++)
		init_one(ag, NULL, (int)i);
	for (i = 0; i < ag->nremote; i++)
		for (j = 0; j < NREMOTE_RES; j++)
			init_one(ag, &ag->remote[i], remote_kinds[j]);
	ag->src[V_SVC] = (struct vipsrc){ .res = R_SVC, .label = "kubernetes.io/service-name",
					  .what = "" };
	ag->src[V_SI] = (struct vipsrc){ .res = R_SI,
					 .label = "multicluster.kubernetes.io/service-name",
					 .what = "ServiceImport " };
	for (j = 0; j < NVSRC; j++) {
		ag->src[j].by = json_object_new_object();
		ag->src[j].vips = json_object_new_object();
		ag->src[j].dirty = json_object_new_object();
	}
}

/*
 * The IPsec secrets' file changed (a Secret's volume replaces it whole):
 * the links part is made again with the new secrets. Checked once a turn.
 */
static void check_secrets(struct agent *ag)
{
	struct stat st;

	if (!ag->ipsec_secrets || stat(ag->ipsec_secrets, &st))
		return;
	if (st.st_ino == ag->ipsec_ino && st.st_mtim.tv_sec == ag->ipsec_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == ag->ipsec_mtime.tv_nsec)
		return;
	if (ag->ipsec_ino) {
		lg("info", "the IPsec secrets changed", "file", ag->ipsec_secrets, NULL);
		ag->dirty_links = true;
	}
	ag->ipsec_ino = st.st_ino;
	ag->ipsec_mtime = st.st_mtim;
}

static void loop(struct agent *ag)
{
	double last_metrics = 0;

	while (!stop) {
		struct curl_waitfd extra = { .fd = ag->listen_fd, .events = CURL_WAIT_POLLIN };
		double now = now_mono(), next = now + 1;
		CURLMsg *m;
		int running, left, nfd = 0;
		size_t i;

		for (i = 0; i < ag->nall; i++) {
			struct res *r = ag->all[i];

			/* A wait over: list or watch again (r->h is NULL then). */
			if (r->state == S_WAIT && now >= r->due)
				r->state = r->relist ? S_LIST : S_WATCH;
			if (r->state == S_LIST)
				start_res(ag, r);
			else if (r->state == S_WATCH && !r->h)
				watch_res(ag, r);
		}
		curl_multi_perform(ag->multi, &running);
		while ((m = curl_multi_info_read(ag->multi, &left)))
			if (m->msg == CURLMSG_DONE) {
				struct res *r;

				curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
				watch_done(ag, r, m->data.result);
			}
		for (i = 0; i < ag->nall; i++)
			if (ag->all[i]->h)
				handle_lines(ag, ag->all[i]);
		check_secrets(ag);
		if (dirty(ag) || now >= ag->next_resync)
			sync_node(ag);
		if (ag->once && ag->synced)
			break;
		if (ag->once && ag->apply_fails)
			break;
		if (ag->metrics && ag->listen_fd < 0 && now - last_metrics >= 1) {
			write_metrics_file(ag);
			last_metrics = now;
		}
		for (i = 0; i < ag->nall; i++)
			if (ag->all[i]->state == S_WAIT && ag->all[i]->due < next)
				next = ag->all[i]->due;
		if (ag->retry_at > now && ag->retry_at < next)
			next = ag->retry_at;
		if (ag->listen_fd >= 0)
			nfd = 1;
		curl_multi_poll(ag->multi, &extra, (unsigned int)nfd,
				next > now ? (int)((next - now) * 1000) + 1 : 0, NULL);
		if (ag->listen_fd >= 0)
			metrics_serve(ag);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "node", required_argument, NULL, 'N' },
		{ "kubeconfig", required_argument, NULL, 'k' },
		{ "context", required_argument, NULL, 'c' },
		{ "policy", required_argument, NULL, 'p' },
		{ "table-size", required_argument, NULL, 't' },
		{ "conflist", required_argument, NULL, 'C' },
		{ "mtu", required_argument, NULL, 'm' },
		{ "sacl", no_argument, NULL, 's' },
		{ "masquerade", no_argument, NULL, 'q' },
		{ "ipsec-secrets", required_argument, NULL, 'I' },
		{ "remote-cluster", required_argument, NULL, 'R' },
		{ "metrics", required_argument, NULL, 'M' },
		{ "resync", required_argument, NULL, 'r' },
		{ "netns", required_argument, NULL, 'n' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *kubeconfig = getenv("KUBECONFIG"), *context = NULL;
	struct agent ag = { .resync = 300, .listen_fd = -1 };
	char host[256], err[1024];
	uint32_t resync = 300;
	size_t j;
	int c, i;

	while ((c = getopt_long(argc, argv, "n:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'N':
			ag.node = optarg;
			break;
		case 'k':
			kubeconfig = optarg;
			break;
		case 'c':
			context = optarg;
			break;
		case 'p':
			ag.policy = optarg;
			break;
		case 't':
			if (parse_u32("--table-size", optarg, IDMESH_TABLE_SIZE_MAX, &ag.table_size) ||
			    (ag.table_size && check_table_size(ag.table_size)))
				return 2;
			break;
		case 'C':
			ag.conflist = optarg;
			break;
		case 'm':
			if (parse_u32("--mtu", optarg, 65535, &ag.mtu))
				return 2;
			break;
		case 's':
			ag.sacl_conf = true;
			break;
		case 'q':
			ag.masquerade = true;
			break;
		case 'I':
			ag.ipsec_secrets = optarg;
			break;
		case 'R':
			if (add_remote(&ag, optarg))
				return 2;
			break;
		case 'M':
			ag.metrics = optarg;
			break;
		case 'r':
			if (parse_u32("--resync", optarg, 86400, &resync) || !resync) {
				if (!resync)
					fprintf(stderr, "Error: --resync: expected a number 1..86400\n");
				return 2;
			}
			ag.resync = resync;
			break;
		case 'n':
			ag.netns = optarg;
			break;
		case 'd':
			ag.dry = true;
			break;
		case 'o':
			ag.once = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("idmesh-agent %s\n", IDMESH_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "Error: unknown word \"%s\"; see idmesh-agent --help\n", argv[optind]);
		return 2;
	}
	if (!ag.node)
		ag.node = getenv("NODE_NAME");
	if (!ag.node || !*ag.node) {
		if (gethostname(host, sizeof(host))) {
			fprintf(stderr, "Error: no --node, no NODE_NAME and no host name\n");
			return 2;
		}
		ag.node = host;
	}
	if (kubeconfig && !*kubeconfig)
		kubeconfig = NULL;
	if (kube_config_load(&ag.cfg, kubeconfig, context, err, sizeof(err))) {
		fprintf(stderr, "Error: %s\n", err);
		return 1;
	}
	for (j = 0; j < ag.nremote; j++) {
		struct remote *rm = &ag.remote[j];

		if (!kubeconfig) {
			fprintf(stderr, "Error: --remote-cluster %s: the other clusters' contexts are a kubeconfig's: give --kubeconfig (or KUBECONFIG)\n",
				rm->name);
			return 1;
		}
		if (kube_config_load(&rm->cfg, kubeconfig, rm->context, err, sizeof(err))) {
			fprintf(stderr, "Error: --remote-cluster %s: %s\n", rm->name, err);
			return 1;
		}
	}
	if (ag.policy && access(ag.policy, R_OK)) {
		fprintf(stderr, "Error: cannot read \"%s\": %s\n", ag.policy, strerror(errno));
		return 1;
	}
	if (ag.metrics && !strchr(ag.metrics, '/')) {
		ag.listen_fd = metrics_listen(ag.metrics);
		if (ag.listen_fd < 0) {
			fprintf(stderr, "Error: --metrics: cannot listen on \"%s\" (a file needs a \"/\")\n",
				ag.metrics);
			return 1;
		}
	}
	srandom((unsigned int)(getpid() ^ (unsigned int)now_wall()));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGHUP, on_hup);
	ag.multi = curl_multi_init();
	init_res(&ag);
	lg("info", "starting", "node", ag.node, "api", ag.cfg.server, "config",
	   ag.cfg.source, "dry_run", ag.dry ? "true" : "false", NULL);
	loop(&ag);
	lg("info", "stopping", "node", ag.node, NULL);
	if (ag.metrics && ag.listen_fd < 0)
		write_metrics_file(&ag);
	for (j = 0; j < ag.nall; j++) {
		struct res *r = ag.all[j];

		if (r->h) {
			curl_multi_remove_handle(ag.multi, r->h);
			curl_easy_cleanup(r->h);
			curl_slist_free_all(r->hdrs);
		}
		json_object_put(r->objs);
		free(r->rv);
		free(r->buf);
	}
	free(ag.all);
	curl_multi_cleanup(ag.multi);
	curl_global_cleanup();
	for (i = 0; i < NVSRC; i++) {
		json_object_put(ag.src[i].by);
		json_object_put(ag.src[i].vips);
		json_object_put(ag.src[i].dirty);
	}
	free(ag.conf_text);
	if (ag.nl_open) {
		idm_nl_close(&ag.nl);
		idm_nl_close(&ag.rt);
	}
	kube_config_free(&ag.cfg);
	for (j = 0; j < ag.nremote; j++) {
		kube_config_free(&ag.remote[j].cfg);
		free(ag.remote[j].name);
	}
	free(ag.remote);
	if (ag.once)
		return ag.synced ? 0 : 1;
	return 0;
}
