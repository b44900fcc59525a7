// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh k8s: NetworkPolicies (networking.k8s.io/v1) as the intent's
 * policies between identities. A Pod selected by a policy of a type is
 * isolated for it: a rule of "any" denies, and each of the policy's
 * rules allows its peers on its ports, more specific (Kubernetes'
 * union of policies is the rules joined per pair). See
 * Documentation/identity.rst, "NetworkPolicy".
 */
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include <linux/idmesh.h>

#include "intent.h"
#include "intent_impl.h"
#include "k8s_impl.h"
#include "parse.h"
#include "util.h"

static json_object *sel_new(const char *key, const char *op, const char *value)
{
	json_object *s = json_object_new_object();

	json_object_object_add(s, "key", json_object_new_string(key));
	json_object_object_add(s, "operator", json_object_new_string(op));
	if (value) {
		json_object *v = json_object_new_array();

		json_object_array_add(v, json_object_new_string(value));
		json_object_object_add(s, "values", v);
	}
	return s;
}

/* One of a LabelSelector's matchExpressions. */
static int expression(struct k8s *k, const struct obj *np, json_object *e,
		      const char *path, const char *prefix, json_object *sel)
{
	static const char *const ops[][2] = {
		{ "In", "in" }, { "NotIn", "not_in" },
		{ "Exists", "exists" }, { "DoesNotExist", "does_not_exist" },
	};
	const char *key, *op;
	json_object *vals, *s, *v = NULL;
	char sub[448], full[400];
	size_t i, n;

	if (!json_object_is_type(e, json_type_object))
		return k8s_fail(k, np, path, "expected an object");
	snprintf(sub, sizeof(sub), "%s.key", path);
	if (k8s_str_at(k, np, e, sub, "key", true, &key))
		return -1;
	if (!*prefix && k8s_per_pod_label(key))
		return k8s_fail(k, np, sub, "\"%s\" differs per Pod: no identity has it", key);
	snprintf(sub, sizeof(sub), "%s.operator", path);
	if (k8s_str_at(k, np, e, sub, "operator", true, &op))
		return -1;
	for (i = 0; i < 4; i++)
		if (!strcmp(op, ops[i][0]))
			break;
	if (i == 4)
		return k8s_fail(k, np, sub, "\"%s\" is not In, NotIn, Exists or DoesNotExist", op);
	snprintf(sub, sizeof(sub), "%s.values", path);
	if (k8s_arr_at(k, np, e, sub, "values", &vals))
		return -1;
	n = vals ? json_object_array_length(vals) : 0;
	if (i < 2 && !n)
		return k8s_fail(k, np, sub, "%s needs at least one value", op);
	if (i >= 2 && n)
		return k8s_fail(k, np, sub, "%s takes no values", op);
	snprintf(full, sizeof(full), "%s%s", prefix, key);
	s = sel_new(full, ops[i][1], NULL);
	if (n) {
		v = json_object_new_array();
		json_object_object_add(s, "values", v);
	}
	for (i = 0; i < n; i++) {
		json_object *x = json_object_array_get_idx(vals, i);

		if (!json_object_is_type(x, json_type_string)) {
			json_object_put(s);
			snprintf(sub, sizeof(sub), "%s.values[%zu]", path, i);
			return k8s_fail(k, np, sub, "expected a string");
		}
		json_object_array_add(v, json_object_get(x));
	}
	json_object_array_add(sel, s);
	return 0;
}

/*
 * A LabelSelector (matchLabels, matchExpressions; {} selects all) as
 * selectors appended to sel, its keys after prefix.
 */
static int selector(struct k8s *k, const struct obj *np, json_object *ls,
		    const char *path, const char *prefix, json_object *sel)
{
	json_object *ml, *me;
	char sub[384], full[400];
	size_t i;

	if (!json_object_is_type(ls, json_type_object))
		return k8s_fail(k, np, path, "expected an object");
	snprintf(sub, sizeof(sub), "%s.matchLabels", path);
	if (k8s_obj_at(k, np, ls, sub, "matchLabels", &ml))
		return -1;
	if (ml) {
		json_object_object_foreach(ml, key, val) {
			if (!json_object_is_type(val, json_type_string))
				return k8s_fail(k, np, sub, "%s: expected a string", key);
			if (!*prefix && k8s_per_pod_label(key))
				return k8s_fail(k, np, sub, "\"%s\" differs per Pod: no identity has it",
						key);
			snprintf(full, sizeof(full), "%s%s", prefix, key);
			json_object_array_add(sel, sel_new(full, "in",
							   json_object_get_string(val)));
		}
	}
	snprintf(sub, sizeof(sub), "%s.matchExpressions", path);
	if (k8s_arr_at(k, np, ls, sub, "matchExpressions", &me))
		return -1;
	for (i = 0; me && i < json_object_array_length(me); i++) {
		snprintf(sub, sizeof(sub), "%s.matchExpressions[%zu]", path, i);
		if (expression(k, np, json_object_array_get_idx(me, i), sub, prefix, sel))
			return -1;
	}
	return 0;
}

/* "ADDR/LEN", its host bits cleared (as the API's ParseCIDR reads it). */
static int cidr(struct k8s *k, const struct obj *np, json_object *o,
		const char *path, struct idm_prefix *p, char *buf, size_t len)
{
	char why[160];

	if (!o || !json_object_is_type(o, json_type_string))
		return k8s_fail(k, np, path, o ? "expected a string" : "missing");
	if (!strchr(json_object_get_string(o), '/') ||
	    idm_prefix_parse(json_object_get_string(o), false, p, why, sizeof(why)))
		return k8s_fail(k, np, path, "\"%s\" is not a CIDR ADDR/LEN",
				json_object_get_string(o));
	idm_prefix_clear_host(p);
	idm_prefix_format(p, buf, len);
	return 0;
}

static int ip_block(struct k8s *k, const struct obj *np, json_object *ib,
		    const char *path, json_object **side)
{
	struct idm_prefix c, e;
	json_object *ex, *out;
	char sub[384], buf[64];
	size_t i;

	if (!json_object_is_type(ib, json_type_object))
		return k8s_fail(k, np, path, "expected an object");
	snprintf(sub, sizeof(sub), "%s.cidr", path);
	if (cidr(k, np, idm_json_at(ib, "cidr"), sub, &c, buf, sizeof(buf)))
		return -1;
	snprintf(sub, sizeof(sub), "%s.except", path);
	if (k8s_arr_at(k, np, ib, sub, "except", &ex))
		return -1;
	*side = json_object_new_object();
	json_object_object_add(*side, "cidr", json_object_new_string(buf));
	if (!ex || !json_object_array_length(ex))
		return 0;
	out = json_object_new_array();
	json_object_object_add(*side, "except", out);
	for (i = 0; i < json_object_array_length(ex); i++) {
		snprintf(sub, sizeof(sub), "%s.except[%zu]", path, i);
		if (cidr(k, np, json_object_array_get_idx(ex, i), sub, &e, buf, sizeof(buf)))
			goto bad;
		if (!idm_prefix_in(&e, &c) || e.len == c.len) {
			k8s_fail(k, np, sub, "%s is not inside the cidr", buf);
			goto bad;
		}
		json_object_array_add(out, json_object_new_string(buf));
	}
	return 0;
bad:
	json_object_put(*side);
	*side = NULL;
	return -1;
}

/* A peer (from, to) as a policy's side; the Pods of ns by default. */
static int peer(struct k8s *k, const struct obj *np, json_object *pe,
		const char *path, json_object **side)
{
	json_object *ps, *ns, *ib, *sel;
	char sub[320];

	*side = NULL;
	if (!json_object_is_type(pe, json_type_object))
		return k8s_fail(k, np, path, "expected an object");
	ps = idm_json_at(pe, "podSelector");
	ns = idm_json_at(pe, "namespaceSelector");
	ib = idm_json_at(pe, "ipBlock");
	if (ib && (ps || ns))
		return k8s_fail(k, np, path, "ipBlock is alone: no podSelector or namespaceSelector beside it");
	if (ib) {
		snprintf(sub, sizeof(sub), "%s.ipBlock", path);
		return ip_block(k, np, ib, sub, side);
	}
	if (!ps && !ns)
		return k8s_fail(k, np, path, "needs a podSelector, a namespaceSelector or an ipBlock");
	sel = json_object_new_array();
	if (ns) {
		snprintf(sub, sizeof(sub), "%s.namespaceSelector", path);
		if (selector(k, np, ns, sub, K8S_NS_LABEL, sel))
			goto bad;
		/* Pods of any namespace: what the cluster's Pods have. */
		json_object_array_add(sel, sel_new(K8S_POD_NS, "exists", NULL));
	} else {
		json_object_array_add(sel, sel_new(K8S_POD_NS, "in", np->ns));
	}
	if (ps) {
		snprintf(sub, sizeof(sub), "%s.podSelector", path);
		if (selector(k, np, ps, sub, "", sel))
			goto bad;
	}
	*side = sel;
	return 0;
bad:
	json_object_put(sel);
	return -1;
}

/* A NetworkPolicyPort as "PROTO[:PORT[-END]]" or "PROTO:NAME". */
static int np_port(struct k8s *k, const struct obj *np, json_object *po,
		   const char *path, json_object *out)
{
	static const char *const protos[][2] = {
		{ "TCP", "tcp" }, { "UDP", "udp" }, { "SCTP", "sctp" },
	};
	const char *proto = "TCP", *name;
	json_object *p, *e;
	char sub[320], buf[64];
	int32_t lo, hi;
	size_t i;

	if (!json_object_is_type(po, json_type_object))
		return k8s_fail(k, np, path, "expected an object");
	snprintf(sub, sizeof(sub), "%s.protocol", path);
	if (k8s_str_at(k, np, po, sub, "protocol", false, &name))
		return -1;
	if (name)
		proto = name;
	for (i = 0; i < 3; i++)
		if (!strcmp(proto, protos[i][0]))
			break;
	if (i == 3)
		return k8s_fail(k, np, sub, "\"%s\" is not TCP, UDP or SCTP", proto);
	p = idm_json_at(po, "port");
	e = idm_json_at(po, "endPort");
	snprintf(sub, sizeof(sub), "%s.port", path);
	if (!p) {
		if (e)
			return k8s_fail(k, np, sub, "endPort needs a port");
		json_object_array_add(out, json_object_new_string(protos[i][1]));
		return 0;
	}
	if (json_object_is_type(p, json_type_string)) {
		name = json_object_get_string(p);
		if (!*name || strlen(name) > 15 || strchr(name, ':') || strchr(name, ',') ||
		    (*name >= '0' && *name <= '9'))
			return k8s_fail(k, np, sub, "\"%s\" is not a port's name", name);
		if (e) {
			snprintf(sub, sizeof(sub), "%s.endPort", path);
			return k8s_fail(k, np, sub, "a named port has no endPort");
		}
		snprintf(buf, sizeof(buf), "%s:%s", protos[i][1], name);
		json_object_array_add(out, json_object_new_string(buf));
		return 0;
	}
	lo = json_object_is_type(p, json_type_int) ? json_object_get_int(p) : 0;
	if (lo < 1 || lo > 65535)
		return k8s_fail(k, np, sub, "expected a port 1..65535 or a name");
	hi = lo;
	if (e) {
		snprintf(sub, sizeof(sub), "%s.endPort", path);
		hi = json_object_is_type(e, json_type_int) ? json_object_get_int(e) : 0;
		if (hi < lo || hi > 65535)
			return k8s_fail(k, np, sub, "expected a port from port (%d) to 65535", lo);
	}
	if (hi == lo)
		snprintf(buf, sizeof(buf), "%s:%d", protos[i][1], lo);
	else
		snprintf(buf, sizeof(buf), "%s:%d-%d", protos[i][1], lo, hi);
	json_object_array_add(out, json_object_new_string(buf));
	return 0;
}

static json_object *policy_new(const struct obj *np, bool egress)
{
	json_object *p = json_object_new_object();
	char name[600];

	snprintf(name, sizeof(name), "%s/%s", np->ns, np->name);
	json_object_object_add(p, "name", json_object_new_string(name));
	if (egress)
		json_object_object_add(p, "direction", json_object_new_string("egress"));
	return p;
}

/* The selected Pods' side: egress, the client; ingress, the server. */
static void add_sides(json_object *p, bool egress, json_object *self,
		      json_object *other)
{
	json_object_object_add(p, egress ? "client" : "server", json_object_get(self));
	json_object_object_add(p, egress ? "server" : "client", other);
}

/* The rules of one direction: the isolation, then each rule's peers. */
static int direction(struct k8s *k, const struct obj *np, json_object *spec,
		     bool egress, json_object *self, json_object *pols)
{
	const char *key = egress ? "egress" : "ingress";
	const char *pkey = egress ? "to" : "from";
	json_object *rules, *p, *peers, *ports, *side, *pl;
	char path[64], sub[256];
	size_t i, j, n;

	p = policy_new(np, egress);
	add_sides(p, egress, self, json_object_new_string("any"));
	json_object_object_add(p, "action", json_object_new_string("deny"));
	json_object_array_add(pols, p);
	snprintf(path, sizeof(path), "spec.%s", key);
	if (k8s_arr_at(k, np, spec, path, key, &rules))
		return -1;
	for (i = 0; rules && i < json_object_array_length(rules); i++) {
		json_object *r = json_object_array_get_idx(rules, i);

		snprintf(path, sizeof(path), "spec.%s[%zu]", key, i);
		if (!json_object_is_type(r, json_type_object))
			return k8s_fail(k, np, path, "expected an object");
		snprintf(sub, sizeof(sub), "%s.ports", path);
		if (k8s_arr_at(k, np, r, sub, "ports", &ports))
			return -1;
		pl = NULL;
		if (ports && json_object_array_length(ports)) {
			pl = json_object_new_array();
			for (j = 0; j < json_object_array_length(ports); j++) {
				snprintf(sub, sizeof(sub), "%s.ports[%zu]", path, j);
				if (np_port(k, np, json_object_array_get_idx(ports, j), sub, pl)) {
					json_object_put(pl);
					return -1;
				}
			}
		}
		/* More than a rule holds: denied, not allowed whole (fail closed). */
		if (pl && json_object_array_length(pl) > IDMESH_SACL_RANGES_MAX) {
			snprintf(sub, sizeof(sub), "%s.ports", path);
			k8s_fail(k, np, sub, "%zu ports, and a rule holds %u",
				 json_object_array_length(pl), IDMESH_SACL_RANGES_MAX);
			k8s_skip(k, "this rule is not enforced: what it allows is denied");
			json_object_put(pl);
			continue;
		}
		snprintf(sub, sizeof(sub), "%s.%s", path, pkey);
		if (k8s_arr_at(k, np, r, sub, pkey, &peers)) {
			json_object_put(pl);
			return -1;
		}
		n = peers ? json_object_array_length(peers) : 0;
		/* No peers: every source (destination), in or out of the cluster. */
		for (j = 0; j < (n ? n : 1); j++) {
			side = json_object_new_string("every");
			snprintf(sub, sizeof(sub), "%s.%s[%zu]", path, pkey, j);
			if (n) {
				json_object_put(side);
				if (peer(k, np, json_object_array_get_idx(peers, j), sub, &side)) {
					json_object_put(pl);
					return -1;
				}
			}
			p = policy_new(np, egress);
			add_sides(p, egress, self, side);
			if (pl)
				json_object_object_add(p, "ports", json_object_get(pl));
			json_object_array_add(pols, p);
		}
		json_object_put(pl);
	}
	return 0;
}

int k8s_netpol(struct k8s *k, const struct obj *np, json_object *pols)
{
	json_object *spec, *ps, *types, *self;
	bool ingress = true, egress;
	size_t i;
	int ret = -1;

	if (k8s_obj_at(k, np, np->o, "spec", "spec", &spec))
		return -1;
	if (!spec)
		return k8s_fail(k, np, "spec", "missing");
	if (k8s_obj_at(k, np, spec, "spec.podSelector", "podSelector", &ps))
		return -1;
	if (!ps)
		return k8s_fail(k, np, "spec.podSelector",
				"missing (an empty one selects every Pod of the namespace)");
	if (k8s_arr_at(k, np, spec, "spec.policyTypes", "policyTypes", &types))
		return -1;
	/* Absent: Ingress, and Egress when there are egress rules. */
	egress = !!idm_json_at(spec, "egress");
	if (types && json_object_array_length(types)) {
		ingress = false;
		egress = false;
		for (i = 0; i < json_object_array_length(types); i++) {
			json_object *t = json_object_array_get_idx(types, i);
			const char *s = json_object_get_string(t);
			char sub[64];

			snprintf(sub, sizeof(sub), "spec.policyTypes[%zu]", i);
			if (!json_object_is_type(t, json_type_string) ||
			    (strcmp(s, "Ingress") && strcmp(s, "Egress")))
				return k8s_fail(k, np, sub, "expected Ingress or Egress");
			if (!strcmp(s, "Ingress"))
				ingress = true;
			else
				egress = true;
		}
	}
	self = json_object_new_array();
	json_object_array_add(self, sel_new(K8S_POD_NS, "in", np->ns));
	if (selector(k, np, ps, "spec.podSelector", "", self))
		goto out;
	if (ingress && direction(k, np, spec, false, self, pols))
		goto out;
	if (egress && direction(k, np, spec, true, self, pols))
		goto out;
	ret = 0;
out:
	json_object_put(self);
	return ret;
}
