// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh apply: program this node's SACL tables from an intent, as a
 * diff; on any failure the changes already made are undone.
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
#include "apply_link.h"
#include "apply_vip.h"
#include "config.h"
#include "print.h"
#include "sacl.h"

/*
 * Fault injection for the selftests of the undo, compiled only into the
 * test build (tests/idmesh-faults, never installed): VAR=N makes the
 * N-th change of its kind one the kernel refuses (IDMESH_TEST_FAIL_VIP:
 * a VIP without a protocol; IDMESH_TEST_FAIL_CHANGE: a SACL change of an
 * unknown kind). 0: none, as always in the shipped tool.
 */
static long test_fail_at(const char *var)
{
#ifdef IDMESH_TEST_HOOKS
	const char *v = getenv(var);

	return v ? strtol(v, NULL, 10) : 0;
#else
	(void)var;
	return 0;
#endif
}

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
static void print_side(const char *key, const char *fmt,
		       const struct idm_rule_side *side)
{
	char id[24], k[32];

	hex_id(id, sizeof(id), side->id);
	print_string(PRINT_JSON, key, NULL, id);
	snprintf(k, sizeof(k), "%s_bits", key);
	if (side->bits < 64)
		print_uint(PRINT_JSON, k, NULL, side->bits);
	snprintf(k, sizeof(k), "%s_service", key);
	print_string(PRINT_ANY, k, fmt, side->name);
	print_text("%s", side->bits < 64 ? " (group)" : "");
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
		print_uint(PRINT_ANY, "table_size", " table-size %u\n",
			   v->v.table_size);
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
		print_side("client", " {%s}", &r->c);
		print_side("server", " -> {%s}", &r->s);
		print_string(PRINT_ANY, "action", " %s\n",
			     idm_word_name(idm_action_words, r->action));
		if (r->has_priority)
			print_uint(PRINT_JSON, "priority", NULL, r->priority);
		if (r->has_dscp)
			print_uint(PRINT_JSON, "dscp", NULL, r->dscp);
		print_close_obj();
	}
	print_close_arr();
	if (in->has_pairs || in->has_remotes)
		print_ilinks(in);
	if (in->has_hash_key)
		print_bool(PRINT_ANY, "hash_key", "hash-key given\n", true);
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

/* Undo the first n VIP changes, last first; true if one failed. */
static bool vips_undo(struct idm_nl *nl, const struct idm_vip_changes *vp, size_t n)
{
	bool failed = false;
	char buf[256];

	while (n--) {
		if (!idm_vip_op_do(nl, &vp->op[n], 1))
			continue;
		idm_vip_op_format(&vp->op[n], buf, sizeof(buf));
		fprintf(stderr, "Error: undo failed at \"%s\"\n", buf);
		failed = true;
	}
	return failed;
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

/* Every port the intent names exists here or is one of its links. */
static int check_devs(const struct idm_intent *in, const struct idm_sacl_tables *want)
{
	size_t i, k;

	for (i = 0; i < want->n; i++) {
		const struct idm_sacl_row *e = &want->e[i];
		bool made = false;

		if (e->kind != IDMESH_SACL_KIND_PORT || if_nametoindex(e->dev))
			continue;
		for (k = 0; k < in->nlinks && !made; k++)
			made = !strcmp(in->links[k].name, e->dev);
		if (!made) {
			fprintf(stderr, "Error: %s: ports: no device \"%s\" in this namespace; nothing changed\n",
				in->file, e->dev);
			return -1;
		}
	}
	return 0;
}

/* Undo the first n link changes, last first; true if one failed. */
static bool links_undo(struct idm_nl *rt, const struct idm_link_changes *lp, size_t n)
{
	bool failed = false;
	char buf[512];

	while (n--) {
		if (!idm_link_op_do(rt, &lp->op[n], 1))
			continue;
		idm_link_op_format(&lp->op[n], buf, sizeof(buf));
		fprintf(stderr, "Error: undo failed at \"%s\"\n", buf);
		failed = true;
	}
	return failed;
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
static void print_changes(const struct idm_intent *in, const struct idm_link_changes *lp,
			  bool set_key, const struct idm_vip_changes *vp,
			  const struct idm_sacl_op *ops, long n, bool set_default,
			  const struct idm_sacl_tables *want)
{
	char buf[256];
	long i;

	if (in->has_pairs || in->has_remotes)
		print_lops(lp);
	if (set_key)
		print_string(PRINT_ANY, "hash_key", "~ hash-key %s\n", "set");
	if (in->has_vips)
		print_vops(vp);
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
	if (set_default)
		print_string(PRINT_ANY, "default", "~ default %s\n",
			     idm_word_name(idm_action_words, want->def_action));
}

/* What apply has changed so far, to be undone on a failure. */
struct done {
	size_t links, vips;
	bool key;
	uint8_t old_key[IDMESH_HASH_KEY_LEN];
};

/* Undo links, the key and VIPs; true if all came back. */
static bool undo_all(struct idm_nl *nl, struct idm_nl *rt, const struct done *d,
		     const struct idm_link_changes *lp, const struct idm_vip_changes *vp)
{
	bool failed = vips_undo(nl, vp, d->vips);

	if (d->key && idm_hash_key_set(nl, d->old_key)) {
		fprintf(stderr, "Error: undo failed at \"config set hash-key\"\n");
		failed = true;
	}
	failed |= links_undo(rt, lp, d->links);
	return !failed;
}

/* Links, then the hash key, then VIPs; fail_vip: see apply(). */
static int apply_node(const struct idm_intent *in, struct idm_nl *nl,
		      struct idm_nl *rt, const struct idm_link_changes *lp,
		      const struct idm_vip_changes *vp, struct done *d, bool set_key)
{
	char buf[512];
	long fail_at;

	for (d->links = 0; d->links < lp->n; d->links++)
		if (idm_link_op_do(rt, &lp->op[d->links], 0))
			break;
	if (d->links != lp->n) {
		idm_link_op_format(&lp->op[d->links], buf, sizeof(buf));
		fprintf(stderr, "Error: could not make \"%s\"; undoing %zu change(s)\n",
			buf, d->links);
		return -1;
	}
	if (set_key) {
		if (idm_hash_key_set(nl, in->hash_key)) {
			fprintf(stderr, "Error: could not set the hash key; undoing %zu change(s)\n",
				d->links);
			return -1;
		}
		d->key = true;
	}
	fail_at = test_fail_at("IDMESH_TEST_FAIL_VIP");
	for (d->vips = 0; d->vips < vp->n; d->vips++) {
		struct idm_vip_op bad = vp->op[d->vips];

		if ((long)d->vips + 1 == fail_at)
			bad.vip.proto = 0;
		if (idm_vip_op_do(nl, &bad, 0))
			break;
	}
	if (d->vips != vp->n) {
		idm_vip_op_format(&vp->op[d->vips], buf, sizeof(buf));
		fprintf(stderr, "Error: could not make \"%s\"; undoing %zu change(s)\n",
			buf, d->links + d->key + d->vips);
		return -1;
	}
	return 0;
}

/*
 * Plan, then make the changes (or with dry, print the intent's plan and
 * the changes it would make).
 */
static int apply(const struct idm_opts *o, const struct idm_intent *in,
		 const struct idm_sacl_tables *want, bool dry)
{
	struct idm_sacl_tables cur = { 0 };
	struct idm_sacl_op *ops = NULL;
	struct idm_vip_changes vp = { 0 };
	struct idm_link_changes lp = { 0 };
	struct done d = { 0 };
	bool set_default, set_key = false;
	struct idm_nl nl, rt;
	char buf[256];
	long n = 0, i, done, fail_at;
	int ret = 1, k;

	if (idm_nl_open(&nl, o->netns))
		return 1;
	if (idm_rt_open(&rt, NULL))
		goto out_nl;
	if (idm_link_plan(&rt, in, &lp))
		goto out_lp;
	if (in->has_hash_key) {
		k = idm_hash_key_get(&nl, d.old_key);
		if (k) {
			if (k > 0)
				fprintf(stderr, "Error: the hash key cannot be read without CAP_NET_ADMIN; nothing changed\n");
			goto out_lp;
		}
		set_key = memcmp(d.old_key, in->hash_key, sizeof(d.old_key)) != 0;
	}
	if (in->has_vips && idm_vip_plan(&nl, in, &vp))
		goto out_vp;
	if (idm_sacl_read(&nl, &cur))
		goto out_vp;
	n = idm_sacl_diff(&cur, want, &ops);
	set_default = want->has_default && want->def_action != cur.def_action;
	if (dry) {
		print_start(o->json, o->pretty);
		print_open_obj(NULL);
		print_plan(in, want);
		print_text("changes:\n");
		print_open_obj("changes");
		print_changes(in, &lp, set_key, &vp, ops, n, set_default, want);
		print_close_obj();
		print_close_obj();
		print_end();
		ret = 0;
		goto out_ops;
	}
	if (check_devs(in, want))
		goto out_ops;
	/* Links (with their addresses and routes), the key, VIPs, identity. */
	if (apply_node(in, &nl, &rt, &lp, &vp, &d, set_key)) {
		fprintf(stderr, undo_all(&nl, &rt, &d, &lp, &vp) ? "Nothing changed.\n" :
			"Error: the node is not as it was; see \"idmesh link show\" and \"idmesh vip show\"\n");
		goto out_ops;
	}
	fail_at = test_fail_at("IDMESH_TEST_FAIL_CHANGE");
	for (done = 0; done < n; done++) {
		struct idm_sacl_row bad = ops[done].e;

		if (done + 1 == fail_at)
			bad.kind = 0xff;
		if (idm_sacl_change(&nl, ops[done].add, &bad))
			break;
	}
	if (done == n && set_default && idm_sacl_set_default(&nl, want->def_action))
		done = n + 1;	/* everything to undo */
	if (done != n) {
		bool undo_failed = false;

		if (done < n) {
			idm_sacl_row_format(&ops[done].e, buf, sizeof(buf));
			fprintf(stderr, "Error: could not %s \"%s\"; undoing %ld change(s)\n",
				ops[done].add ? "add" : "remove", buf, done);
		} else {
			fprintf(stderr, "Error: could not set the default action; undoing %ld change(s)\n",
				n);
		}
		for (i = (done < n ? done : n) - 1; i >= 0; i--) {
			if (idm_sacl_change(&nl, !ops[i].add, &ops[i].e)) {
				idm_sacl_row_format(&ops[i].e, buf, sizeof(buf));
				fprintf(stderr, "Error: undo failed at \"%s\"\n", buf);
				undo_failed = true;
			}
		}
		undo_failed |= !undo_all(&nl, &rt, &d, &lp, &vp);
		if (undo_failed)
			fprintf(stderr, "Error: the node is not as it was; see \"idmesh sacl show\"\n");
		else
			fprintf(stderr, "Nothing changed.\n");
		goto out_ops;
	}
	print_start(o->json, o->pretty);
	print_open_obj(NULL);
	print_changes(in, &lp, set_key, &vp, ops, n, set_default, want);
	print_close_obj();
	print_end();
	ret = 0;
out_ops:
	free(ops);
	idm_sacl_tables_free(&cur);
out_vp:
	idm_vip_changes_free(&vp);
out_lp:
	idm_link_changes_free(&lp);
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
	char err[512], *text;
	size_t len;
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
	text = idm_read_file(file, &len);
	if (!text) {
		fprintf(stderr, "Error: cannot read \"%s\": %s\n", file, strerror(errno));
		return 1;
	}
	ret = idm_intent_parse(strcmp(file, "-") ? file : "<stdin>", text, len,
			       &in, err, sizeof(err));
	free(text);
	if (!ret)
		ret = idm_intent_derive(&in, err, sizeof(err));
	if (ret) {
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
