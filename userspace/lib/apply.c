// SPDX-License-Identifier: GPL-2.0
/*
 * An intent made true on this node: the plan (links, hash key, VIPs, SACL
 * tables, each a diff against the node), then the changes in that order;
 * on any failure, the changes already made are undone, last first.
 * Messages go to standard error; what was planned or made is the
 * caller's to print.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/idmesh.h>

#include "apply.h"
#include "config.h"
#include "masq.h"
#include "nl.h"
#include "sacl.h"
#include "util.h"

/*
 * Fault injection for the selftests of the undo, compiled only into the
 * test build of this file (tests/apply-faults.o, linked into
 * tests/idmesh-faults, never installed): VAR=N makes the
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

int idm_apply_check_devs(const struct idm_intent *in,
			 const struct idm_sacl_tables *want)
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
static bool links_undo(struct idm_nl *nl, struct idm_nl *rt,
		       const struct idm_link_changes *lp, size_t n)
{
	bool failed = false;
	char buf[512];

	while (n--) {
		if (!idm_link_op_do(nl, rt, &lp->op[n], 1))
			continue;
		idm_link_op_format(&lp->op[n], buf, sizeof(buf));
		fprintf(stderr, "Error: undo failed at \"%s\"\n", buf);
		failed = true;
	}
	return failed;
}

/* What apply has changed so far, to be undone on a failure. */
struct done {
	size_t links, vips;
	long ipsec;
	bool key, masq;
	uint8_t old_key[IDMESH_HASH_KEY_LEN];
};

/* Undo the first n IPsec changes, last first; true if one failed. */
static bool ipsec_undo(const struct idm_apply *p, long n)
{
	bool failed = false;
	char buf[256];

	while (n--) {
		if (!idm_ipsec_op_do(p->xfrm, &p->ipsec_ops[n], 1))
			continue;
		idm_ipsec_op_format(&p->ipsec_ops[n], buf, sizeof(buf));
		fprintf(stderr, "Error: undo failed at \"%s\"\n", buf);
		failed = true;
	}
	return failed;
}

/* Undo links, IPsec, the key, the masquerade and VIPs; true if all came back. */
static bool undo_all(struct idm_nl *nl, struct idm_nl *rt, const struct done *d,
		     const struct idm_apply *p)
{
	const struct idm_link_changes *lp = &p->links;
	bool failed = vips_undo(nl, &p->vips, d->vips);
	char why[512];

	if (d->masq && idm_masq_set("intent", &p->old_masq, why, sizeof(why))) {
		fprintf(stderr, "Error: undo failed at \"masquerade\": %s\n", why);
		failed = true;
	}
	if (d->key && idm_hash_key_set(nl, d->old_key)) {
		fprintf(stderr, "Error: undo failed at \"config set hash-key\"\n");
		failed = true;
	}
	failed |= ipsec_undo(p, d->ipsec);
	failed |= links_undo(nl, rt, lp, d->links);
	return !failed;
}

/* Links, then IPsec, the hash key, the masquerade, then VIPs. */
static int apply_node(const struct idm_intent *in, struct idm_nl *nl,
		      struct idm_nl *rt, const struct idm_apply *p, struct done *d)
{
	const struct idm_link_changes *lp = &p->links;
	const struct idm_vip_changes *vp = &p->vips;
	char buf[512];
	long fail_at;

	for (d->links = 0; d->links < lp->n; d->links++)
		if (idm_link_op_do(nl, rt, &lp->op[d->links], 0))
			break;
	if (d->links != lp->n) {
		idm_link_op_format(&lp->op[d->links], buf, sizeof(buf));
		fprintf(stderr, "Error: could not make \"%s\"; undoing %zu change(s)\n",
			buf, d->links);
		return -1;
	}
	for (d->ipsec = 0; d->ipsec < p->nipsec; d->ipsec++)
		if (idm_ipsec_op_do(p->xfrm, &p->ipsec_ops[d->ipsec], 0))
			break;
	if (d->ipsec != p->nipsec) {
		idm_ipsec_op_format(&p->ipsec_ops[d->ipsec], buf, sizeof(buf));
		fprintf(stderr, "Error: could not make \"%s\"; undoing %zu change(s)\n",
			buf, d->links + (size_t)d->ipsec);
		return -1;
	}
	if (p->set_key) {
		if (idm_hash_key_set(nl, in->hash_key)) {
			fprintf(stderr, "Error: could not set the hash key; undoing %zu change(s)\n",
				d->links + (size_t)d->ipsec);
			return -1;
		}
		d->key = true;
	}
	if (p->set_masq) {
		if (idm_masq_set("intent", &in->masq, buf, sizeof(buf))) {
			fprintf(stderr, "Error: could not set the masquerade: %s; undoing %zu change(s)\n",
				buf, d->links + (size_t)d->ipsec + d->key);
			return -1;
		}
		d->masq = true;
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
			buf, d->links + (size_t)d->ipsec + d->key + d->masq + d->vips);
		return -1;
	}
	return 0;
}

/* The IPsec state the intent's encrypted links need against the node's. */
static int ipsec_plan(const struct idm_intent *in, struct idm_apply *p)
{
	struct idm_ipsec_pair *pairs;
	char why[256];
	size_t n;
	int rc;

	idm_intent_ipsec_pairs(in, &pairs, &n);
	rc = idm_ipsec_derive(pairs, n, in->secrets, in->nsecrets, &p->ipsec_want, why,
			      sizeof(why));
	free(pairs);
	if (rc) {
		fprintf(stderr, "Error: ipsec: %s; nothing changed\n", why);
		return -1;
	}
	p->xfrm = xrealloc(NULL, 1, sizeof(*p->xfrm));
	if (idm_xfrm_open(p->xfrm)) {
		free(p->xfrm);
		p->xfrm = NULL;
		return -1;
	}
	if (idm_ipsec_read(p->xfrm, &p->ipsec_cur))
		return -1;
	p->nipsec = idm_ipsec_diff(&p->ipsec_cur, &p->ipsec_want, &p->ipsec_ops);
	return p->nipsec < 0 ? -1 : 0;
}

/* The intent's masquerade against the node's: set_masq if they differ. */
static int masq_plan(const struct idm_intent *in, struct idm_apply *p)
{
	const struct idm_prefixes *want = &in->masq, *cur = &p->old_masq;
	char why[512];
	size_t i, k;

	if (idm_masq_get("intent", &p->old_masq, why, sizeof(why))) {
		fprintf(stderr, "Error: masquerade: %s; nothing changed\n", why);
		return -1;
	}
	p->set_masq = want->n != cur->n;
	for (i = 0; i < want->n && !p->set_masq; i++) {
		for (k = 0; k < cur->n && !idm_prefix_eq(&cur->v[k], &want->v[i]); k++)
			;
		p->set_masq = k == cur->n;
	}
	return 0;
}

int idm_apply_plan(struct idm_nl *nl, struct idm_nl *rt,
		   const struct idm_intent *in,
		   const struct idm_sacl_tables *want, struct idm_apply *p)
{
	int k;

	memset(p, 0, sizeof(*p));
	if (idm_link_plan(nl, rt, in, &p->links))
		return -1;
	if (in->has_hash_key) {
		k = idm_hash_key_get(nl, p->old_key);
		if (k) {
			if (k > 0)
				fprintf(stderr, "Error: the hash key cannot be read without CAP_NET_ADMIN; nothing changed\n");
			return -1;
		}
		p->set_key = memcmp(p->old_key, in->hash_key, sizeof(p->old_key)) != 0;
	}
	if (in->has_ipsec && ipsec_plan(in, p))
		return -1;
	if (in->has_masq && masq_plan(in, p))
		return -1;
	if (in->has_vips && idm_vip_plan(nl, in, &p->vips))
		return -1;
	if (in->keep_sacl || !in->has_identity)
		return 0;
	if (idm_sacl_read(nl, &p->cur))
		return -1;
	p->nops = idm_sacl_diff(&p->cur, want, &p->ops);
	p->set_default = want->has_default && want->def_action != p->cur.def_action;
	return 0;
}

int idm_apply_commit(struct idm_nl *nl, struct idm_nl *rt,
		     const struct idm_intent *in,
		     const struct idm_sacl_tables *want,
		     const struct idm_apply *p)
{
	const struct idm_sacl_op *ops = p->ops;
	struct done d = { 0 };
	long n = p->nops, i, done, fail_at;
	bool undo_failed = false;
	char buf[256];

	memcpy(d.old_key, p->old_key, sizeof(d.old_key));
	/* Links (with their addresses and routes), the key, VIPs, identity. */
	if (apply_node(in, nl, rt, p, &d)) {
		if (undo_all(nl, rt, &d, p)) {
			fprintf(stderr, "Nothing changed.\n");
			return -1;
		}
		fprintf(stderr, "Error: the node is not as it was; see \"idmesh link show\" and \"idmesh vip show\"\n");
		return -2;
	}
	fail_at = test_fail_at("IDMESH_TEST_FAIL_CHANGE");
	for (done = 0; done < n; done++) {
		struct idm_sacl_row bad = ops[done].e;

		if (done + 1 == fail_at)
			bad.kind = 0xff;
		if (idm_sacl_change(nl, ops[done].add, &bad))
			break;
	}
	if (done == n && p->set_default &&
	    idm_sacl_set_default(nl, want->def_action))
		done = n + 1;	/* everything to undo */
	if (done == n)
		return 0;
	if (done < n) {
		idm_sacl_row_format(&ops[done].e, buf, sizeof(buf));
		fprintf(stderr, "Error: could not %s \"%s\"; undoing %ld change(s)\n",
			ops[done].add ? "add" : "remove", buf, done);
	} else {
		fprintf(stderr, "Error: could not set the default action; undoing %ld change(s)\n",
			n);
	}
	for (i = (done < n ? done : n) - 1; i >= 0; i--) {
		if (idm_sacl_change(nl, !ops[i].add, &ops[i].e)) {
			idm_sacl_row_format(&ops[i].e, buf, sizeof(buf));
			fprintf(stderr, "Error: undo failed at \"%s\"\n", buf);
			undo_failed = true;
		}
	}
	undo_failed |= !undo_all(nl, rt, &d, p);
	if (undo_failed) {
		fprintf(stderr, "Error: the node is not as it was; see \"idmesh sacl show\"\n");
		return -2;
	}
	fprintf(stderr, "Nothing changed.\n");
	return -1;
}

void idm_apply_free(struct idm_apply *p)
{
	free(p->ops);
	idm_sacl_tables_free(&p->cur);
	idm_vip_changes_free(&p->vips);
	idm_link_changes_free(&p->links);
	free(p->old_masq.v);
	free(p->ipsec_ops);
	idm_ipsec_state_free(&p->ipsec_cur);
	idm_ipsec_state_free(&p->ipsec_want);
	if (p->xfrm) {
		idm_nl_close(p->xfrm);
		free(p->xfrm);
	}
	memset(p, 0, sizeof(*p));
}
