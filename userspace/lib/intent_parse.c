// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh apply: the intent file (JSON) into a struct idm_intent, checked
 * field by field; every message names the file and the path in it. See
 * Documentation/identity.rst.
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
#include "intent_impl.h"
#include "parse.h"
#include "sacl.h"
#include "siphash.h"

/* "idmesh SACL ID 1": the key of every node that is not given another. */
const uint8_t idm_default_id_key[IDM_ID_KEY_LEN] = {
	'i', 'd', 'm', 'e', 's', 'h', ' ', 'S', 'A', 'C', 'L', ' ', 'I', 'D', ' ', '1'
};



static int parse_labels(struct ctx *c, const char *path, json_object *o,
			struct idm_labels *l)
{
	char sub[PATH_MAX_LEN];

	if (idm_want_type(c, path, o, json_type_object, "an object of labels"))
		return -1;
	json_object_object_foreach(o, k, v) {
		idm_subpath(sub, path, k);
		if (!*k)
			return idm_intent_fail(c, path, "a label's key must not be empty");
		if (idm_want_type(c, sub, v, json_type_string, "a string"))
			return -1;
		l->v = xrealloc(l->v, l->n + 1, sizeof(*l->v));
		l->v[l->n].key = xstrdup(k);
		l->v[l->n].value = xstrdup(json_object_get_string(v));
		l->n++;
	}
	/* json-c keeps the last of duplicated keys: keys are unique here. */
	qsort(l->v, l->n, sizeof(*l->v), idm_label_cmp);
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

	if (idm_want_type(c, "ports", o, json_type_array, "an array"))
		return -1;
	for (i = 0; i < json_object_array_length(o); i++) {
		json_object *e = json_object_array_get_idx(o, i);
		bool marker = false;

		idm_subidx(sub, "ports", i);
		if (json_object_is_type(e, json_type_object)) {
			if (idm_known_keys(c, sub, e, keys))
				return -1;
			idm_subpath(sub2, sub, "dev");
			if (!json_object_object_get_ex(e, "dev", &v))
				return idm_intent_fail(c, sub, "needs a dev");
			if (idm_get_string(c, sub2, v, &s))
				return -1;
			if (json_object_object_get_ex(e, "marker", &v)) {
				idm_subpath(sub2, sub, "marker");
				if (idm_want_type(c, sub2, v, json_type_boolean, "true or false"))
					return -1;
				marker = json_object_get_boolean(v);
			}
		} else if (json_object_is_type(e, json_type_string)) {
			if (idm_get_string(c, sub, e, &s))
				return -1;
		} else {
			return idm_intent_fail(c, sub, "expected a device name or {\"dev\": ..., \"marker\": ...}, got %s",
				    idm_json_type_name(e));
		}
		if (strlen(s) >= IF_NAMESIZE)
			return idm_intent_fail(c, sub, "\"%s\" is longer than a device name can be", s);
		for (j = 0; j < in->nports; j++)
			if (!strcmp(in->ports[j].dev, s))
				return idm_intent_fail(c, sub, "port \"%s\" is listed twice", s);
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
					    "dev", "lid", "labels", "named-ports", NULL };
	char sub[PATH_MAX_LEN], err[160];
	const struct idm_port *port;
	json_object *v;
	const char *s;

	if (idm_want_type(c, path, o, json_type_object, "an object"))
		return -1;
	if (idm_known_keys(c, path, o, keys))
		return -1;
	if (!json_object_object_get_ex(o, "name", &v))
		return idm_intent_fail(c, path, "needs a name");
	idm_subpath(sub, path, "name");
	if (idm_get_string(c, sub, v, &s))
		return -1;
	w->name = xstrdup(s);
	if (json_object_object_get_ex(o, "address", &v)) {
		idm_subpath(sub, path, "address");
		if (idm_get_string(c, sub, v, &s))
			return -1;
		if (idm_addr46_pton(s, &w->addr))
			return idm_intent_fail(c, sub, "\"%s\" is not an IPv4 or IPv6 address", s);
		w->has_addr = true;
	}
	if (json_object_object_get_ex(o, "protocol", &v)) {
		idm_subpath(sub, path, "protocol");
		if (idm_get_string(c, sub, v, &s))
			return -1;
		if (idm_parse_proto(s, true, &w->proto, err, sizeof(err)))
			return idm_intent_fail(c, sub, "%s", err);
	}
	if (json_object_object_get_ex(o, "port", &v)) {
		idm_subpath(sub, path, "port");
		if (idm_get_uint(c, sub, v, 1, 65535, &w->port))
			return -1;
		if (w->proto != IPPROTO_TCP && w->proto != IPPROTO_UDP &&
		    w->proto != IPPROTO_SCTP)
			return idm_intent_fail(c, sub, "a port needs a protocol of tcp, udp or sctp");
	}
	if (json_object_object_get_ex(o, "dev", &v)) {
		idm_subpath(sub, path, "dev");
		if (idm_get_string(c, sub, v, &s))
			return -1;
		if (!find_port(in, s))
			return idm_intent_fail(c, sub, "\"%s\" is not one of the ports", s);
		w->dev = xstrdup(s);
	}
	if (json_object_object_get_ex(o, "lid", &v)) {
		idm_subpath(sub, path, "lid");
		if (idm_get_uint(c, sub, v, 0, IDMESH_SACL_LID_MAX, &w->lid))
			return -1;
		if (!w->dev)
			return idm_intent_fail(c, sub, "a LID needs the dev of its marker port");
		port = find_port(in, w->dev);
		if (!port->marker)
			return idm_intent_fail(c, sub, "port \"%s\" is not a marker port", w->dev);
		w->has_lid = true;
	}
	if (!w->has_addr && !w->has_lid)
		return idm_intent_fail(c, path, "needs an address, or a dev and a lid");
	if (!w->has_addr && (w->proto || w->port))
		return idm_intent_fail(c, path, "a protocol or port needs an address");
	if (json_object_object_get_ex(o, "named-ports", &v)) {
		idm_subpath(sub, path, "named-ports");
		if (idm_intent_parse_named(c, sub, v, w))
			return -1;
	}
	if (!json_object_object_get_ex(o, "labels", &v))
		return idm_intent_fail(c, path, "needs labels");
	idm_subpath(sub, path, "labels");
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
	idm_subidx(sub, "workloads", bad);
	if (what == 0)
		return idm_intent_fail(c, sub, "duplicate workload: the name \"%s\" is also workloads[%zu]'s",
			    w[bad].name, first);
	if (what == 1)
		return idm_intent_fail(c, sub, "duplicate workload: the same address, protocol and port as workloads[%zu] (\"%s\")",
			    first, w[first].name);
	return idm_intent_fail(c, sub, "duplicate workload: the same client (%s) as workloads[%zu] (\"%s\")",
		    w[bad].has_lid ? "dev and lid" : "address on this node",
		    first, w[first].name);
}

static int parse_workloads(struct ctx *c, json_object *o, struct idm_intent *in)
{
	char sub[PATH_MAX_LEN];
	size_t i;

	if (idm_want_type(c, "workloads", o, json_type_array, "an array"))
		return -1;
	for (i = 0; i < json_object_array_length(o); i++) {
		struct idm_workload *w;

		idm_subidx(sub, "workloads", i);
		in->workloads = xrealloc(in->workloads, in->nworkloads + 1,
					 sizeof(*in->workloads));
		w = &in->workloads[in->nworkloads++];
		memset(w, 0, sizeof(*w));
		if (parse_workload(c, sub, json_object_array_get_idx(o, i), in, w))
			return -1;
	}
	return check_duplicates(c, in);
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

	if (idm_want_type(c, "ids", o, json_type_object, "an object") ||
	    idm_known_keys(c, "ids", o, keys))
		return -1;
	if (json_object_object_get_ex(o, "key", &v)) {
		if (idm_get_string(c, "ids.key", v, &s))
			return -1;
		if (strlen(s) != 2 * IDM_ID_KEY_LEN)
			return idm_intent_fail(c, "ids.key", "needs %d hex digits (a 128-bit key)",
				    2 * IDM_ID_KEY_LEN);
		if (idm_hex_decode(s, in->key, IDM_ID_KEY_LEN))
			return idm_intent_fail(c, "ids.key", "\"%s\" is not hexadecimal", s);
	}
	if (!json_object_object_get_ex(o, "structured", &v))
		return 0;
	if (idm_want_type(c, "ids.structured", v, json_type_array, "an array"))
		return -1;
	for (i = 0; i < json_object_array_length(v); i++) {
		struct idm_id_field *f;
		json_object *x;
		size_t j;

		idm_subidx(sub, "ids.structured", i);
		e = json_object_array_get_idx(v, i);
		if (idm_want_type(c, sub, e, json_type_object, "an object") ||
		    idm_known_keys(c, sub, e, fkeys))
			return -1;
		in->fields = xrealloc(in->fields, in->nfields + 1, sizeof(*in->fields));
		f = &in->fields[in->nfields++];
		memset(f, 0, sizeof(*f));
		idm_subpath(sub2, sub, "label");
		if (!json_object_object_get_ex(e, "label", &x))
			return idm_intent_fail(c, sub, "needs a label");
		if (idm_get_string(c, sub2, x, &s))
			return -1;
		if (!idm_is_service_key(in, s))
			return idm_intent_fail(c, sub2, "\"%s\" is not one of the service-keys", s);
		for (j = 0; j + 1 < in->nfields; j++)
			if (!strcmp(in->fields[j].key, s))
				return idm_intent_fail(c, sub2, "\"%s\" is listed twice", s);
		f->key = xstrdup(s);
		idm_subpath(sub2, sub, "bits");
		if (!json_object_object_get_ex(e, "bits", &x))
			return idm_intent_fail(c, sub, "needs bits");
		if (idm_get_uint(c, sub2, x, 1, 32, &f->bits))
			return -1;
		total += f->bits;
		/* At least 16 bits tell the Services of one group apart. */
		if (total > 48)
			return idm_intent_fail(c, sub2, "the structured fields take %u bits; at most 48 of the 64",
				    total);
	}
	return 0;
}
int idm_intent_parse(const char *file, const char *text, size_t len,
		     struct idm_intent *in, char *err, size_t errlen)
{
	static const char *const keys[] = { "ports", "default", "service-keys", "vips",
					    "ids", "workloads", "policies", "pairs",
					    "remote-links", "hash-key", "sacl-entries",
					    "masquerade", "external-links", "ipsec", NULL };
	static const char *const idkeys[] = { "ports", "default", "service-keys", "ids",
					      "workloads", "policies", "sacl-entries", NULL };
	struct ctx c = { .file = file, .err = err, .errlen = errlen };
	json_object *root, *v;
	int ret = -1;
	size_t i;

	memset(in, 0, sizeof(*in));
	in->file = file;
	memcpy(in->key, idm_default_id_key, sizeof(in->key));
	root = idm_parse_text(&c, text, len);
	if (!root)
		return -1;
	if (idm_want_type(&c, "", root, json_type_object, "an object at the top") ||
	    idm_known_keys(&c, "", root, keys))
		goto out;
	for (i = 0; idkeys[i]; i++)
		in->has_identity |= json_object_object_get_ex(root, idkeys[i], NULL);
	if (json_object_object_get_ex(root, "service-keys", &v)) {
		if (idm_intent_parse_strings(&c, "service-keys", v, &in->service_keys,
				  &in->nservice_keys, "label key"))
			goto out;
		in->has_service_keys = true;
	}
	if (json_object_object_get_ex(root, "default", &v)) {
		if (idm_intent_get_action(&c, "default", v, &in->def_action))
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
	    idm_intent_parse_policies(&c, v, in))
		goto out;
	if (json_object_object_get_ex(root, "pairs", &v) &&
	    idm_intent_parse_links(&c, "pairs", v, in))
		goto out;
	if (json_object_object_get_ex(root, "remote-links", &v) &&
	    idm_intent_parse_links(&c, "remote-links", v, in))
		goto out;
	if (json_object_object_get_ex(root, "external-links", &v) &&
	    idm_intent_parse_links(&c, "external-links", v, in))
		goto out;
	if (json_object_object_get_ex(root, "sacl-entries", &v) &&
	    idm_intent_parse_sacl(&c, v, in))
		goto out;
	if (json_object_object_get_ex(root, "hash-key", &v) &&
	    idm_intent_parse_hash_key(&c, v, in))
		goto out;
	if (json_object_object_get_ex(root, "vips", &v) &&
	    idm_intent_parse_vips(&c, v, in))
		goto out;
	if (json_object_object_get_ex(root, "masquerade", &v) &&
	    idm_intent_parse_masq(&c, v, in))
		goto out;
	if (json_object_object_get_ex(root, "ipsec", &v) &&
	    idm_intent_parse_ipsec(&c, v, in))
		goto out;
	for (i = 0; i < in->nlinks; i++)
		if (in->links[i].encrypt && !in->nsecrets) {
			snprintf(err, errlen, "%s: link %s is encrypted, but the intent has no \"ipsec\" secrets",
				 file, in->links[i].name);
			goto out;
		}
	ret = 0;
out:
	json_object_put(root);
	return ret;
}
