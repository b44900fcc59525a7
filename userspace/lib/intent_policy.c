// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh apply: the intent's policies, and the rules and peers they give
 * once Services have their IDs (Acila §5.1; Kubernetes NetworkPolicy as
 * idmesh k8s writes it). See Documentation/identity.rst.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <json-c/json.h>
#include <linux/idmesh.h>

#include "intent.h"
#include "intent_impl.h"
#include "sacl.h"
#include "siphash.h"

bool idm_selects(const struct idm_selector *sel, size_t n,
		 const struct idm_labels *l)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const char *v = idm_label_get(l, sel[i].key);
		bool in = false;

		for (j = 0; v && j < sel[i].nvalues; j++)
			if (!strcmp(v, sel[i].values[j]))
				in = true;
		switch (sel[i].op) {
		case IDM_SEL_IN:
			if (!in)
				return false;
			break;
		case IDM_SEL_NOT_IN:
			/* Selects one without the key, as Kubernetes does. */
			if (in)
				return false;
			break;
		case IDM_SEL_EXISTS:
			if (!v)
				return false;
			break;
		default:
			if (v)
				return false;
		}
	}
	return true;
}

static int parse_selectors(struct ctx *c, const char *path, json_object *o,
			   const struct idm_intent *in, struct idm_selector **out,
			   size_t *n)
{
	static const char *const keys[] = { "key", "operator", "values", NULL };
	static const char *const ops[] = {
		[IDM_SEL_IN] = "in", [IDM_SEL_NOT_IN] = "not_in",
		[IDM_SEL_EXISTS] = "exists", [IDM_SEL_NOT_EXISTS] = "does_not_exist",
	};
	char sub[PATH_MAX_LEN], sub2[PATH_MAX_LEN];
	struct idm_selector *sel;
	json_object *e, *v;
	const char *s;
	size_t i;
	int op;

	if (!json_object_array_length(o))
		return idm_intent_fail(c, path, "needs at least one selector (\"every\" is every client or server)");
	for (i = 0; i < json_object_array_length(o); i++) {
		idm_subidx(sub, path, i);
		e = json_object_array_get_idx(o, i);
		if (idm_want_type(c, sub, e, json_type_object, "an object") ||
		    idm_known_keys(c, sub, e, keys))
			return -1;
		*out = xrealloc(*out, *n + 1, sizeof(**out));
		sel = &(*out)[(*n)++];
		memset(sel, 0, sizeof(*sel));
		if (!json_object_object_get_ex(e, "key", &v))
			return idm_intent_fail(c, sub, "needs a key");
		idm_subpath(sub2, sub, "key");
		if (idm_get_string(c, sub2, v, &s))
			return -1;
		if (!idm_is_service_key(in, s))
			return idm_intent_fail(c, sub2, "\"%s\" is not one of the service-keys: Services do not have it", s);
		sel->key = xstrdup(s);
		if (!json_object_object_get_ex(e, "operator", &v))
			return idm_intent_fail(c, sub, "needs an operator");
		idm_subpath(sub2, sub, "operator");
		if (idm_get_string(c, sub2, v, &s))
			return -1;
		for (op = 0; op < (int)ARRAY_LEN(ops); op++)
			if (!strcmp(s, ops[op]))
				break;
		if (op == (int)ARRAY_LEN(ops))
			return idm_intent_fail(c, sub2, "\"%s\" is not in, not_in, exists or does_not_exist", s);
		sel->op = op;
		idm_subpath(sub2, sub, "values");
		if (op == IDM_SEL_EXISTS || op == IDM_SEL_NOT_EXISTS) {
			if (json_object_object_get_ex(e, "values", &v))
				return idm_intent_fail(c, sub2, "%s takes no values", ops[op]);
			continue;
		}
		if (!json_object_object_get_ex(e, "values", &v))
			return idm_intent_fail(c, sub, "needs values");
		if (idm_intent_parse_strings(c, sub2, v, &sel->values, &sel->nvalues, "value"))
			return -1;
	}
	return 0;
}

static int parse_cidr(struct ctx *c, const char *path, json_object *o,
		      struct idm_prefix *p)
{
	char why[160];
	const char *s;

	if (idm_get_string(c, path, o, &s))
		return -1;
	if (idm_prefix_parse(s, true, p, why, sizeof(why)))
		return idm_intent_fail(c, path, "%s", why);
	if (!strchr(s, '/'))
		return idm_intent_fail(c, path, "\"%s\" is not ADDR/LEN", s);
	return 0;
}

/* "any", "every", selectors, or {"cidr", "except"}. */
static int parse_side(struct ctx *c, const char *path, json_object *o,
		      const struct idm_intent *in, struct idm_policy *p, int k)
{
	static const char *const keys[] = { "cidr", "except", NULL };
	char sub[PATH_MAX_LEN], sub2[PATH_MAX_LEN];
	json_object *v;
	size_t i, j;

	if (json_object_is_type(o, json_type_string)) {
		const char *s = json_object_get_string(o);

		if (!strcmp(s, "any"))
			p->kind[k] = IDM_SIDE_ANY;
		else if (!strcmp(s, "every"))
			p->kind[k] = IDM_SIDE_EVERY;
		else
			return idm_intent_fail(c, path, "\"%s\" is not any or every", s);
		return 0;
	}
	if (json_object_is_type(o, json_type_array)) {
		p->kind[k] = IDM_SIDE_SERVICES;
		return parse_selectors(c, path, o, in, &p->sel[k], &p->nsel[k]);
	}
	if (!json_object_is_type(o, json_type_object))
		return idm_intent_fail(c, path, "expected selectors, \"any\", \"every\" or {\"cidr\": ...}, not %s",
				       idm_json_type_name(o));
	if (idm_known_keys(c, path, o, keys))
		return -1;
	p->kind[k] = IDM_SIDE_CIDR;
	if (!json_object_object_get_ex(o, "cidr", &v))
		return idm_intent_fail(c, path, "needs a cidr");
	idm_subpath(sub, path, "cidr");
	if (parse_cidr(c, sub, v, &p->cidr[k]))
		return -1;
	if (!json_object_object_get_ex(o, "except", &v))
		return 0;
	idm_subpath(sub, path, "except");
	if (idm_want_type(c, sub, v, json_type_array, "an array of prefixes"))
		return -1;
	p->nexcept[k] = json_object_array_length(v);
	p->except[k] = xrealloc(NULL, p->nexcept[k], sizeof(*p->except[k]));
	for (i = 0; i < p->nexcept[k]; i++) {
		struct idm_prefix *e = &p->except[k][i];

		idm_subidx(sub2, sub, i);
		if (parse_cidr(c, sub2, json_object_array_get_idx(v, i), e))
			return -1;
		if (!idm_prefix_in(e, &p->cidr[k]) || e->len == p->cidr[k].len)
			return idm_intent_fail(c, sub2, "not a part of the cidr: an except must be inside it and longer");
		for (j = 0; j < i; j++)
			if (idm_prefix_eq(e, &p->except[k][j]))
				return idm_intent_fail(c, sub2, "the same prefix as [%zu]", j);
	}
	return 0;
}

/* "PROTO", "PROTO:PORT", "PROTO:PORT-END" or "PROTO:NAME". */
static int parse_port(struct ctx *c, const char *path, const char *s,
		      struct idm_policy_port *pp)
{
	const char *colon = strchr(s, ':');
	struct idm_range r;
	char why[160];
	uint32_t n;

	memset(pp, 0, sizeof(*pp));
	if (colon && colon[1] && (colon[1] < '0' || colon[1] > '9')) {
		char proto[16];
		size_t len = (size_t)(colon - s);

		if (len >= sizeof(proto))
			len = sizeof(proto) - 1;
		memcpy(proto, s, len);
		proto[len] = '\0';
		if (idm_parse_ranges(proto, &r, &n, 1, why, sizeof(why)))
			return idm_intent_fail(c, path, "%s", why);
		if (strlen(colon + 1) > 15 || strchr(colon + 1, ','))
			return idm_intent_fail(c, path, "\"%s\" is not a port's name (at most 15 characters)",
					       colon + 1);
		pp->proto = r.proto;
		pp->name = xstrdup(colon + 1);
		return 0;
	}
	if (strchr(s, ','))
		return idm_intent_fail(c, path, "\"%s\": one range per string", s);
	if (idm_parse_ranges(s, &r, &n, 1, why, sizeof(why)))
		return idm_intent_fail(c, path, "%s", why);
	pp->proto = r.proto;
	pp->lo = r.lo;
	pp->hi = r.hi;
	return 0;
}

static int parse_policy_ports(struct ctx *c, const char *path, json_object *o,
			      struct idm_policy *p)
{
	char sub[PATH_MAX_LEN];
	const char *s;
	size_t i;

	if (idm_want_type(c, path, o, json_type_array, "an array of ports"))
		return -1;
	if (!json_object_array_length(o))
		return idm_intent_fail(c, path, "needs at least one port (leave it out for every port)");
	p->has_ports = true;
	for (i = 0; i < json_object_array_length(o); i++) {
		idm_subidx(sub, path, i);
		if (idm_get_string(c, sub, json_object_array_get_idx(o, i), &s))
			return -1;
		p->ports = xrealloc(p->ports, p->nports + 1, sizeof(*p->ports));
		if (parse_port(c, sub, s, &p->ports[p->nports]))
			return -1;
		p->nports++;
	}
	return 0;
}

static int parse_policy(struct ctx *c, const char *path, json_object *o,
			const struct idm_intent *in, struct idm_policy *p)
{
	static const char *const keys[] = { "name", "client", "server", "action",
					    "priority", "dscp", "direction",
					    "ports", NULL };
	static const char *const side[] = { "client", "server" };
	char sub[PATH_MAX_LEN], err[160];
	json_object *v;
	const char *s;
	int k;

	if (idm_want_type(c, path, o, json_type_object, "an object") ||
	    idm_known_keys(c, path, o, keys))
		return -1;
	if (json_object_object_get_ex(o, "name", &v)) {
		idm_subpath(sub, path, "name");
		if (idm_get_string(c, sub, v, &s))
			return -1;
		p->name = xstrdup(s);
	} else {
		p->name = xstrdup(path);
	}
	p->dir = IDMESH_SACL_INGRESS;
	if (json_object_object_get_ex(o, "direction", &v)) {
		idm_subpath(sub, path, "direction");
		if (idm_get_string(c, sub, v, &s))
			return -1;
		if (!strcmp(s, "egress"))
			p->dir = IDMESH_SACL_EGRESS;
		else if (strcmp(s, "ingress"))
			return idm_intent_fail(c, sub, "\"%s\" is not ingress or egress", s);
	}
	for (k = 0; k < 2; k++) {
		idm_subpath(sub, path, side[k]);
		if (!json_object_object_get_ex(o, side[k], &v))
			return idm_intent_fail(c, path, "needs a %s: selectors, \"any\", \"every\" or a cidr",
					       side[k]);
		if (parse_side(c, sub, v, in, p, k))
			return -1;
	}
	/* Peers stand for a client at ingress, a server at egress. */
	k = p->dir == IDMESH_SACL_INGRESS ? IDM_SIDE_SERVER : IDM_SIDE_CLIENT;
	if (p->kind[k] == IDM_SIDE_CIDR) {
		idm_subpath(sub, path, side[k]);
		return idm_intent_fail(c, sub, "a cidr is a client at ingress, a server at egress");
	}
	if (json_object_object_get_ex(o, "ports", &v)) {
		idm_subpath(sub, path, "ports");
		if (parse_policy_ports(c, sub, v, p))
			return -1;
	}
	p->action = IDMESH_SACL_ALLOW;
	if (json_object_object_get_ex(o, "action", &v)) {
		idm_subpath(sub, path, "action");
		if (idm_intent_get_action(c, sub, v, &p->action))
			return -1;
	}
	if (json_object_object_get_ex(o, "priority", &v)) {
		idm_subpath(sub, path, "priority");
		if (json_object_is_type(v, json_type_int)) {
			if (idm_get_uint(c, sub, v, 0, UINT32_MAX, &p->priority))
				return -1;
		} else {
			if (idm_get_string(c, sub, v, &s))
				return -1;
			if (idm_sacl_parse_priority(s, &p->priority, err, sizeof(err)))
				return idm_intent_fail(c, sub, "%s", err);
		}
		p->has_priority = true;
	}
	if (json_object_object_get_ex(o, "dscp", &v)) {
		idm_subpath(sub, path, "dscp");
		if (idm_get_uint(c, sub, v, 0, 63, &p->dscp))
			return -1;
		p->has_dscp = true;
	}
	if (p->dir == IDMESH_SACL_EGRESS && (p->has_priority || p->has_dscp))
		return idm_intent_fail(c, path, "an egress policy allows or denies: no priority or dscp");
	return 0;
}

int idm_intent_parse_policies(struct ctx *c, json_object *o, struct idm_intent *in)
{
	char sub[PATH_MAX_LEN];
	size_t i;

	if (idm_want_type(c, "policies", o, json_type_array, "an array"))
		return -1;
	for (i = 0; i < json_object_array_length(o); i++) {
		struct idm_policy *p;

		idm_subidx(sub, "policies", i);
		in->policies = xrealloc(in->policies, in->npolicies + 1,
					sizeof(*in->policies));
		p = &in->policies[in->npolicies++];
		memset(p, 0, sizeof(*p));
		if (parse_policy(c, sub, json_object_array_get_idx(o, i), in, p))
			return -1;
	}
	return 0;
}

int idm_intent_parse_named(struct ctx *c, const char *path, json_object *o,
			   struct idm_workload *w)
{
	char sub[PATH_MAX_LEN], why[160];
	struct idm_range r;
	uint32_t n;
	const char *s;

	if (idm_want_type(c, path, o, json_type_object, "an object of names and PROTO:PORT"))
		return -1;
	json_object_object_foreach(o, name, v) {
		idm_subpath(sub, path, name);
		if (!*name || strlen(name) > 15 || (*name >= '0' && *name <= '9'))
			return idm_intent_fail(c, sub, "\"%s\" is not a port's name (1..15 characters, not a number)",
					       name);
		if (idm_get_string(c, sub, v, &s))
			return -1;
		if (!strchr(s, ':') || strchr(s, ',') ||
		    idm_parse_ranges(s, &r, &n, 1, why, sizeof(why)) || r.lo != r.hi)
			return idm_intent_fail(c, sub, "\"%s\" is not PROTO:PORT", s);
		w->named = xrealloc(w->named, w->nnamed + 1, sizeof(*w->named));
		w->named[w->nnamed].name = xstrdup(name);
		w->named[w->nnamed].proto = r.proto;
		w->named[w->nnamed++].port = r.lo;
	}
	return 0;
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
	if (r->dir != s->dir)
		return (int)r->dir - (int)s->dir;
	return r->policy < s->policy ? -1 : r->policy > s->policy;
}

static bool same_value(const struct idm_rule *a, const struct idm_rule *b)
{
	return a->action == b->action && a->has_priority == b->has_priority &&
	       a->priority == b->priority && a->has_dscp == b->has_dscp &&
	       a->dscp == b->dscp;
}

/* One side of the rules a policy makes, and the Service it is, if one. */
struct item {
	struct idm_rule_side side;
	size_t service;			/* (size_t)-1: not a Service */
};

struct items {
	struct item *v;
	size_t n;
};

static void items_add(struct items *it, int kind, uint64_t id, uint32_t bits,
		      char *name, size_t service)
{
	it->v = xrealloc(it->v, it->n + 1, sizeof(*it->v));
	it->v[it->n].side.kind = kind;
	it->v[it->n].side.id = id;
	it->v[it->n].side.bits = bits;
	it->v[it->n].side.name = name;
	it->v[it->n++].service = service;
}

static void items_free(struct items *it)
{
	size_t i;

	for (i = 0; i < it->n; i++)
		free(it->v[i].side.name);
	free(it->v);
	memset(it, 0, sizeof(*it));
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
		if (f < 0 || sel[i].op != IDM_SEL_IN || (size_t)f >= nsel || by_field[f])
			return false;
		by_field[f] = &sel[i];
	}
	return true;
}

static void group_items(const struct idm_intent *in,
			const struct idm_selector **by_field, size_t nsel,
			struct items *out)
{
	size_t i, f, combos = 1, *at;

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
			uint64_t h = idm_field_hash(in->key, in->fields[f].key,
						    by_field[f]->values[at[f]]);

			id |= (h >> (64 - bits)) << (64 - used - bits);
			used += bits;
			if (f)
				strcat(name, ",");
			strcat(name, by_field[f]->key);
			strcat(name, "=");
			strcat(name, by_field[f]->values[at[f]]);
		}
		items_add(out, IDM_SIDE_SERVICES, id, used, name, (size_t)-1);
	}
	free(at);
}

/* The peers inside a CIDR but outside its excepts. */
static void cidr_items(const struct idm_intent *in, const struct idm_policy *p,
		       int k, struct items *out)
{
	char a[INET6_ADDRSTRLEN + 8];
	size_t i, j;

	for (i = 0; i < in->npeers; i++) {
		const struct idm_prefix *q = &in->peers[i].p;

		if (!idm_prefix_in(q, &p->cidr[k]))
			continue;
		for (j = 0; j < p->nexcept[k]; j++)
			if (idm_prefix_in(q, &p->except[k][j]))
				break;
		if (j < p->nexcept[k])
			continue;
		idm_prefix_format(q, a, sizeof(a));
		items_add(out, IDM_SIDE_CIDR, in->peers[i].id, 64, xstrdup(a), (size_t)-1);
	}
}

static void side_items(const struct idm_intent *in, const struct idm_policy *p,
		       int k, struct items *out)
{
	const struct idm_selector **by_field;
	size_t i;

	memset(out, 0, sizeof(*out));
	switch (p->kind[k]) {
	case IDM_SIDE_ANY:
		items_add(out, IDM_SIDE_ANY, 0, 0, xstrdup("any"), (size_t)-1);
		return;
	case IDM_SIDE_EVERY:
		/* Each ID, none left: the two halves (as 0/1 and 128/1 routes). */
		items_add(out, IDM_SIDE_EVERY, 0, 1, xstrdup("every"), (size_t)-1);
		items_add(out, IDM_SIDE_EVERY, 1ull << 63, 1, xstrdup("every"), (size_t)-1);
		return;
	case IDM_SIDE_CIDR:
		cidr_items(in, p, k, out);
		return;
	}
	by_field = xrealloc(NULL, in->nfields + 1, sizeof(*by_field));
	if (in->nfields && side_is_group(in, p->sel[k], p->nsel[k], by_field)) {
		group_items(in, by_field, p->nsel[k], out);
		free(by_field);
		return;
	}
	free(by_field);
	for (i = 0; i < in->nservices; i++)
		if (idm_selects(p->sel[k], p->nsel[k], &in->services[i].labels))
			items_add(out, IDM_SIDE_SERVICES, in->services[i].id, 64,
				  xstrdup(in->services[i].name), i);
}

/* The numbers a Service's workloads give a named port. */
static uint32_t resolve_named(const struct idm_intent *in, size_t service,
			      const struct idm_policy_port *pp,
			      struct idm_range *r, uint32_t n, uint32_t max)
{
	size_t i, j;

	for (i = 0; i < in->nworkloads; i++) {
		const struct idm_workload *w = &in->workloads[i];

		if (w->service != service)
			continue;
		for (j = 0; j < w->nnamed && n < max; j++) {
			if (w->named[j].proto != pp->proto ||
			    strcmp(w->named[j].name, pp->name))
				continue;
			r[n].proto = pp->proto;
			r[n].lo = w->named[j].port;
			r[n].hi = w->named[j].port;
			n++;
		}
	}
	return n;
}

static int cmp_range(const void *a, const void *b)
{
	const struct idm_range *x = a, *y = b;

	if (x->proto != y->proto)
		return (int)x->proto - (int)y->proto;
	return (int)x->lo - (int)y->lo;
}

/* Sorted, overlapping and adjacent ranges joined; the new count. */
static uint32_t ranges_normalize(struct idm_range *r, uint32_t n)
{
	uint32_t i, m = 0;

	qsort(r, n, sizeof(*r), cmp_range);
	for (i = 0; i < n; i++) {
		if (m && r[m - 1].proto == r[i].proto &&
		    (uint32_t)r[m - 1].hi + 1 >= r[i].lo) {
			if (r[i].hi > r[m - 1].hi)
				r[m - 1].hi = r[i].hi;
			continue;
		}
		r[m++] = r[i];
	}
	return m;
}

/* Room for two rules' ranges before they are joined. */
#define RANGES_ROOM	(4 * IDMESH_SACL_RANGES_MAX)

/*
 * The ranges of policy p between a client and server item (names
 * resolved for the server's Service); false when p has ports and none
 * is left (no rule).
 */
static bool pair_ranges(const struct idm_intent *in,
			const struct idm_policy *p, const struct item *s,
			struct idm_range *r, uint32_t *n)
{
	size_t i;

	*n = 0;
	if (!p->has_ports)
		return true;
	for (i = 0; i < p->nports && *n < RANGES_ROOM; i++) {
		const struct idm_policy_port *pp = &p->ports[i];

		if (!pp->name) {
			r[*n].proto = pp->proto;
			r[*n].lo = pp->lo;
			r[(*n)++].hi = pp->hi;
		} else if (s->service != (size_t)-1) {
			*n = resolve_named(in, s->service, pp, r, *n, RANGES_ROOM);
		}
	}
	*n = ranges_normalize(r, *n);
	return *n > 0;
}

static int add_rule(struct ctx *c, struct idm_intent *in, size_t k,
		    const struct item *ci, const struct item *si,
		    const struct idm_range *r, uint32_t n)
{
	const struct idm_policy *p = &in->policies[k];
	struct idm_rule *rule;

	if (n > IDMESH_SACL_RANGES_MAX)
		return idm_intent_fail(c, "", "policy \"%s\" gives client {%s} and server {%s} %u port ranges: at most %u",
				       p->name, ci->side.name, si->side.name, n,
				       IDMESH_SACL_RANGES_MAX);
	in->rules = xrealloc(in->rules, in->nrules + 1, sizeof(*in->rules));
	rule = &in->rules[in->nrules++];
	memset(rule, 0, sizeof(*rule));
	rule->c = ci->side;
	rule->c.name = xstrdup(ci->side.name);
	rule->s = si->side;
	rule->s.name = xstrdup(si->side.name);
	rule->policy = k;
	rule->npolicies = 1;
	rule->from = xrealloc(NULL, 1, sizeof(*rule->from));
	rule->from[0] = k;
	rule->dir = p->dir;
	rule->nranges = n;
	memcpy(rule->ranges, r, n * sizeof(*r));
	rule->action = p->action;
	rule->has_priority = p->has_priority;
	rule->priority = p->priority;
	rule->has_dscp = p->has_dscp;
	rule->dscp = p->dscp;
	return 0;
}

static bool has_named(const struct idm_policy *p)
{
	size_t i;

	for (i = 0; i < p->nports; i++)
		if (p->ports[i].name)
			return true;
	return false;
}

/* Every (client, server) pair policy k selects, with its ports. */
static int policy_rules(struct ctx *c, struct idm_intent *in, size_t k)
{
	const struct idm_policy *p = &in->policies[k];
	struct idm_range r[RANGES_ROOM];
	struct items cs, ss, named = { 0 };
	size_t i, j;
	uint32_t n;
	int ret = 0;

	side_items(in, p, IDM_SIDE_CLIENT, &cs);
	side_items(in, p, IDM_SIDE_SERVER, &ss);
	/*
	 * Named ports towards "any" or "every" server: each Service that
	 * has the name, as a server of its own.
	 */
	if (has_named(p) && (p->kind[1] == IDM_SIDE_ANY || p->kind[1] == IDM_SIDE_EVERY))
		for (i = 0; i < in->nservices; i++)
			items_add(&named, IDM_SIDE_SERVICES, in->services[i].id, 64,
				  xstrdup(in->services[i].name), i);
	for (i = 0; i < cs.n && !ret; i++) {
		for (j = 0; j < ss.n && !ret; j++)
			if (pair_ranges(in, p, &ss.v[j], r, &n))
				ret = add_rule(c, in, k, &cs.v[i], &ss.v[j], r, n);
		for (j = 0; j < named.n && !ret; j++) {
			struct idm_policy q = *p;
			size_t m;

			/* Only the names: the numbers are the wider rule's. */
			q.ports = xrealloc(NULL, p->nports, sizeof(*q.ports));
			for (m = 0, q.nports = 0; m < p->nports; m++)
				if (p->ports[m].name)
					q.ports[q.nports++] = p->ports[m];
			if (pair_ranges(in, &q, &named.v[j], r, &n))
				ret = add_rule(c, in, k, &cs.v[i], &named.v[j], r, n);
			free(q.ports);
		}
	}
	items_free(&cs);
	items_free(&ss);
	items_free(&named);
	return ret;
}

static uint64_t peer_id(const uint8_t *key, const struct idm_prefix *p)
{
	uint8_t buf[4 + 1 + 16 + 1];
	uint64_t h;

	memcpy(buf, "peer", 4);
	buf[4] = (uint8_t)p->a.family;
	memset(buf + 5, 0, 16);
	memcpy(buf + 5, p->a.bytes, p->a.len);
	buf[21] = (uint8_t)p->len;
	h = idm_siphash(key, buf, sizeof(buf));
	return h ? h : 1;
}

static int cmp_prefix(const void *a, const void *b)
{
	const struct idm_prefix *x = a, *y = b;
	int d;

	if (x->a.family != y->a.family)
		return x->a.family - y->a.family;
	d = memcmp(x->a.bytes, y->a.bytes, sizeof(x->a.bytes));
	return d ? d : (int)x->len - (int)y->len;
}

static void add_peer(struct idm_intent *in, const struct idm_prefix *p)
{
	in->peers = xrealloc(in->peers, in->npeers + 1, sizeof(*in->peers));
	in->peers[in->npeers].p = *p;
	in->peers[in->npeers++].id = peer_id(in->key, p);
}

/*
 * The peers: each CIDR and except the policies name, and, once one
 * names a CIDR or "every", the whole of IPv4 and IPv6, so that an
 * address outside the workloads always has an ID.
 */
static void derive_peers(struct idm_intent *in)
{
	bool world = false;
	size_t i, j, n;
	int k;

	for (i = 0; i < in->npolicies; i++) {
		const struct idm_policy *p = &in->policies[i];

		for (k = 0; k < 2; k++) {
			if (p->kind[k] == IDM_SIDE_EVERY)
				world = true;
			if (p->kind[k] != IDM_SIDE_CIDR)
				continue;
			world = true;
			add_peer(in, &p->cidr[k]);
			for (j = 0; j < p->nexcept[k]; j++)
				add_peer(in, &p->except[k][j]);
		}
	}
	if (world) {
		struct idm_prefix w = { 0 };

		idm_prefix_parse("0.0.0.0/0", true, &w, NULL, 0);
		add_peer(in, &w);
		idm_prefix_parse("::/0", true, &w, NULL, 0);
		add_peer(in, &w);
	}
	qsort(in->peers, in->npeers, sizeof(*in->peers), cmp_prefix);
	for (i = 0, n = 0; i < in->npeers; i++)
		if (!n || cmp_prefix(&in->peers[n - 1].p, &in->peers[i].p))
			in->peers[n++] = in->peers[i];
	in->npeers = n;
}

static void rules_free_from(struct idm_intent *in, size_t i)
{
	for (; i < in->nrules; i++) {
		free(in->rules[i].c.name);
		free(in->rules[i].s.name);
		free(in->rules[i].from);
	}
}

int idm_intent_derive_rules(struct ctx *c, struct idm_intent *in)
{
	struct idm_range r[2 * IDMESH_SACL_RANGES_MAX];
	size_t i, k, n;

	derive_peers(in);
	for (k = 0; k < in->npolicies; k++)
		if (policy_rules(c, in, k))
			return -1;
	/*
	 * Policies on one pair: the same values join (their ports
	 * together, none meaning all), others conflict.
	 */
	qsort(in->rules, in->nrules, sizeof(*in->rules), cmp_rule);
	for (i = 0, n = 0; i < in->nrules; i++) {
		struct idm_rule *a = &in->rules[n - (n > 0)], *b = &in->rules[i];
		uint32_t m;

		if (!n || cmp_side(&a->c, &b->c) || cmp_side(&a->s, &b->s) ||
		    a->dir != b->dir) {
			in->rules[n++] = *b;
			continue;
		}
		if (!same_value(a, b)) {
			idm_intent_fail(c, "", "policies \"%s\" and \"%s\" both select client {%s} and server {%s} with different actions or priorities",
					in->policies[a->policy].name,
					in->policies[b->policy].name, a->c.name, a->s.name);
			rules_free_from(in, i);
			in->nrules = n;
			return -1;
		}
		if (b->policy != a->from[a->npolicies - 1]) {
			a->from = xrealloc(a->from, a->npolicies + 1, sizeof(*a->from));
			a->from[a->npolicies++] = b->policy;
		}
		if (!a->nranges || !b->nranges) {
			a->nranges = 0;
		} else {
			memcpy(r, a->ranges, a->nranges * sizeof(*r));
			memcpy(r + a->nranges, b->ranges, b->nranges * sizeof(*r));
			m = ranges_normalize(r, a->nranges + b->nranges);
			if (m > IDMESH_SACL_RANGES_MAX) {
				idm_intent_fail(c, "", "policies \"%s\" and \"%s\" give client {%s} and server {%s} %u port ranges together: at most %u",
						in->policies[a->policy].name,
						in->policies[b->policy].name, a->c.name,
						a->s.name, m, IDMESH_SACL_RANGES_MAX);
				rules_free_from(in, i);
				in->nrules = n;
				return -1;
			}
			memcpy(a->ranges, r, m * sizeof(*r));
			a->nranges = m;
		}
		free(b->c.name);
		free(b->s.name);
		free(b->from);
	}
	in->nrules = n;
	return 0;
}

/* Does a rule's side of bits cover id (0 only by 0 bits)? */
static bool side_covers(const struct idm_rule_side *sd, uint64_t id)
{
	if (!sd->bits)
		return true;
	if (!id)
		return false;
	return sd->bits == 64 ? sd->id == id : !((sd->id ^ id) >> (64 - sd->bits));
}

static bool rule_applies(const struct idm_rule *r, uint8_t proto, uint16_t port)
{
	uint32_t i;

	if (!r->nranges)
		return true;
	for (i = 0; i < r->nranges; i++)
		if (r->ranges[i].proto == proto && port >= r->ranges[i].lo &&
		    port <= r->ranges[i].hi)
			return true;
	return false;
}

int idm_intent_judge(const struct idm_intent *in, uint32_t dir, uint64_t client,
		     uint64_t server, uint8_t proto, uint16_t port)
{
	int best = -1;
	size_t i;

	for (i = 0; i < in->nrules; i++) {
		const struct idm_rule *r = &in->rules[i], *b;

		if (r->dir != dir || !side_covers(&r->c, client) ||
		    !side_covers(&r->s, server) || !rule_applies(r, proto, port))
			continue;
		if (best >= 0) {
			b = &in->rules[best];
			if (r->c.bits + r->s.bits < b->c.bits + b->s.bits ||
			    (r->c.bits + r->s.bits == b->c.bits + b->s.bits &&
			     r->c.bits <= b->c.bits))
				continue;
		}
		best = (int)i;
	}
	return best;
}

uint64_t idm_intent_addr_id(const struct idm_intent *in, const struct idm_addr *a,
			    bool peers, const struct idm_workload **w,
			    const struct idm_peer **peer)
{
	struct idm_prefix q = { .a = *a, .len = (uint32_t)a->len * 8 };
	const struct idm_peer *best = NULL;
	struct in6_addr x;
	size_t i;

	*w = NULL;
	*peer = NULL;
	idm_addr46(a, &x);
	for (i = 0; i < in->nworkloads; i++)
		if (in->workloads[i].has_addr && !memcmp(&in->workloads[i].addr, &x, sizeof(x))) {
			*w = &in->workloads[i];
			return in->services[in->workloads[i].service].id;
		}
	for (i = 0; peers && i < in->npeers; i++)
		if (idm_prefix_in(&q, &in->peers[i].p) && (!best || in->peers[i].p.len > best->p.len))
			best = &in->peers[i];
	*peer = best;
	return best ? best->id : 0;
}

void idm_intent_free_policies(struct idm_intent *in)
{
	size_t i, j, k, v;

	for (i = 0; i < in->npolicies; i++) {
		struct idm_policy *p = &in->policies[i];

		free(p->name);
		for (k = 0; k < 2; k++) {
			for (j = 0; j < p->nsel[k]; j++) {
				free(p->sel[k][j].key);
				for (v = 0; v < p->sel[k][j].nvalues; v++)
					free(p->sel[k][j].values[v]);
				free(p->sel[k][j].values);
			}
			free(p->sel[k]);
			free(p->except[k]);
		}
		for (j = 0; j < p->nports; j++)
			free(p->ports[j].name);
		free(p->ports);
	}
	free(in->policies);
	free(in->peers);
	for (i = 0; i < in->nworkloads; i++) {
		for (j = 0; j < in->workloads[i].nnamed; j++)
			free(in->workloads[i].named[j].name);
		free(in->workloads[i].named);
	}
}
