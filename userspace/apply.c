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
#include <net/if.h>
#include <arpa/inet.h>
#include <linux/idmesh.h>

#include "idmesh.h"
#include "intent.h"
#include "nl.h"
#include "apply_vip.h"
#include "print.h"
#include "sacl.h"

void help_apply(FILE *f)
{
	fprintf(f,
		"Usage: idmesh [-j [-p]] [-n NETNS] apply -f FILE [--dry-run]\n"
		"Make this node's SACL tables what the intent in FILE (JSON or YAML, \"-\" for\n"
		"standard input) asks for: its ports and default action; a client\n"
		"entry for each workload behind one of its ports; a server entry for\n"
		"each workload with an address; a rule for each pair of Services a\n"
		"policy selects. Workloads with the same labels (those named in\n"
		"service-keys, if given) share a Service; its SACL ID is a keyed hash\n"
		"(SipHash-2-4) of those labels, the same on every node with the same\n"
		"ids.key. Only what differs is changed; entries the intent does not\n"
		"name are removed. With \"vips\", the node's VIPs become those, each\n"
		"with its whole backend set (one table build per VIP); first VIPs,\n"
		"then the SACL tables. If a change fails, those already made are undone.\n"
		"--dry-run prints the Services, their IDs, the rules, the VIPs and the\n"
		"tables, and changes nothing. See Documentation/identity.rst for the format.\n");
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t cap = 4096, n = 0, r;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap);
	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *b = realloc(buf, cap *= 2);

			if (!b) {
				free(buf);
				buf = NULL;
			}
			buf = b;
		}
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
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

/* --dry-run: the VIPs the node would have, with their backends. */
static void print_ivips(const struct idm_intent *in)
{
	char a[INET6_ADDRSTRLEN];
	size_t i, k;

	print_open_arr("vips");
	for (i = 0; i < in->nvips; i++) {
		const struct idm_ivip *v = &in->vips[i];

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
static void print_plan(const struct idm_opts *o, const struct idm_intent *in,
		       const struct idm_sstate *want)
{
	char buf[256], id[24];
	size_t i, k;

	print_start(o->json, o->pretty);
	print_open_obj(NULL);
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
	if (in->has_vips)
		print_ivips(in);
	if (want->has_default)
		print_string(PRINT_FP, NULL, "set default %s\n",
			     idm_word_name(idm_action_words, want->def_action));
	print_open_arr("entries");
	for (i = 0; i < want->n; i++) {
		idm_sent_format(&want->e[i], buf, sizeof(buf));
		print_string(PRINT_ANY, NULL, "%s\n", buf);
	}
	print_close_arr();
	if (want->has_default)
		print_string(PRINT_JSON, "default", NULL,
			     idm_word_name(idm_action_words, want->def_action));
	print_close_obj();
	print_end();
}

/* Undo the first n VIP changes, last first; true if one failed. */
static bool vips_undo(struct idm_nl *nl, const struct idm_vplan *vp, size_t n)
{
	bool failed = false;
	char buf[256];

	while (n--) {
		if (!idm_vop_do(nl, &vp->op[n], 1))
			continue;
		idm_vop_format(&vp->op[n], buf, sizeof(buf));
		fprintf(stderr, "Error: undo failed at \"%s\"\n", buf);
		failed = true;
	}
	return failed;
}

/* The VIP changes made: text in order; JSON by kind. */
static void print_vops(const struct idm_vplan *vp)
{
	static const char *const key[] = { "vips_removed", "vips_added",
					   "vips_changed" };
	static const char sign[] = { '-', '+', '~' };
	char buf[256];
	size_t i;
	int k;

	for (i = 0; i < vp->n; i++) {
		idm_vop_format(&vp->op[i], buf, sizeof(buf));
		print_text("%c %s\n", sign[vp->op[i].kind], buf);
	}
	for (k = IDM_VOP_DEL; k <= IDM_VOP_SET; k++) {
		print_open_arr(key[k]);
		for (i = 0; i < vp->n; i++) {
			if (vp->op[i].kind != k)
				continue;
			idm_vop_format(&vp->op[i], buf, sizeof(buf));
			print_string(PRINT_JSON, NULL, NULL, buf);
		}
		print_close_arr();
	}
}

/* Every device the intent names exists here, or nothing is changed. */
static int check_devs(const struct idm_intent *in, const struct idm_sstate *want)
{
	size_t i;

	for (i = 0; i < want->n; i++) {
		const struct idm_sent *e = &want->e[i];

		if (e->kind == IDMESH_SACL_KIND_PORT && !if_nametoindex(e->dev)) {
			fprintf(stderr, "Error: %s: ports: no device \"%s\" in this namespace; nothing changed\n",
				in->file, e->dev);
			return -1;
		}
	}
	return 0;
}

static int apply(const struct idm_opts *o, const struct idm_intent *in,
		 const struct idm_sstate *want)
{
	struct idm_sstate cur;
	struct idm_sop *ops = NULL;
	struct idm_vplan vp = { 0 };
	bool set_default, undo_failed = false;
	struct idm_nl nl;
	char buf[256];
	long n, i, done, fail_at;
	size_t vdone = 0;
	int ret = 1;

	if (idm_nl_open(&nl, o->netns))
		return 1;
	if (in->has_vips && idm_vip_plan(&nl, in, &vp))
		goto out_vp;
	if (idm_sacl_read(&nl, &cur))
		goto out_vp;
	if (check_devs(in, want))
		goto out_cur;
	/*
	 * VIPs first, then identity; a failure undoes both. For tests of the
	 * undo: IDMESH_TEST_FAIL_VIP=N makes the N-th VIP change a request the
	 * kernel refuses (a VIP without a protocol).
	 */
	fail_at = getenv("IDMESH_TEST_FAIL_VIP") ?
		  strtol(getenv("IDMESH_TEST_FAIL_VIP"), NULL, 10) : 0;
	for (vdone = 0; vdone < vp.n; vdone++) {
		struct idm_vop bad = vp.op[vdone];

		if ((long)vdone + 1 == fail_at)
			bad.vip.proto = 0;
		if (idm_vop_do(&nl, &bad, 0))
			break;
	}
	if (vdone != vp.n) {
		idm_vop_format(&vp.op[vdone], buf, sizeof(buf));
		fprintf(stderr, "Error: could not make \"%s\"; undoing %zu change(s)\n",
			buf, vdone);
		undo_failed = vips_undo(&nl, &vp, vdone);
		fprintf(stderr, undo_failed ?
			"Error: the VIPs are not as they were; see \"idmesh vip show\"\n" :
			"Nothing changed.\n");
		goto out_cur;
	}
	n = idm_sacl_diff(&cur, want, &ops);
	set_default = want->has_default && want->def_action != cur.def_action;
	/*
	 * For tests of the undo: IDMESH_TEST_FAIL_CHANGE=N sends the N-th
	 * change with a kind the kernel refuses.
	 */
	fail_at = getenv("IDMESH_TEST_FAIL_CHANGE") ?
		  strtol(getenv("IDMESH_TEST_FAIL_CHANGE"), NULL, 10) : 0;
	for (done = 0; done < n; done++) {
		struct idm_sent bad = ops[done].e;

		if (done + 1 == fail_at)
			bad.kind = 0xff;
		if (idm_sacl_change(&nl, ops[done].add, &bad))
			break;
	}
	if (done == n && set_default && idm_sacl_set_default(&nl, want->def_action))
		done = n + 1;	/* everything to undo */
	if (done != n) {
		if (done < n) {
			idm_sent_format(&ops[done].e, buf, sizeof(buf));
			fprintf(stderr, "Error: could not %s \"%s\"; undoing %ld change(s)\n",
				ops[done].add ? "add" : "remove", buf, done);
		} else {
			fprintf(stderr, "Error: could not set the default action; undoing %ld change(s)\n",
				n);
		}
		for (i = (done < n ? done : n) - 1; i >= 0; i--) {
			if (idm_sacl_change(&nl, !ops[i].add, &ops[i].e)) {
				idm_sent_format(&ops[i].e, buf, sizeof(buf));
				fprintf(stderr, "Error: undo failed at \"%s\"\n", buf);
				undo_failed = true;
			}
		}
		undo_failed |= vips_undo(&nl, &vp, vp.n);
		if (undo_failed)
			fprintf(stderr, "Error: the tables are not as they were; see \"idmesh sacl show\"\n");
		else
			fprintf(stderr, "Nothing changed.\n");
		goto out_ops;
	}
	/* Text: the changes in the order made; JSON: removed, then added. */
	print_start(o->json, o->pretty);
	print_open_obj(NULL);
	if (in->has_vips)
		print_vops(&vp);
	for (i = 0; i < n; i++) {
		idm_sent_format(&ops[i].e, buf, sizeof(buf));
		print_text("%c %s\n", ops[i].add ? '+' : '-', buf);
	}
	print_open_arr("removed");
	for (i = 0; i < n; i++)
		if (!ops[i].add) {
			idm_sent_format(&ops[i].e, buf, sizeof(buf));
			print_string(PRINT_JSON, NULL, NULL, buf);
		}
	print_close_arr();
	print_open_arr("added");
	for (i = 0; i < n; i++)
		if (ops[i].add) {
			idm_sent_format(&ops[i].e, buf, sizeof(buf));
			print_string(PRINT_JSON, NULL, NULL, buf);
		}
	print_close_arr();
	if (set_default)
		print_string(PRINT_ANY, "default", "~ default %s\n",
			     idm_word_name(idm_action_words, want->def_action));
	print_close_obj();
	print_end();
	ret = 0;
out_ops:
	free(ops);
out_cur:
	idm_sstate_free(&cur);
out_vp:
	idm_vplan_free(&vp);
	idm_nl_close(&nl);
	return ret;
}

int cmd_apply(const struct idm_opts *o, int argc, char **argv)
{
	const char *file = NULL;
	struct idm_intent in;
	struct idm_sstate want;
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
	text = read_all(file, &len);
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
	idm_intent_state(&in, &want);
	if (dry) {
		print_plan(o, &in, &want);
		ret = 0;
	} else {
		ret = apply(o, &in, &want);
	}
	idm_sstate_free(&want);
	idm_intent_free(&in);
	return ret;
}
