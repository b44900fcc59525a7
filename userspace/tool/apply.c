// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh apply: the intent read and checked, then made true (lib/apply.c
 * plans and makes the changes, undoing them on a failure); the plan
 * (--dry-run) and the changes made printed, text or JSON.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <linux/idmesh.h>

#include "idmesh.h"
#include "intent.h"
#include "nl.h"
#include "util.h"
#include "apply.h"
#include "print.h"
#include "sacl.h"

void help_apply(FILE *f)
{
	fprintf(f,
		"Usage: idmesh [-j [-p]] [-n NETNS] apply -f FILE [--dry-run]\n"
		"Make this node what the intent in FILE (JSON or YAML, \"-\" for standard\n"
		"input) says, changing only what differs, in this order: its local pairs\n"
		"(\"pairs\") and remote links (\"remote-links\"), each with the addresses\n"
		"and routes of its ends; the flow hash key (\"hash-key\"); its VIPs, each\n"
		"with its whole backend set (\"vips\", one table build per VIP); then its\n"
		"SACL tables: its ports and default action, a client entry for each\n"
		"workload behind one of its ports, a server entry for each workload with\n"
		"an address, a rule for each pair of Services a policy selects, and the\n"
		"entries of \"sacl-entries\". Workloads with the same labels (those named\n"
		"in service-keys, if given) share a Service; its SACL ID is a keyed hash\n"
		"(SipHash-2-4) of those labels, the same on every node with the same\n"
		"ids.key. A part the intent names is the whole truth: links, VIPs and\n"
		"entries it does not name are removed; a part it leaves out is left as\n"
		"it is. If a change fails, those already made are undone. --dry-run\n"
		"prints the links, Services, IDs, rules, VIPs and tables, and (with the\n"
		"module loaded) the changes apply would make, and changes nothing. See\n"
		"Documentation/intent.rst for the format.\n");
}

static void print_labels(const struct idm_labels *l)
{
	size_t i;

	print_open_obj("labels");
	for (i = 0; i < l->n; i++)
		print_string(PRINT_JSON, l->v[i].key, NULL, l->v[i].value);
	print_close_obj();
}

static void hex_id(char *buf, size_t len, uint64_t id)
{
	snprintf(buf, len, "0x%016" PRIx64, id);
}

/* A rule's client or server: its ID (or group of IDs) and its Service. */
static void print_side(const char *key, const char *const fmt[2],
		       const struct idm_rule_side *side)
{
	char id[24], k[32];

	hex_id(id, sizeof(id), side->id);
	print_string(PRINT_JSON, key, NULL, id);
	snprintf(k, sizeof(k), "%s_bits", key);
	if (side->bits < 64)
		print_uint(PRINT_JSON, k, NULL, side->bits);
	/* Services in braces; "any", "every" and peers' prefixes as they are. */
	snprintf(k, sizeof(k), "%s_%s", key,
		 side->kind == IDM_SIDE_SERVICES ? "service" : "peers");
	print_string(PRINT_ANY, k, side->kind == IDM_SIDE_SERVICES ? fmt[0] : fmt[1],
		     side->name);
	print_text("%s", side->kind == IDM_SIDE_SERVICES && side->bits < 64 ? " (group)" : "");
}

static void print_prefixes(const char *key, const char *fmt,
			   const struct idm_prefixes *ps)
{
	char p[INET6_ADDRSTRLEN + 8];
	size_t i;

	if (!ps->n)
		return;
	print_open_arr(key);
	for (i = 0; i < ps->n; i++) {
		idm_prefix_format(&ps->v[i], p, sizeof(p));
		print_string(PRINT_ANY, NULL, fmt, p);
	}
	print_close_arr();
}

/* --dry-run: the links the node would have, with addresses and routes. */
/* --dry-run: an external link's peers. */
static void print_xpeers(const struct idm_intent_link *l)
{
	char p[INET6_ADDRSTRLEN + 8], r[INET6_ADDRSTRLEN];
	size_t i;

	print_open_arr("peers");
	for (i = 0; i < l->nxpeers; i++) {
		idm_prefix_format(&l->xpeers[i].p, p, sizeof(p));
		inet_ntop(l->xpeers[i].remote.family, l->xpeers[i].remote.bytes, r, sizeof(r));
		print_open_obj(NULL);
		print_string(PRINT_ANY, "prefix", "    peer %s", p);
		print_string(PRINT_ANY, "remote", " remote %s\n", r);
		print_close_obj();
	}
	print_close_arr();
}

static void print_ilinks(const struct idm_intent *in)
{
	char buf[512];
	size_t i;

	print_open_arr("links");
	for (i = 0; i < in->nlinks; i++) {
		const struct idm_intent_link *l = &in->links[i];

		print_open_obj(NULL);
		idm_intent_link_format(l, buf, sizeof(buf));
		print_string(PRINT_ANY, "link", "link %s\n", buf);
		print_prefixes("addresses", "    address %s\n", &l->addrs[IDM_END_NODE]);
		print_prefixes("routes", "    route %s\n", &l->routes[IDM_END_NODE]);
		print_prefixes("peer_addresses", "    peer address %s\n",
			       &l->addrs[IDM_END_PEER]);
		print_prefixes("peer_routes", "    peer route %s\n",
			       &l->routes[IDM_END_PEER]);
		if (l->external)
			print_xpeers(l);
		print_close_obj();
	}
	print_close_arr();
}

/* --dry-run: the VIPs the node would have, with their backends. */
static void print_ivips(const struct idm_intent *in)
{
	char a[INET6_ADDRSTRLEN];
	size_t i, k;

	print_open_arr("vips");
	for (i = 0; i < in->nvips; i++) {
		const struct idm_intent_vip *v = &in->vips[i];

		print_open_obj(NULL);
		inet_ntop(v->v.addr.family, v->v.addr.bytes, a, sizeof(a));
		print_string(PRINT_ANY, "addr", "vip %s", a);
		if (v->v.port)
			print_uint(PRINT_ANY, "port", " port %u", v->v.port);
		print_string(PRINT_ANY, "proto", " proto %s",
			     idm_proto_name(v->v.proto));
		print_string(PRINT_ANY, "mode", " mode %s",
			     v->v.mode == IDMESH_VIP_MODE_TUNNEL ? "tunnel" : "nat");
		print_uint(PRINT_ANY, "table_size", " table-size %u",
			   v->v.table_size);
		if (v->v.affinity)
			print_uint(PRINT_ANY, "affinity", " affinity %u",
				   v->v.affinity);
		print_text("\n");
		print_open_arr("backends");
		for (k = 0; k < v->nbe; k++) {
			const struct idm_backend_spec *b = &v->be[k];

			print_open_obj(NULL);
			inet_ntop(b->addr.family, b->addr.bytes, a, sizeof(a));
			print_string(PRINT_ANY, "addr", "    backend %s", a);
			if (b->port)
				print_uint(PRINT_ANY, "port", " port %u", b->port);
			print_uint(PRINT_ANY, "weight", " weight %u\n", b->weight);
			print_close_obj();
		}
		print_close_arr();
		print_close_obj();
	}
	print_close_arr();
}

/* --dry-run: Services, rules and the tables the node would get. */
static void print_plan(const struct idm_intent *in, const struct idm_sacl_tables *want)
{
	char buf[256], id[24];
	size_t i, k;

	print_open_arr("services");
	for (i = 0; i < in->nservices; i++) {
		const struct idm_service *s = &in->services[i];

		hex_id(id, sizeof(id), s->id);
		print_open_obj(NULL);
		print_string(PRINT_ANY, "id", "service %s", id);
		print_string(PRINT_ANY, "name", " {%s}:", s->name);
		print_labels(&s->labels);
		print_open_arr("workloads");
		for (k = 0; k < in->nworkloads; k++)
			if (in->workloads[k].service == i)
				print_string(PRINT_ANY, NULL, " %s",
					     in->workloads[k].name);
		print_close_arr();
		print_text("\n");
		print_close_obj();
	}
	print_close_arr();
	print_open_arr("rules");
	for (i = 0; i < in->nrules; i++) {
		const struct idm_rule *r = &in->rules[i];

		print_open_obj(NULL);
		print_string(PRINT_ANY, "policy", "policy %s:",
			     in->policies[r->policy].name);
		print_side("client", (const char *const[]){ " {%s}", " %s" }, &r->c);
		print_side("server", (const char *const[]){ " -> {%s}", " -> %s" }, &r->s);
		if (r->dir == IDMESH_SACL_EGRESS)
			print_string(PRINT_ANY, "direction", " egress", "egress");
		print_string(PRINT_ANY, "action", " %s",
			     idm_word_name(idm_action_words, r->action));
		if (r->nranges) {
			idm_format_ranges(r->ranges, r->nranges, buf, sizeof(buf));
			print_string(PRINT_ANY, "ports", " ports %s", buf);
		}
		print_uint(PRINT_JSON, "policies", NULL, (unsigned int)r->npolicies);
		if (r->npolicies > 1)
			print_uint(PRINT_FP, NULL, " (and %u more)",
				   (unsigned int)r->npolicies - 1);
		print_text("\n");
		if (r->has_priority)
			print_uint(PRINT_JSON, "priority", NULL, r->priority);
		if (r->has_dscp)
			print_uint(PRINT_JSON, "dscp", NULL, r->dscp);
		print_close_obj();
	}
	print_close_arr();
	if (in->has_pairs || in->has_remotes || in->has_externals)
		print_ilinks(in);
	if (in->has_hash_key)
		print_bool(PRINT_ANY, "hash_key", "hash-key given\n", true);
	if (in->has_ipsec)
		print_uint(PRINT_ANY, "ipsec_secrets", "ipsec: %u secret(s) given\n",
			   (unsigned int)in->nsecrets);
	if (in->has_vips)
		print_ivips(in);
	if (want->has_default)
		print_string(PRINT_FP, NULL, "set default %s\n",
			     idm_word_name(idm_action_words, want->def_action));
	print_open_arr("entries");
	for (i = 0; i < want->n; i++) {
		idm_sacl_row_format(&want->e[i], buf, sizeof(buf));
		print_string(PRINT_ANY, NULL, "%s\n", buf);
	}
	print_close_arr();
	if (want->has_default)
		print_string(PRINT_JSON, "default", NULL,
			     idm_word_name(idm_action_words, want->def_action));
}

/* The VIP changes made: text in order; JSON by kind. */
static void print_vops(const struct idm_vip_changes *vp)
{
	static const char *const key[] = { "vips_removed", "vips_added",
					   "vips_changed" };
	static const char sign[] = { '-', '+', '~' };
	char buf[256];
	size_t i;
	int k;

	for (i = 0; i < vp->n; i++) {
		idm_vip_op_format(&vp->op[i], buf, sizeof(buf));
		print_text("%c %s\n", sign[vp->op[i].kind], buf);
	}
	for (k = IDM_VIP_OP_DEL; k <= IDM_VIP_OP_SET; k++) {
		print_open_arr(key[k]);
		for (i = 0; i < vp->n; i++) {
			if (vp->op[i].kind != k)
				continue;
			idm_vip_op_format(&vp->op[i], buf, sizeof(buf));
			print_string(PRINT_JSON, NULL, NULL, buf);
		}
		print_close_arr();
	}
}

/* The IPsec changes made: text in order; JSON added and removed. */
static void print_iops(const struct idm_apply *p)
{
	static const char *const key[] = { "ipsec_added", "ipsec_removed" };
	char buf[256];
	long i;
	int k;
	bool add;

	for (i = 0; i < p->nipsec; i++) {
		add = p->ipsec_ops[i].kind == IDM_IPSEC_ADD_SA ||
		      p->ipsec_ops[i].kind == IDM_IPSEC_ADD_POL;
		idm_ipsec_op_format(&p->ipsec_ops[i], buf, sizeof(buf));
		print_text("%c %s\n", add ? '+' : '-', buf);
	}
	for (k = 0; k < 2; k++) {
		print_open_arr(key[k]);
		for (i = 0; i < p->nipsec; i++) {
			add = p->ipsec_ops[i].kind == IDM_IPSEC_ADD_SA ||
			      p->ipsec_ops[i].kind == IDM_IPSEC_ADD_POL;
			if (add != !k)
				continue;
			idm_ipsec_op_format(&p->ipsec_ops[i], buf, sizeof(buf));
			print_string(PRINT_JSON, NULL, NULL, buf);
		}
		print_close_arr();
	}
}

/* The link changes made: text in order; JSON by kind. */
static void print_lops(const struct idm_link_changes *lp)
{
	static const char *const key[] = { "links_removed", "links_added",
					   "links_changed" };
	char buf[512];
	size_t i;
	int k, kind;

	for (i = 0; i < lp->n; i++) {
		const struct idm_link_op *op = &lp->op[i];

		idm_link_op_format(op, buf, sizeof(buf));
		print_text("%c %s\n", op->kind == IDM_LINK_OP_MTU ? '~' :
			   op->kind == IDM_LINK_OP_DEL || (op->kind >= IDM_LINK_OP_ADDR && !op->add) ?
			   '-' : '+', buf);
	}
	for (k = 0; k < 3; k++) {
		print_open_arr(key[k]);
		for (i = 0; i < lp->n; i++) {
			kind = lp->op[i].kind;
			if ((k == 0) != (kind == IDM_LINK_OP_DEL) ||
			    (k == 1) != (kind == IDM_LINK_OP_ADD))
				continue;
			idm_link_op_format(&lp->op[i], buf, sizeof(buf));
			if (k == 2 && kind >= IDM_LINK_OP_ADDR) {
				char b2[520];

				snprintf(b2, sizeof(b2), "%s %s",
					 lp->op[i].add ? "add" : "del", buf);
				print_string(PRINT_JSON, NULL, NULL, b2);
			} else {
				print_string(PRINT_JSON, NULL, NULL, buf);
			}
		}
		print_close_arr();
	}
}

/*
 * The changes, made or to be made: text one line each, in order ("+"
 * added, "-" removed, "~" changed); JSON by kind.
 */
static void print_changes(const struct idm_intent *in, const struct idm_apply *p,
			  const struct idm_sacl_tables *want)
{
	const struct idm_sacl_op *ops = p->ops;
	long i, n = p->nops;
	char buf[256];

	if (in->has_pairs || in->has_remotes || in->has_externals)
		print_lops(&p->links);
	if (in->has_ipsec)
		print_iops(p);
	if (p->set_key)
		print_string(PRINT_ANY, "hash_key", "~ hash-key %s\n", "set");
	if (p->set_masq) {
		char b[64];
		size_t i;

		print_text("~ masquerade");
		print_open_arr("masquerade");
		for (i = 0; i < in->masq.n; i++) {
			idm_prefix_format(&in->masq.v[i], b, sizeof(b));
			print_string(PRINT_ANY, NULL, " %s", b);
		}
		print_close_arr();
		print_text("%s\n", in->masq.n ? "" : " none");
	}
	if (in->has_vips)
		print_vops(&p->vips);
	for (i = 0; i < n; i++) {
		idm_sacl_row_format(&ops[i].e, buf, sizeof(buf));
		print_text("%c %s\n", ops[i].add ? '+' : '-', buf);
	}
	print_open_arr("removed");
	for (i = 0; i < n; i++)
		if (!ops[i].add) {
			idm_sacl_row_format(&ops[i].e, buf, sizeof(buf));
			print_string(PRINT_JSON, NULL, NULL, buf);
		}
	print_close_arr();
	print_open_arr("added");
	for (i = 0; i < n; i++)
		if (ops[i].add) {
			idm_sacl_row_format(&ops[i].e, buf, sizeof(buf));
			print_string(PRINT_JSON, NULL, NULL, buf);
		}
	print_close_arr();
	if (p->set_default)
		print_string(PRINT_ANY, "default", "~ default %s\n",
			     idm_word_name(idm_action_words, want->def_action));
}

/*
 * Plan, then make the changes (or with dry, print the intent's plan and
 * the changes it would make).
 */
static int apply(const struct idm_opts *o, const struct idm_intent *in,
		 const struct idm_sacl_tables *want, bool dry)
{
	struct idm_apply p = { 0 };
	struct idm_nl nl, rt;
	int ret = 1;

	if (idm_nl_open(&nl, o->netns))
		return 1;
	if (idm_rt_open(&rt, NULL))
		goto out_nl;
	if (idm_apply_plan(&nl, &rt, in, want, &p))
		goto out;
	if (dry) {
		print_start(o->json, o->pretty);
		print_open_obj(NULL);
		print_plan(in, want);
		print_text("changes:\n");
		print_open_obj("changes");
		print_changes(in, &p, want);
		print_close_obj();
		print_close_obj();
		print_end();
		ret = 0;
		goto out;
	}
	if (idm_apply_check_devs(in, want) || idm_apply_commit(&nl, &rt, in, want, &p))
		goto out;
	print_start(o->json, o->pretty);
	print_open_obj(NULL);
	print_changes(in, &p, want);
	print_close_obj();
	print_end();
	ret = 0;
out:
	idm_apply_free(&p);
	idm_nl_close(&rt);
out_nl:
	idm_nl_close(&nl);
	return ret;
}

int cmd_apply(const struct idm_opts *o, int argc, char **argv)
{
	const char *file = NULL;
	struct idm_intent in;
	struct idm_sacl_tables want;
	bool dry = false;
	char err[512];
	int i, ret;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "file")) {
			if (++i == argc)
				return idm_usage_error("-f needs a file");
			file = argv[i];
		} else if (!strcmp(argv[i], "--dry-run") || !strcmp(argv[i], "dry-run")) {
			dry = true;
		} else {
			return idm_usage_error("unknown word \"%s\"; try \"idmesh apply help\"",
					       argv[i]);
		}
	}
	if (!file)
		return idm_usage_error("apply needs -f FILE");
	if (idm_intent_load(file, &in, err, sizeof(err))) {
		fprintf(stderr, "Error: %s\n", err);
		idm_intent_free(&in);
		return 1;
	}
	if (idm_intent_state(&in, &want, err, sizeof(err))) {
		fprintf(stderr, "Error: %s\n", err);
		idm_sacl_tables_free(&want);
		idm_intent_free(&in);
		return 1;
	}
	if (dry && access("/sys/module/idmesh", F_OK)) {
		/* No module: the plan alone, from the intent. */
		print_start(o->json, o->pretty);
		print_open_obj(NULL);
		print_plan(&in, &want);
		print_close_obj();
		print_end();
		ret = 0;
	} else {
		ret = apply(o, &in, &want, dry);
	}
	idm_sacl_tables_free(&want);
	idm_intent_free(&in);
	return ret;
}
