// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh apply: the intent's "vips", the node's virtual services and each
 * one's whole backend set, checked as the rest of the intent is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <json-c/json.h>
#include <linux/idmesh.h>

#include "intent.h"
#include "intent_impl.h"
#include "parse.h"

static const struct idm_word modes[] = {
	{ "nat", IDMESH_VIP_MODE_NAT },
	{ "tunnel", IDMESH_VIP_MODE_TUNNEL },
	{ NULL, 0 },
};

static int is_prime(uint32_t n)
{
	uint32_t d;

	if (n < 2)
		return 0;
	for (d = 2; d * d <= n; d++)
		if (n % d == 0)
			return 0;
	return 1;
}

static int same_backend(const struct idm_backend_spec *a,
			const struct idm_backend_spec *b)
{
	return a->addr.family == b->addr.family && a->port == b->port &&
	       !memcmp(a->addr.bytes, b->addr.bytes, a->addr.len);
}

static int parse_backend(struct ctx *c, const char *path, json_object *o,
			 const struct idm_intent_vip *v, struct idm_backend_spec *b)
{
	static const char *const keys[] = { "address", "port", "weight", NULL };
	char sub[PATH_MAX_LEN];
	json_object *x;
	size_t i;

	if (idm_want_type(c, path, o, json_type_object, "an object") ||
	    idm_known_keys(c, path, o, keys))
		return -1;
	memset(b, 0, sizeof(*b));
	idm_subpath(sub, path, "address");
	if (!json_object_object_get_ex(o, "address", &x))
		return idm_intent_fail(c, path, "needs an address");
	if (idm_get_addr(c, sub, x, &b->addr))
		return -1;
	if (b->addr.family != v->v.addr.family)
		return idm_intent_fail(c, sub, "is not of the VIP's family");
	idm_subpath(sub, path, "port");
	if (json_object_object_get_ex(o, "port", &x) &&
	    idm_get_uint(c, sub, x, 1, 65535, &b->port))
		return -1;
	b->has_weight = 1;
	b->weight = IDMESH_WEIGHT_DEFAULT;
	idm_subpath(sub, path, "weight");
	if (json_object_object_get_ex(o, "weight", &x) &&
	    idm_get_uint(c, sub, x, 0, IDMESH_WEIGHT_MAX, &b->weight))
		return -1;
	for (i = 0; i < v->nbe; i++)
		if (same_backend(&v->be[i], b))
			return idm_intent_fail(c, path, "the same backend as backends[%zu]", i);
	return 0;
}

static int parse_vip(struct ctx *c, const char *path, json_object *o,
		     struct idm_intent *in, struct idm_intent_vip *v)
{
	static const char *const keys[] = { "address", "port", "protocol", "mode",
					    "table-size", "affinity", "backends",
					    NULL };
	char sub[PATH_MAX_LEN], sub2[PATH_MAX_LEN];
	json_object *x;
	const char *s;
	size_t i;

	if (idm_want_type(c, path, o, json_type_object, "an object") ||
	    idm_known_keys(c, path, o, keys))
		return -1;
	idm_subpath(sub, path, "address");
	if (!json_object_object_get_ex(o, "address", &x))
		return idm_intent_fail(c, path, "needs an address");
	if (idm_get_addr(c, sub, x, &v->v.addr))
		return -1;
	idm_subpath(sub, path, "protocol");
	if (!json_object_object_get_ex(o, "protocol", &x))
		return idm_intent_fail(c, path, "needs a protocol: tcp, udp or sctp");
	if (idm_get_string(c, sub, x, &s))
		return -1;
	if (idm_parse_proto(s, false, &v->v.proto, sub2, sizeof(sub2)))
		return idm_intent_fail(c, sub, "\"%s\" is not tcp, udp or sctp", s);
	idm_subpath(sub, path, "port");
	if (json_object_object_get_ex(o, "port", &x) &&
	    idm_get_uint(c, sub, x, 0, 65535, &v->v.port))
		return -1;
	v->v.mode = IDMESH_VIP_MODE_NAT;
	idm_subpath(sub, path, "mode");
	if (json_object_object_get_ex(o, "mode", &x) &&
	    (idm_get_string(c, sub, x, &s) || idm_parse_word(s, modes, &v->v.mode)))
		return idm_intent_fail(c, sub, "is not \"nat\" or \"tunnel\"");
	v->v.table_size = IDMESH_TABLE_SIZE_DEFAULT;
	idm_subpath(sub, path, "table-size");
	if (json_object_object_get_ex(o, "table-size", &x) &&
	    idm_get_uint(c, sub, x, IDMESH_TABLE_SIZE_MIN, IDMESH_TABLE_SIZE_MAX,
			 &v->v.table_size))
		return -1;
	/* Checked here, so that nothing is changed for it. */
	if (!is_prime(v->v.table_size))
		return idm_intent_fail(c, sub, "%u is not a prime", v->v.table_size);
	/* Session affinity, seconds; absent or 0: none. */
	v->v.has_affinity = 1;
	idm_subpath(sub, path, "affinity");
	if (json_object_object_get_ex(o, "affinity", &x) &&
	    idm_get_uint(c, sub, x, 0, IDMESH_AFFINITY_MAX, &v->v.affinity))
		return -1;
	for (i = 0; i < in->nvips; i++)
		if (&in->vips[i] != v && in->vips[i].v.proto == v->v.proto &&
		    in->vips[i].v.port == v->v.port &&
		    in->vips[i].v.addr.family == v->v.addr.family &&
		    !memcmp(in->vips[i].v.addr.bytes, v->v.addr.bytes, v->v.addr.len))
			return idm_intent_fail(c, path, "the same VIP as vips[%zu]", i);
	idm_subpath(sub, path, "backends");
	if (!json_object_object_get_ex(o, "backends", &x))
		return 0;
	if (idm_want_type(c, sub, x, json_type_array, "an array"))
		return -1;
	if (json_object_array_length(x) > IDMESH_BACKENDS_MAX)
		return idm_intent_fail(c, sub, "more than %d backends", IDMESH_BACKENDS_MAX);
	if (json_object_array_length(x) > v->v.table_size)
		return idm_intent_fail(c, sub, "more backends than the table has slots");
	v->be = xrealloc(NULL, json_object_array_length(x), sizeof(*v->be));
	for (i = 0; i < json_object_array_length(x); i++) {
		idm_subidx(sub2, sub, i);
		if (parse_backend(c, sub2, json_object_array_get_idx(x, i), v,
				  &v->be[v->nbe]))
			return -1;
		v->nbe++;
	}
	return 0;
}

int idm_intent_parse_vips(struct ctx *c, json_object *o, struct idm_intent *in)
{
	char sub[PATH_MAX_LEN];
	size_t i, n;

	if (idm_want_type(c, "vips", o, json_type_array, "an array"))
		return -1;
	n = json_object_array_length(o);
	in->has_vips = true;
	in->vips = xrealloc(NULL, n, sizeof(*in->vips));
	memset(in->vips, 0, (n ? n : 1) * sizeof(*in->vips));
	for (i = 0; i < n; i++) {
		idm_subidx(sub, "vips", i);
		in->nvips++;
		if (parse_vip(c, sub, json_object_array_get_idx(o, i), in,
			      &in->vips[i]))
			return -1;
	}
	return 0;
}

void idm_intent_free_vips(struct idm_intent *in)
{
	size_t i;

	for (i = 0; i < in->nvips; i++)
		free(in->vips[i].be);
	free(in->vips);
}
