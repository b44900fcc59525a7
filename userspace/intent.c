// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh apply: from an intent to Services, SACL IDs, rules and the SACL
 * tables of a node (Acila §4.1, §5.1, §8.1). See Documentation/identity.rst.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <json-c/json.h>
#include <linux/idmesh.h>

#include "intent.h"
#include "sacl.h"
#include "siphash.h"

/* "idmesh SACL ID 1": the key of every node that is not given another. */
const uint8_t idm_default_id_key[IDM_ID_KEY_LEN] = {
	'i', 'd', 'm', 'e', 's', 'h', ' ', 'S', 'A', 'C', 'L', ' ', 'I', 'D', ' ', '1'
};

static void *xrealloc(void *p, size_t n, size_t size)
{
	void *q = realloc(p, (n ? n : 1) * size);

	if (!q) {
		fprintf(stderr, "idmesh: out of memory\n");
		exit(1);
	}
	return q;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		fprintf(stderr, "idmesh: out of memory\n");
		exit(1);
	}
	return d;
}

/* The parser's place in the file, for messages: "workloads[2].labels". */
struct ctx {
	const char *file;
	char *err;
	size_t errlen;
};

static int fail(struct ctx *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct ctx *c, const char *path, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = snprintf(c->err, c->errlen, "%s: %s%s", c->file, path, *path ? ": " : "");
	if (n >= c->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

#define PATH_MAX_LEN 256

/* A path too long for the buffer is cut (only messages show it). */
static void subpath(char *out, const char *path, const char *key)
{
	if (snprintf(out, PATH_MAX_LEN, "%s%s%s", path, *path ? "." : "",
		     key) >= PATH_MAX_LEN)
		out[PATH_MAX_LEN - 1] = '\0';
}

static void subidx(char *out, const char *path, size_t i)
{
	if (snprintf(out, PATH_MAX_LEN, "%s[%zu]", path, i) >= PATH_MAX_LEN)
		out[PATH_MAX_LEN - 1] = '\0';
}

static const char *type_name(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
	case json_type_int:
		return "a number";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "something else";
}

static int want_type(struct ctx *c, const char *path, json_object *o,
		     json_type t, const char *what)
{
	if (json_object_is_type(o, t))
		return 0;
	return fail(c, path, "expected %s, got %s", what, type_name(o));
}

/* Every key of an object must be one of keys (NULL-terminated). */
static int known_keys(struct ctx *c, const char *path, json_object *o,
		      const char *const *keys)
{
	char sub[PATH_MAX_LEN];
	size_t i;

	json_object_object_foreach(o, k, v) {
		(void)v;
		for (i = 0; keys[i]; i++)
			if (!strcmp(k, keys[i]))
				break;
		if (!keys[i]) {
			subpath(sub, path, k);
			return fail(c, sub, "unknown key");
		}
	}
	return 0;
}

static int get_string(struct ctx *c, const char *path, json_object *o,
		      const char **out)
{
	if (want_type(c, path, o, json_type_string, "a string"))
		return -1;
	*out = json_object_get_string(o);
	if (!**out)
		return fail(c, path, "must not be empty");
	return 0;
}

static int get_uint(struct ctx *c, const char *path, json_object *o,
		    uint32_t min, uint32_t max, uint32_t *out)
{
	int64_t v;

	if (want_type(c, path, o, json_type_int, "an integer"))
		return -1;
	errno = 0;
	v = json_object_get_int64(o);
	if (errno || v < min || v > max)
		return fail(c, path, "%s is out of range %u..%u",
			    json_object_to_json_string(o), min, max);
	*out = (uint32_t)v;
	return 0;
}

static int get_action(struct ctx *c, const char *path, json_object *o,
		      uint32_t *out)
{
	const char *s;

	if (get_string(c, path, o, &s))
		return -1;
	if (!strcmp(s, "allow"))
		*out = IDMESH_SACL_ALLOW;
	else if (!strcmp(s, "deny"))
		*out = IDMESH_SACL_DENY;
	else
		return fail(c, path, "\"%s\" is not allow or deny", s);
	return 0;
}

static int cmp_label(const void *a, const void *b)
{
	return strcmp(((const struct idm_label *)a)->key,
		      ((const struct idm_label *)b)->key);
}

static int parse_labels(struct ctx *c, const char *path, json_object *o,
			struct idm_labels *l)
{
	char sub[PATH_MAX_LEN];

	if (want_type(c, path, o, json_type_object, "an object of labels"))
		return -1;
	json_object_object_foreach(o, k, v) {
		subpath(sub, path, k);
		if (!*k)
			return fail(c, path, "a label's key must not be empty");
		if (want_type(c, sub, v, json_type_string, "a string"))
			return -1;
		l->v = xrealloc(l->v, l->n + 1, sizeof(*l->v));
		l->v[l->n].key = xstrdup(k);
		l->v[l->n].value = xstrdup(json_object_get_string(v));
		l->n++;
	}
	/* json-c keeps the last of duplicated keys: keys are unique here. */
	qsort(l->v, l->n, sizeof(*l->v), cmp_label);
	return 0;
}

static const char *label_get(const struct idm_labels *l, const char *key)
{
	struct idm_label k = { .key = (char *)key };
	struct idm_label *f = bsearch(&k, l->v, l->n, sizeof(*l->v), cmp_label);

	return f ? f->value : NULL;
}

static int parse_strings(struct ctx *c, const char *path, json_object *o,
			 char ***out, size_t *n, const char *what)
{
	char sub[PATH_MAX_LEN];
	const char *s;
	size_t i, j;

	if (want_type(c, path, o, json_type_array, "an array of strings"))
		return -1;
	if (!json_object_array_length(o))
		return fail(c, path, "needs at least one %s", what);
	for (i = 0; i < json_object_array_length(o); i++) {
		subidx(sub, path, i);
		if (get_string(c, sub, json_object_array_get_idx(o, i), &s))
			return -1;
		for (j = 0; j < *n; j++)
			if (!strcmp((*out)[j], s))
				return fail(c, sub, "\"%s\" is listed twice", s);
		*out = xrealloc(*out, *n + 1, sizeof(**out));
		(*out)[(*n)++] = xstrdup(s);
	}
	return 0;
}

static int parse_ports(struct ctx *c, json_object *o, struct idm_intent *in)
{
	static const char *const keys[] = { "dev", "marker", NULL };
	char sub[PATH_MAX_LEN], sub2[PATH_MAX_LEN];
	struct idm_port *p;
	json_object *v;
	const char *s;
	size_t i, j;

	if (want_type(c, "ports", o, json_type_array, "an array"))
		return -1;
	for (i = 0; i < json_object_array_length(o); i++) {
		json_object *e = json_object_array_get_idx(o, i);
		bool marker = false;

		subidx(sub, "ports", i);
		if (json_object_is_type(e, json_type_object)) {
			if (known_keys(c, sub, e, keys))
				return -1;
			subpath(sub2, sub, "dev");
			if (!json_object_object_get_ex(e, "dev", &v))
				return fail(c, sub, "needs a dev");
			if (get_string(c, sub2, v, &s))
				return -1;
			if (json_object_object_get_ex(e, "marker", &v)) {
				subpath(sub2, sub, "marker");
				if (want_type(c, sub2, v, json_type_boolean, "true or false"))
					return -1;
				marker = json_object_get_boolean(v);
			}
		} else if (json_object_is_type(e, json_type_string)) {
			if (get_string(c, sub, e, &s))
				return -1;
		} else {
			return fail(c, sub, "expected a device name or {\"dev\": ..., \"marker\": ...}, got %s",
				    type_name(e));
		}
		if (strlen(s) >= IF_NAMESIZE)
			return fail(c, sub, "\"%s\" is longer than a device name can be", s);
		for (j = 0; j < in->nports; j++)
			if (!strcmp(in->ports[j].dev, s))
				return fail(c, sub, "port \"%s\" is listed twice", s);
		in->ports = xrealloc(in->ports, in->nports + 1, sizeof(*in->ports));
		p = &in->ports[in->nports++];
		p->dev = xstrdup(s);
		p->marker = marker;
	}
	return 0;
}

static const struct idm_port *find_port(const struct idm_intent *in,
					const char *dev)
{
	size_t i;

	for (i = 0; i < in->nports; i++)
		if (!strcmp(in->ports[i].dev, dev))
			return &in->ports[i];
	return NULL;
}

static int parse_workload(struct ctx *c, const char *path, json_object *o,
			  struct idm_intent *in, struct idm_workload *w)
{
	static const char *const keys[] = { "name", "address", "protocol", "port",
					    "dev", "lid", "labels", NULL };
	char sub[PATH_MAX_LEN], err[160];
	const struct idm_port *port;
	json_object *v;
	const char *s;

	if (want_type(c, path, o, json_type_object, "an object"))
		return -1;
	if (known_keys(c, path, o, keys))
		return -1;
	if (!json_object_object_get_ex(o, "name", &v))
		return fail(c, path, "needs a name");
	subpath(sub, path, "name");
	if (get_string(c, sub, v, &s))
		return -1;
	w->name = xstrdup(s);
	if (json_object_object_get_ex(o, "address", &v)) {
		subpath(sub, path, "address");
		if (get_string(c, sub, v, &s))
			return -1;
		if (idm_addr46_pton(s, &w->addr))
			return fail(c, sub, "\"%s\" is not an IPv4 or IPv6 address", s);
		w->has_addr = true;
	}
	if (json_object_object_get_ex(o, "protocol", &v)) {
		subpath(sub, path, "protocol");
		if (get_string(c, sub, v, &s))
			return -1;
		if (idm_parse_proto(s, true, &w->proto, err, sizeof(err)))
			return fail(c, sub, "%s", err);
	}
	if (json_object_object_get_ex(o, "port", &v)) {
		subpath(sub, path, "port");
		if (get_uint(c, sub, v, 1, 65535, &w->port))
			return -1;
		if (w->proto != IPPROTO_TCP && w->proto != IPPROTO_UDP &&
		    w->proto != IPPROTO_SCTP)
			return fail(c, sub, "a port needs a protocol of tcp, udp or sctp");
	}
	if (json_object_object_get_ex(o, "dev", &v)) {
		subpath(sub, path, "dev");
		if (get_string(c, sub, v, &s))
			return -1;
		if (!find_port(in, s))
			return fail(c, sub, "\"%s\" is not one of the ports", s);
		w->dev = xstrdup(s);
	}
	if (json_object_object_get_ex(o, "lid", &v)) {
		subpath(sub, path, "lid");
		if (get_uint(c, sub, v, 0, IDMESH_SACL_LID_MAX, &w->lid))
			return -1;
		if (!w->dev)
			return fail(c, sub, "a LID needs the dev of its marker port");
		port = find_port(in, w->dev);
		if (!port->marker)
			return fail(c, sub, "port \"%s\" is not a marker port", w->dev);
		w->has_lid = true;
	}
	if (!w->has_addr && !w->has_lid)
		return fail(c, path, "needs an address, or a dev and a lid");
	if (!w->has_addr && (w->proto || w->port))
		return fail(c, path, "a protocol or port needs an address");
	if (!json_object_object_get_ex(o, "labels", &v))
		return fail(c, path, "needs labels");
	subpath(sub, path, "labels");
	return parse_labels(c, sub, v, &w->labels);
}

/* Workloads in orders that put duplicates next to each other. */
static const struct idm_workload *sort_w;

static int cmp_w_name(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int d = strcmp(sort_w[i].name, sort_w[j].name);

	return d ? d : (i > j) - (i < j);
}

/* Servers: address, protocol, port; workloads without an address last. */
static int server_key(const struct idm_workload *a, const struct idm_workload *b)
{
	int d;

	if (a->has_addr != b->has_addr)
		return a->has_addr ? -1 : 1;
	if (!a->has_addr)
		return 0;
	d = memcmp(&a->addr, &b->addr, sizeof(a->addr));
	if (d)
		return d;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return a->port < b->port ? -1 : a->port > b->port;
}

static int cmp_w_server(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int d = server_key(&sort_w[i], &sort_w[j]);

	return d ? d : (i > j) - (i < j);
}

/* Clients of this node: by address, or by marker port and LID. */
static int client_key(const struct idm_workload *a, const struct idm_workload *b)
{
	int d;

	if (!a->dev != !b->dev)
		return a->dev ? -1 : 1;
	if (!a->dev)
		return 0;
	if (a->has_lid != b->has_lid)
		return a->has_lid ? -1 : 1;
	if (!a->has_lid)
		return memcmp(&a->addr, &b->addr, sizeof(a->addr));
	d = strcmp(a->dev, b->dev);
	return d ? d : (int)a->lid - (int)b->lid;
}

static int cmp_w_client(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int d = client_key(&sort_w[i], &sort_w[j]);

	return d ? d : (i > j) - (i < j);
}

/* The first duplicate in file order is the one reported. */
static int check_duplicates(struct ctx *c, const struct idm_intent *in)
{
	size_t *o = xrealloc(NULL, in->nworkloads, sizeof(*o));
	size_t i, k, bad = (size_t)-1, first = 0, what = 0;
	const struct idm_workload *w = in->workloads;
	char sub[PATH_MAX_LEN];

	sort_w = w;
	for (k = 0; k < 3; k++) {
		for (i = 0; i < in->nworkloads; i++)
			o[i] = i;
		qsort(o, in->nworkloads, sizeof(*o),
		      k == 0 ? cmp_w_name : k == 1 ? cmp_w_server : cmp_w_client);
		for (i = 1; i < in->nworkloads; i++) {
			bool dup;

			if (k == 0)
				dup = !strcmp(w[o[i]].name, w[o[i - 1]].name);
			else if (k == 1)
				dup = w[o[i]].has_addr && !server_key(&w[o[i]], &w[o[i - 1]]);
			else
				dup = w[o[i]].dev && !client_key(&w[o[i]], &w[o[i - 1]]);
			if (dup && o[i] < bad) {
				bad = o[i];
				first = o[i - 1];
				what = k;
			}
		}
	}
	free(o);
	if (bad == (size_t)-1)
		return 0;
	subidx(sub, "workloads", bad);
	if (what == 0)
		return fail(c, sub, "duplicate workload: the name \"%s\" is also workloads[%zu]'s",
			    w[bad].name, first);
	if (what == 1)
		return fail(c, sub, "duplicate workload: the same address, protocol and port as workloads[%zu] (\"%s\")",
			    first, w[first].name);
	return fail(c, sub, "duplicate workload: the same client (%s) as workloads[%zu] (\"%s\")",
		    w[bad].has_lid ? "dev and lid" : "address on this node",
		    first, w[first].name);
}

static int parse_workloads(struct ctx *c, json_object *o, struct idm_intent *in)
{
	char sub[PATH_MAX_LEN];
	size_t i;

	if (want_type(c, "workloads", o, json_type_array, "an array"))
		return -1;
	for (i = 0; i < json_object_array_length(o); i++) {
		struct idm_workload *w;

		subidx(sub, "workloads", i);
		in->workloads = xrealloc(in->workloads, in->nworkloads + 1,
					 sizeof(*in->workloads));
		w = &in->workloads[in->nworkloads++];
		memset(w, 0, sizeof(*w));
		if (parse_workload(c, sub, json_object_array_get_idx(o, i), in, w))
			return -1;
	}
	return check_duplicates(c, in);
}

static bool is_service_key(const struct idm_intent *in, const char *key)
{
	size_t i;

	if (!in->has_service_keys)
		return true;
	for (i = 0; i < in->nservice_keys; i++)
		if (!strcmp(in->service_keys[i], key))
			return true;
	return false;
}

static int parse_selectors(struct ctx *c, const char *path, json_object *o,
			   const struct idm_intent *in, struct idm_selector **out,
			   size_t *n)
{
	static const char *const keys[] = { "key", "operator", "values", NULL };
	char sub[PATH_MAX_LEN], sub2[PATH_MAX_LEN];
	struct idm_selector *sel;
	json_object *e, *v;
	const char *s;
	size_t i;

	if (want_type(c, path, o, json_type_array, "an array of selectors"))
		return -1;
	if (!json_object_array_length(o))
		return fail(c, path, "needs at least one selector (an empty list would select every workload)");
	for (i = 0; i < json_object_array_length(o); i++) {
		subidx(sub, path, i);
		e = json_object_array_get_idx(o, i);
		if (want_type(c, sub, e, json_type_object, "an object") ||
		    known_keys(c, sub, e, keys))
			return -1;
		*out = xrealloc(*out, *n + 1, sizeof(**out));
		sel = &(*out)[(*n)++];
		memset(sel, 0, sizeof(*sel));
		if (!json_object_object_get_ex(e, "key", &v))
			return fail(c, sub, "needs a key");
		subpath(sub2, sub, "key");
		if (get_string(c, sub2, v, &s))
			return -1;
		if (!is_service_key(in, s))
			return fail(c, sub2, "\"%s\" is not one of the service-keys: Services do not have it", s);
		sel->key = xstrdup(s);
		if (!json_object_object_get_ex(e, "operator", &v))
			return fail(c, sub, "needs an operator");
		subpath(sub2, sub, "operator");
		if (get_string(c, sub2, v, &s))
			return -1;
		if (!strcmp(s, "in"))
			sel->not_in = false;
		else if (!strcmp(s, "not_in"))
			sel->not_in = true;
		else
			return fail(c, sub2, "\"%s\" is not in or not_in", s);
		if (!json_object_object_get_ex(e, "values", &v))
			return fail(c, sub, "needs values");
		subpath(sub2, sub, "values");
		if (parse_strings(c, sub2, v, &sel->values, &sel->nvalues, "value"))
			return -1;
	}
	return 0;
}

static int parse_policy(struct ctx *c, const char *path, json_object *o,
			const struct idm_intent *in, struct idm_policy *p)
{
	static const char *const keys[] = { "name", "client", "server", "action",
					    "priority", "dscp", NULL };
	static const char *const side[] = { "client", "server" };
	char sub[PATH_MAX_LEN], err[160];
	json_object *v;
	const char *s;
	int k;

	if (want_type(c, path, o, json_type_object, "an object") ||
	    known_keys(c, path, o, keys))
		return -1;
	if (json_object_object_get_ex(o, "name", &v)) {
		subpath(sub, path, "name");
		if (get_string(c, sub, v, &s))
			return -1;
		p->name = xstrdup(s);
	} else {
		p->name = xstrdup(path);
	}
	for (k = 0; k < 2; k++) {
		subpath(sub, path, side[k]);
		if (!json_object_object_get_ex(o, side[k], &v))
			return fail(c, path, "needs %s selectors", side[k]);
		if (parse_selectors(c, sub, v, in, &p->sel[k], &p->nsel[k]))
			return -1;
	}
	p->action = IDMESH_SACL_ALLOW;
	if (json_object_object_get_ex(o, "action", &v)) {
		subpath(sub, path, "action");
		if (get_action(c, sub, v, &p->action))
			return -1;
	}
	if (json_object_object_get_ex(o, "priority", &v)) {
		subpath(sub, path, "priority");
		if (json_object_is_type(v, json_type_int)) {
			if (get_uint(c, sub, v, 0, UINT32_MAX, &p->priority))
				return -1;
		} else {
			if (get_string(c, sub, v, &s))
				return -1;
			if (idm_sacl_parse_priority(s, &p->priority, err, sizeof(err)))
				return fail(c, sub, "%s", err);
		}
		p->has_priority = true;
	}
	if (json_object_object_get_ex(o, "dscp", &v)) {
		subpath(sub, path, "dscp");
		if (get_uint(c, sub, v, 0, 63, &p->dscp))
			return -1;
		p->has_dscp = true;
	}
	return 0;
}

static int parse_policies(struct ctx *c, json_object *o, struct idm_intent *in)
{
	char sub[PATH_MAX_LEN];
	size_t i;

	if (want_type(c, "policies", o, json_type_array, "an array"))
		return -1;
	for (i = 0; i < json_object_array_length(o); i++) {
		struct idm_policy *p;

		subidx(sub, "policies", i);
		in->policies = xrealloc(in->policies, in->npolicies + 1,
					sizeof(*in->policies));
		p = &in->policies[in->npolicies++];
		memset(p, 0, sizeof(*p));
		if (parse_policy(c, sub, json_object_array_get_idx(o, i), in, p))
			return -1;
	}
	return 0;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int parse_ids(struct ctx *c, json_object *o, struct idm_intent *in)
{
	static const char *const keys[] = { "key", "structured", NULL };
	static const char *const fkeys[] = { "label", "bits", NULL };
	char sub[PATH_MAX_LEN], sub2[PATH_MAX_LEN];
	unsigned int total = 0;
	json_object *v, *e;
	const char *s;
	size_t i;

	if (want_type(c, "ids", o, json_type_object, "an object") ||
	    known_keys(c, "ids", o, keys))
		return -1;
	if (json_object_object_get_ex(o, "key", &v)) {
		if (get_string(c, "ids.key", v, &s))
			return -1;
		if (strlen(s) != 2 * IDM_ID_KEY_LEN)
			return fail(c, "ids.key", "needs %d hex digits (a 128-bit key)",
				    2 * IDM_ID_KEY_LEN);
		for (i = 0; i < IDM_ID_KEY_LEN; i++) {
			int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

			if (hi < 0 || lo < 0)
				return fail(c, "ids.key", "\"%s\" is not hexadecimal", s);
			in->key[i] = hi << 4 | lo;
		}
	}
	if (!json_object_object_get_ex(o, "structured", &v))
		return 0;
	if (want_type(c, "ids.structured", v, json_type_array, "an array"))
		return -1;
	for (i = 0; i < json_object_array_length(v); i++) {
		struct idm_id_field *f;
		json_object *x;
		size_t j;

		subidx(sub, "ids.structured", i);
		e = json_object_array_get_idx(v, i);
		if (want_type(c, sub, e, json_type_object, "an object") ||
		    known_keys(c, sub, e, fkeys))
			return -1;
		in->fields = xrealloc(in->fields, in->nfields + 1, sizeof(*in->fields));
		f = &in->fields[in->nfields++];
		memset(f, 0, sizeof(*f));
		subpath(sub2, sub, "label");
		if (!json_object_object_get_ex(e, "label", &x))
			return fail(c, sub, "needs a label");
		if (get_string(c, sub2, x, &s))
			return -1;
		if (!is_service_key(in, s))
			return fail(c, sub2, "\"%s\" is not one of the service-keys", s);
		for (j = 0; j + 1 < in->nfields; j++)
			if (!strcmp(in->fields[j].key, s))
				return fail(c, sub2, "\"%s\" is listed twice", s);
		f->key = xstrdup(s);
		subpath(sub2, sub, "bits");
		if (!json_object_object_get_ex(e, "bits", &x))
			return fail(c, sub, "needs bits");
		if (get_uint(c, sub2, x, 1, 32, &f->bits))
			return -1;
		total += f->bits;
		/* At least 16 bits tell the Services of one group apart. */
		if (total > 48)
			return fail(c, sub2, "the structured fields take %u bits; at most 48 of the 64",
				    total);
	}
	return 0;
}

int idm_intent_parse(const char *file, const char *text, size_t len,
		     struct idm_intent *in, char *err, size_t errlen)
{
	static const char *const keys[] = { "ports", "default", "service-keys",
					    "ids", "workloads", "policies", NULL };
	struct ctx c = { .file = file, .err = err, .errlen = errlen };
	struct json_tokener *tok;
	json_object *root, *v;
	int ret = -1;

	memset(in, 0, sizeof(*in));
	in->file = file;
	memcpy(in->key, idm_default_id_key, sizeof(in->key));
	tok = json_tokener_new();
	if (!tok)
		return fail(&c, "", "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (!root || json_tokener_get_parse_end(tok) < len) {
		size_t at = json_tokener_get_parse_end(tok), line = 1, col = 1, i;
		enum json_tokener_error je = json_tokener_get_error(tok);

		for (i = 0; i < at && i < len; i++, col++)
			if (text[i] == '\n')
				line++, col = 0;
		if (root && je == json_tokener_success)
			fail(&c, "", "line %zu, column %zu: text after the intent", line, col);
		else if (je == json_tokener_continue || je == json_tokener_success)
			fail(&c, "", "the JSON ends too early");
		else
			fail(&c, "", "line %zu, column %zu: %s", line, col,
			     json_tokener_error_desc(je));
		json_tokener_free(tok);
		json_object_put(root);
		return -1;
	}
	json_tokener_free(tok);
	if (want_type(&c, "", root, json_type_object, "an object at the top") ||
	    known_keys(&c, "", root, keys))
		goto out;
	if (json_object_object_get_ex(root, "service-keys", &v)) {
		if (parse_strings(&c, "service-keys", v, &in->service_keys,
				  &in->nservice_keys, "label key"))
			goto out;
		in->has_service_keys = true;
	}
	if (json_object_object_get_ex(root, "default", &v)) {
		if (get_action(&c, "default", v, &in->def_action))
			goto out;
		in->has_default = true;
	}
	if (json_object_object_get_ex(root, "ids", &v) && parse_ids(&c, v, in))
		goto out;
	if (json_object_object_get_ex(root, "ports", &v) && parse_ports(&c, v, in))
		goto out;
	if (json_object_object_get_ex(root, "workloads", &v) &&
	    parse_workloads(&c, v, in))
		goto out;
	if (json_object_object_get_ex(root, "policies", &v) &&
	    parse_policies(&c, v, in))
		goto out;
	ret = 0;
out:
	json_object_put(root);
	return ret;
}

bool idm_selects(const struct idm_selector *sel, size_t n,
		 const struct idm_labels *l)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const char *v = label_get(l, sel[i].key);
		bool in = false;

		for (j = 0; v && j < sel[i].nvalues; j++)
			if (!strcmp(v, sel[i].values[j]))
				in = true;
		/* not_in selects a workload without the key, as Kubernetes does. */
		if (in == sel[i].not_in)
			return false;
	}
	return true;
}

/* Length-prefixed, so that no two label sets encode alike. */
static size_t enc_put(uint8_t **buf, size_t n, const char *s, uint32_t len)
{
	*buf = xrealloc(*buf, n + 4 + len, 1);
	(*buf)[n] = len >> 24;
	(*buf)[n + 1] = len >> 16;
	(*buf)[n + 2] = len >> 8;
	(*buf)[n + 3] = len;
	if (len)
		memcpy(*buf + n + 4, s, len);
	return n + 4 + len;
}

static uint64_t labels_hash(const uint8_t *key, const struct idm_labels *l)
{
	uint8_t *buf = NULL;
	size_t n = 0, i;
	uint64_t h;

	n = enc_put(&buf, n, "service", 7);
	for (i = 0; i < l->n; i++) {
		n = enc_put(&buf, n, l->v[i].key, strlen(l->v[i].key));
		n = enc_put(&buf, n, l->v[i].value, strlen(l->v[i].value));
	}
	h = idm_siphash(key, buf, n);
	free(buf);
	return h;
}

/* A structured field's bits: from the label's value, or its absence. */
static uint64_t field_hash(const uint8_t *key, const char *lkey,
			   const char *value)
{
	uint8_t *buf = NULL;
	size_t n = 0;
	uint64_t h;

	n = enc_put(&buf, n, "field", 5);
	n = enc_put(&buf, n, lkey, strlen(lkey));
	if (value)
		n = enc_put(&buf, n, value, strlen(value));
	h = idm_siphash(key, buf, n);
	free(buf);
	return h;
}

/* The labels that make the workload's Service. */
static void service_labels(const struct idm_intent *in,
			   const struct idm_labels *all, struct idm_labels *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < all->n; i++) {
		if (!is_service_key(in, all->v[i].key))
			continue;
		out->v = xrealloc(out->v, out->n + 1, sizeof(*out->v));
		out->v[out->n].key = xstrdup(all->v[i].key);
		out->v[out->n].value = xstrdup(all->v[i].value);
		out->n++;
	}
}

static char *labels_name(const struct idm_labels *l)
{
	size_t i, len = 3;
	char *s;

	for (i = 0; i < l->n; i++)
		len += strlen(l->v[i].key) + strlen(l->v[i].value) + 2;
	s = xrealloc(NULL, len, 1);
	if (!l->n) {
		strcpy(s, "{}");
		return s;
	}
	s[0] = '\0';
	for (i = 0; i < l->n; i++) {
		if (i)
			strcat(s, ",");
		strcat(s, l->v[i].key);
		strcat(s, "=");
		strcat(s, l->v[i].value);
	}
	return s;
}

static void labels_free(struct idm_labels *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].value);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static uint64_t service_id(const struct idm_intent *in,
			   const struct idm_labels *l)
{
	unsigned int used = 0, bits;
	uint64_t id = 0, h;
	size_t i;

	for (i = 0; i < in->nfields; i++) {
		bits = in->fields[i].bits;
		h = field_hash(in->key, in->fields[i].key,
			       label_get(l, in->fields[i].key));
		id |= (h >> (64 - bits)) << (64 - used - bits);
		used += bits;
	}
	h = labels_hash(in->key, l);
	if (used)
		h &= ~0ull >> used;
	return id | h;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}


static const struct idm_intent *sort_in;
static char *const *sort_names;

static int cmp_name(const void *a, const void *b)
{
	return strcmp(sort_names[*(const size_t *)a], sort_names[*(const size_t *)b]);
}

static int cmp_service_id(const void *a, const void *b)
{
	const struct idm_service *s = &sort_in->services[*(const size_t *)a];
	const struct idm_service *t = &sort_in->services[*(const size_t *)b];

	return cmp_u64(s->id, t->id);
}

/* A structured field's value in a Service, and its bits. */
struct field_val {
	const char *value;	/* NULL: the Service lacks the label */
	uint64_t bits;
};

static int cmp_field_val(const void *a, const void *b)
{
	const struct field_val *x = a, *y = b;

	if (x->bits != y->bits)
		return cmp_u64(x->bits, y->bits);
	if (!x->value || !y->value)
		return !!x->value - !!y->value;
	return strcmp(x->value, y->value);
}

/* Two values of a structured label with the same bits would merge groups. */
static int check_fields(struct idm_intent *in, struct ctx *c)
{
	struct field_val *v;
	size_t f, i;
	int ret = 0;

	size_t n, p, k, j, cap = in->nservices;

	/* The values Services have, and those policies name (groups). */
	for (p = 0; p < in->npolicies; p++)
		for (k = 0; k < 2; k++)
			for (j = 0; j < in->policies[p].nsel[k]; j++)
				cap += in->policies[p].sel[k][j].nvalues;
	v = xrealloc(NULL, cap, sizeof(*v));
	for (f = 0; f < in->nfields && !ret; f++) {
		const struct idm_id_field *fd = &in->fields[f];

		for (n = 0; n < in->nservices; n++)
			v[n].value = label_get(&in->services[n].labels, fd->key);
		for (p = 0; p < in->npolicies; p++)
			for (k = 0; k < 2; k++)
				for (j = 0; j < in->policies[p].nsel[k]; j++) {
					const struct idm_selector *sl = &in->policies[p].sel[k][j];

					if (strcmp(sl->key, fd->key))
						continue;
					for (i = 0; i < sl->nvalues; i++)
						v[n++].value = sl->values[i];
				}
		for (i = 0; i < n; i++)
			v[i].bits = field_hash(in->key, fd->key, v[i].value) >>
				    (64 - fd->bits);
		qsort(v, n, sizeof(*v), cmp_field_val);
		for (i = 1; i < n && !ret; i++) {
			if (v[i].bits != v[i - 1].bits ||
			    !cmp_field_val(&v[i], &v[i - 1]))
				continue;
			ret = fail(c, "ids.structured",
				   "%s=%s and %s=%s get the same %u bits: give \"%s\" more bits or choose another ids.key",
				   fd->key, v[i - 1].value ? v[i - 1].value : "(none)",
				   fd->key, v[i].value ? v[i].value : "(none)",
				   fd->bits, fd->key);
		}
	}
	free(v);
	return ret;
}

static int cmp_side(const struct idm_rule_side *a, const struct idm_rule_side *b)
{
	int d = cmp_u64(a->id, b->id);

	return d ? d : (int)a->bits - (int)b->bits;
}

static int cmp_rule(const void *a, const void *b)
{
	const struct idm_rule *r = a, *s = b;
	int d = cmp_side(&r->c, &s->c);

	if (d)
		return d;
	d = cmp_side(&r->s, &s->s);
	if (d)
		return d;
	return r->policy < s->policy ? -1 : r->policy > s->policy;
}

static bool same_value(const struct idm_rule *a, const struct idm_rule *b)
{
	return a->action == b->action && a->has_priority == b->has_priority &&
	       a->priority == b->priority && a->has_dscp == b->has_dscp &&
	       a->dscp == b->dscp;
}

static void sides_free(struct idm_rule_side *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

static int field_index(const struct idm_intent *in, const char *key)
{
	size_t i;

	for (i = 0; i < in->nfields; i++)
		if (!strcmp(in->fields[i].key, key))
			return (int)i;
	return -1;
}

/*
 * A side whose selectors are exactly one "in" on each of the first k
 * structured fields selects groups: every combination of their values is
 * one ID prefix, which also covers Services that appear later.
 */
static bool side_is_group(const struct idm_intent *in,
			  const struct idm_selector *sel, size_t nsel,
			  const struct idm_selector **by_field)
{
	size_t i;
	int f;

	if (!nsel || nsel > in->nfields)
		return false;
	memset(by_field, 0, in->nfields * sizeof(*by_field));
	for (i = 0; i < nsel; i++) {
		f = field_index(in, sel[i].key);
		if (f < 0 || sel[i].not_in || (size_t)f >= nsel || by_field[f])
			return false;
		by_field[f] = &sel[i];
	}
	return true;
}

static void side_items(const struct idm_intent *in,
		       const struct idm_selector *sel, size_t nsel,
		       struct idm_rule_side **out, size_t *n)
{
	const struct idm_selector **by_field;
	size_t i, f, combos = 1, *at;

	*out = NULL;
	*n = 0;
	by_field = xrealloc(NULL, in->nfields, sizeof(*by_field));
	if (!in->nfields || !side_is_group(in, sel, nsel, by_field)) {
		for (i = 0; i < in->nservices; i++) {
			if (!idm_selects(sel, nsel, &in->services[i].labels))
				continue;
			*out = xrealloc(*out, *n + 1, sizeof(**out));
			(*out)[*n].id = in->services[i].id;
			(*out)[*n].bits = 64;
			(*out)[(*n)++].name = xstrdup(in->services[i].name);
		}
		free(by_field);
		return;
	}
	for (f = 0; f < nsel; f++)
		combos *= by_field[f]->nvalues;
	at = xrealloc(NULL, nsel, sizeof(*at));
	for (i = 0; i < combos; i++) {
		unsigned int used = 0;
		size_t rest = i, len = 1;
		uint64_t id = 0;
		char *name;

		for (f = 0; f < nsel; f++) {
			at[f] = rest % by_field[f]->nvalues;
			rest /= by_field[f]->nvalues;
			len += strlen(by_field[f]->key) + strlen(by_field[f]->values[at[f]]) + 2;
		}
		name = xrealloc(NULL, len, 1);
		name[0] = '\0';
		for (f = 0; f < nsel; f++) {
			unsigned int bits = in->fields[f].bits;
			uint64_t h = field_hash(in->key, in->fields[f].key,
						by_field[f]->values[at[f]]);

			id |= (h >> (64 - bits)) << (64 - used - bits);
			used += bits;
			if (f)
				strcat(name, ",");
			strcat(name, by_field[f]->key);
			strcat(name, "=");
			strcat(name, by_field[f]->values[at[f]]);
		}
		*out = xrealloc(*out, *n + 1, sizeof(**out));
		(*out)[*n].id = id;
		(*out)[*n].bits = used;
		(*out)[(*n)++].name = name;
	}
	free(at);
	free(by_field);
}

int idm_intent_derive(struct idm_intent *in, char *err, size_t errlen)
{
	struct ctx c = { .file = in->file, .err = err, .errlen = errlen };
	size_t i, j, k, n, *order;
	struct idm_labels l;
	char **names;

	/*
	 * Services: workloads with the same labels (that count) share one;
	 * in the order of their names, whatever the order of the file.
	 */
	names = xrealloc(NULL, in->nworkloads, sizeof(*names));
	order = xrealloc(NULL, in->nworkloads, sizeof(*order));
	for (i = 0; i < in->nworkloads; i++) {
		service_labels(in, &in->workloads[i].labels, &l);
		names[i] = labels_name(&l);
		labels_free(&l);
		order[i] = i;
	}
	sort_names = names;
	qsort(order, in->nworkloads, sizeof(*order), cmp_name);
	for (i = 0; i < in->nworkloads; i++) {
		struct idm_workload *w = &in->workloads[order[i]];
		struct idm_service *s;

		if (!i || strcmp(names[order[i - 1]], names[order[i]])) {
			in->services = xrealloc(in->services, in->nservices + 1,
						sizeof(*in->services));
			s = &in->services[in->nservices++];
			service_labels(in, &w->labels, &s->labels);
			s->name = xstrdup(names[order[i]]);
			s->id = service_id(in, &s->labels);
			s->nworkloads = 0;
		}
		in->services[in->nservices - 1].nworkloads++;
		w->service = in->nservices - 1;
	}
	for (i = 0; i < in->nworkloads; i++)
		free(names[i]);
	free(names);
	free(order);
	if (check_fields(in, &c))
		return -1;
	/* IDs are hashes: a collision is refused, never merged. */
	order = xrealloc(NULL, in->nservices, sizeof(*order));
	for (i = 0; i < in->nservices; i++)
		order[i] = i;
	sort_in = in;
	qsort(order, in->nservices, sizeof(*order), cmp_service_id);
	for (i = 0; i < in->nservices; i++) {
		const struct idm_service *s = &in->services[order[i]];

		if (!s->id) {
			free(order);
			return fail(&c, "", "Service {%s} hashes to the ID 0, which is not an ID: choose another ids.key",
				    s->name);
		}
		if (i && in->services[order[i - 1]].id == s->id) {
			const struct idm_service *t = &in->services[order[i - 1]];

			free(order);
			return fail(&c, "", "Services {%s} and {%s} have the same SACL ID 0x%016" PRIx64 ": choose another ids.key",
				    t->name, s->name, s->id);
		}
	}
	free(order);
	/* Rules: every (client, server) pair a policy selects. */
	for (k = 0; k < in->npolicies; k++) {
		const struct idm_policy *p = &in->policies[k];
		struct idm_rule_side *cs = NULL, *ss = NULL;
		size_t nc = 0, ns = 0;

		side_items(in, p->sel[0], p->nsel[0], &cs, &nc);
		side_items(in, p->sel[1], p->nsel[1], &ss, &ns);
		for (i = 0; i < nc; i++) {
			for (j = 0; j < ns; j++) {
				struct idm_rule *r;

				in->rules = xrealloc(in->rules, in->nrules + 1,
						     sizeof(*in->rules));
				r = &in->rules[in->nrules++];
				r->c = cs[i];
				r->c.name = xstrdup(cs[i].name);
				r->s = ss[j];
				r->s.name = xstrdup(ss[j].name);
				r->policy = k;
				r->action = p->action;
				r->has_priority = p->has_priority;
				r->priority = p->priority;
				r->has_dscp = p->has_dscp;
				r->dscp = p->dscp;
			}
		}
		sides_free(cs, nc);
		sides_free(ss, ns);
	}
	/* Two policies on one pair: the same values merge, others conflict. */
	qsort(in->rules, in->nrules, sizeof(*in->rules), cmp_rule);
	for (i = 0, n = 0; i < in->nrules; i++) {
		if (n && !cmp_side(&in->rules[n - 1].c, &in->rules[i].c) &&
		    !cmp_side(&in->rules[n - 1].s, &in->rules[i].s)) {
			const struct idm_rule *a = &in->rules[n - 1], *b = &in->rules[i];

			if (!same_value(a, b)) {
				fail(&c, "", "policies \"%s\" and \"%s\" both select client {%s} and server {%s} with different actions or priorities",
				     in->policies[a->policy].name,
				     in->policies[b->policy].name, a->c.name, a->s.name);
				for (; i < in->nrules; i++) {
					free(in->rules[i].c.name);
					free(in->rules[i].s.name);
				}
				in->nrules = n;
				return -1;
			}
			free(in->rules[i].c.name);
			free(in->rules[i].s.name);
			continue;
		}
		in->rules[n++] = in->rules[i];
	}
	in->nrules = n;
	return 0;
}

void idm_intent_free(struct idm_intent *in)
{
	size_t i, j, k;

	for (i = 0; i < in->nservice_keys; i++)
		free(in->service_keys[i]);
	free(in->service_keys);
	for (i = 0; i < in->nfields; i++)
		free(in->fields[i].key);
	free(in->fields);
	for (i = 0; i < in->nports; i++)
		free(in->ports[i].dev);
	free(in->ports);
	for (i = 0; i < in->nworkloads; i++) {
		free(in->workloads[i].name);
		free(in->workloads[i].dev);
		labels_free(&in->workloads[i].labels);
	}
	free(in->workloads);
	for (i = 0; i < in->npolicies; i++) {
		struct idm_policy *p = &in->policies[i];

		free(p->name);
		for (k = 0; k < 2; k++) {
			for (j = 0; j < p->nsel[k]; j++) {
				size_t v;

				free(p->sel[k][j].key);
				for (v = 0; v < p->sel[k][j].nvalues; v++)
					free(p->sel[k][j].values[v]);
				free(p->sel[k][j].values);
			}
			free(p->sel[k]);
		}
	}
	free(in->policies);
	for (i = 0; i < in->nservices; i++) {
		labels_free(&in->services[i].labels);
		free(in->services[i].name);
	}
	free(in->services);
	for (i = 0; i < in->nrules; i++) {
		free(in->rules[i].c.name);
		free(in->rules[i].s.name);
	}
	free(in->rules);
	memset(in, 0, sizeof(*in));
}

static struct idm_sent *st_add(struct idm_sstate *st, int kind)
{
	struct idm_sent *e;

	st->e = xrealloc(st->e, st->n + 1, sizeof(*st->e));
	e = &st->e[st->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	return e;
}

/*
 * The node's tables: its ports; a client entry for each workload behind
 * a port (by address, or by marker port and LID); a server entry for
 * each workload with an address (any node's: clients here may reach it);
 * every rule (server side filters, client side and transit classify).
 */
int idm_intent_state(const struct idm_intent *in, struct idm_sstate *st)
{
	struct idm_sent *e;
	size_t i;

	memset(st, 0, sizeof(*st));
	st->has_default = in->has_default;
	st->def_action = in->def_action;
	for (i = 0; i < in->nports; i++) {
		e = st_add(st, IDMESH_SACL_KIND_PORT);
		snprintf(e->dev, sizeof(e->dev), "%s", in->ports[i].dev);
		e->marker = in->ports[i].marker;
	}
	for (i = 0; i < in->nworkloads; i++) {
		const struct idm_workload *w = &in->workloads[i];
		uint64_t id = in->services[w->service].id;

		if (w->dev) {
			e = st_add(st, IDMESH_SACL_KIND_CLIENT);
			e->id = id;
			if (w->has_lid) {
				snprintf(e->dev, sizeof(e->dev), "%s", w->dev);
				e->lid = w->lid;
			} else {
				e->has_addr = true;
				e->addr = w->addr;
			}
		}
		if (w->has_addr) {
			e = st_add(st, IDMESH_SACL_KIND_SERVER);
			e->has_addr = true;
			e->addr = w->addr;
			e->proto = w->proto;
			e->port = w->port;
			e->id = id;
		}
	}
	for (i = 0; i < in->nrules; i++) {
		const struct idm_rule *r = &in->rules[i];

		e = st_add(st, IDMESH_SACL_KIND_RULE);
		e->client = r->c.id;
		e->cbits = r->c.bits;
		e->server = r->s.id;
		e->sbits = r->s.bits;
		e->action = r->action;
		e->has_priority = r->has_priority;
		e->priority = r->priority;
		e->has_dscp = r->has_dscp;
		e->dscp = r->dscp;
	}
	return 0;
}

void idm_sstate_free(struct idm_sstate *st)
{
	free(st->e);
	memset(st, 0, sizeof(*st));
}

/* Order by kind, then key. */
static int cmp_key(const void *a, const void *b)
{
	const struct idm_sent *x = a, *y = b;
	int d;

	if (x->kind != y->kind)
		return x->kind - y->kind;
	switch (x->kind) {
	case IDMESH_SACL_KIND_PORT:
		return strcmp(x->dev, y->dev);
	case IDMESH_SACL_KIND_CLIENT:
		if (x->has_addr != y->has_addr)
			return x->has_addr - y->has_addr;
		if (x->has_addr)
			return memcmp(&x->addr, &y->addr, sizeof(x->addr));
		d = strcmp(x->dev, y->dev);
		return d ? d : (int)x->lid - (int)y->lid;
	case IDMESH_SACL_KIND_SERVER:
		d = memcmp(&x->addr, &y->addr, sizeof(x->addr));
		if (d)
			return d;
		if (x->proto != y->proto)
			return (int)x->proto - (int)y->proto;
		return (int)x->port - (int)y->port;
	case IDMESH_SACL_KIND_RULE:
		d = cmp_u64(x->client, y->client);
		if (!d)
			d = (int)x->cbits - (int)y->cbits;
		if (!d)
			d = cmp_u64(x->server, y->server);
		return d ? d : (int)x->sbits - (int)y->sbits;
	}
	return 0;
}

static bool same_entry(const struct idm_sent *x, const struct idm_sent *y)
{
	switch (x->kind) {
	case IDMESH_SACL_KIND_PORT:
		return x->marker == y->marker;
	case IDMESH_SACL_KIND_CLIENT:
	case IDMESH_SACL_KIND_SERVER:
		return x->id == y->id;
	case IDMESH_SACL_KIND_RULE:
		return x->action == y->action &&
		       x->has_priority == y->has_priority &&
		       (!x->has_priority || x->priority == y->priority) &&
		       x->has_dscp == y->has_dscp &&
		       (!x->has_dscp || x->dscp == y->dscp);
	}
	return false;
}

static struct idm_sent *sorted_copy(const struct idm_sstate *st)
{
	struct idm_sent *e = xrealloc(NULL, st->n, sizeof(*e));

	if (st->n)
		memcpy(e, st->e, st->n * sizeof(*e));
	qsort(e, st->n, sizeof(*e), cmp_key);
	return e;
}

static bool port_recreated(const struct idm_sop *ops, size_t n, const char *dev)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!ops[i].add && ops[i].e.kind == IDMESH_SACL_KIND_PORT &&
		    !strcmp(ops[i].e.dev, dev))
			return true;
	return false;
}

long idm_sacl_diff(const struct idm_sstate *cur, const struct idm_sstate *want,
		   struct idm_sop **ops)
{
	struct idm_sent *a = sorted_copy(cur), *b = sorted_copy(want);
	struct idm_sop *del = NULL, *add = NULL, *out;
	size_t i = 0, j = 0, ndel = 0, nadd = 0, k;
	static const int del_order[] = { IDMESH_SACL_KIND_RULE, IDMESH_SACL_KIND_SERVER,
					 IDMESH_SACL_KIND_CLIENT, IDMESH_SACL_KIND_PORT };
	int kind, d;

	while (i < cur->n || j < want->n) {
		if (i == cur->n)
			d = 1;
		else if (j == want->n)
			d = -1;
		else
			d = cmp_key(&a[i], &b[j]);
		if (d <= 0 && (d < 0 || !same_entry(&a[i], &b[j]))) {
			del = xrealloc(del, ndel + 1, sizeof(*del));
			del[ndel].add = false;
			del[ndel++].e = a[i];
		}
		if (d >= 0 && (d > 0 || !same_entry(&a[i], &b[j]))) {
			add = xrealloc(add, nadd + 1, sizeof(*add));
			add[nadd].add = true;
			add[nadd++].e = b[j];
		}
		/* A LID client of a re-created port: gone with it, so re-added. */
		if (!d && same_entry(&a[i], &b[j]) &&
		    a[i].kind == IDMESH_SACL_KIND_CLIENT && !a[i].has_addr &&
		    port_recreated(del, ndel, a[i].dev)) {
			del = xrealloc(del, ndel + 1, sizeof(*del));
			del[ndel].add = false;
			del[ndel++].e = a[i];
			add = xrealloc(add, nadd + 1, sizeof(*add));
			add[nadd].add = true;
			add[nadd++].e = b[j];
		}
		if (d <= 0)
			i++;
		if (d >= 0)
			j++;
	}
	free(a);
	free(b);
	/* Removals, rules first; additions, ports first. */
	out = xrealloc(NULL, ndel + nadd, sizeof(*out));
	k = 0;
	for (d = 0; d < 4; d++) {
		kind = del_order[d];
		for (i = 0; i < ndel; i++)
			if (del[i].e.kind == kind)
				out[k++] = del[i];
	}
	for (d = 3; d >= 0; d--) {
		kind = del_order[d];
		for (i = 0; i < nadd; i++)
			if (add[i].e.kind == kind)
				out[k++] = add[i];
	}
	free(del);
	free(add);
	*ops = out;
	return (long)k;
}

void idm_sent_format(const struct idm_sent *e, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN] = "", pri[32] = "", dscp[16] = "", proto[32] = "";
	char cb[8] = "", sb[8] = "";
	const char *p;

	if (e->has_addr)
		idm_addr46_ntop(&e->addr, addr, sizeof(addr));
	switch (e->kind) {
	case IDMESH_SACL_KIND_PORT:
		snprintf(buf, len, "port %s%s", e->dev, e->marker ? " marker" : "");
		break;
	case IDMESH_SACL_KIND_CLIENT:
		if (e->has_addr)
			snprintf(buf, len, "client %s id 0x%016" PRIx64, addr, e->id);
		else
			snprintf(buf, len, "client dev %s lid %u id 0x%016" PRIx64,
				 e->dev, e->lid, e->id);
		break;
	case IDMESH_SACL_KIND_SERVER:
		if (e->proto) {
			p = idm_proto_name(e->proto);
			if (p)
				snprintf(proto, sizeof(proto), " proto %s", p);
			else
				snprintf(proto, sizeof(proto), " proto %u", e->proto);
			if (e->port)
				snprintf(proto + strlen(proto), sizeof(proto) - strlen(proto),
					 " port %u", e->port);
		}
		snprintf(buf, len, "server %s%s id 0x%016" PRIx64, addr, proto, e->id);
		break;
	case IDMESH_SACL_KIND_RULE:
		if (e->has_priority && e->priority >> 16)
			snprintf(pri, sizeof(pri), " priority %x:%x", e->priority >> 16,
				 e->priority & 0xffff);
		else if (e->has_priority)
			snprintf(pri, sizeof(pri), " priority %u", e->priority);
		if (e->has_dscp)
			snprintf(dscp, sizeof(dscp), " dscp %u", e->dscp);
		if (e->cbits && e->cbits < 64)
			snprintf(cb, sizeof(cb), "/%u", e->cbits);
		if (e->sbits && e->sbits < 64)
			snprintf(sb, sizeof(sb), "/%u", e->sbits);
		snprintf(buf, len, "rule client 0x%016" PRIx64 "%s server 0x%016" PRIx64 "%s %s%s%s",
			 e->client, cb, e->server, sb,
			 e->action == IDMESH_SACL_DENY ? "deny" : "allow", pri, dscp);
		break;
	default:
		snprintf(buf, len, "?");
	}
}
