// SPDX-License-Identifier: GPL-2.0
/*
 * Encrypted links: the SAs and policies of the kernel's IPsec (xfrm
 * netlink) for the Geneve packets between pairs of underlay addresses,
 * with keys derived by the kernel's HMAC-SHA256 (AF_ALG). ipsec.h has
 * the design.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/if_alg.h>
#include <linux/xfrm.h>
#include <netlink/msg.h>
#include <netlink/attr.h>

#include "ipsec.h"
#include "nl.h"
#include "util.h"

#ifndef SOL_ALG
#define SOL_ALG 279
#endif

#define AEAD_NAME	"rfc4106(gcm(aes))"
#define AEAD_KEY_BITS	160	/* 128-bit key and a 32-bit salt */
#define AEAD_ICV_BITS	128

/* The kernel's HMAC-SHA256 of msg under key, by AF_ALG. */
static int hmac_sha256(const uint8_t *key, size_t klen, const void *msg, size_t mlen,
		       uint8_t out[32], char *err, size_t errlen)
{
	struct sockaddr_alg sa = {
		.salg_family = AF_ALG, .salg_type = "hash", .salg_name = "hmac(sha256)",
	};
	int tfm, op = -1, rc = -1;

	tfm = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (tfm < 0 || bind(tfm, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, klen)) {
		snprintf(err, errlen, "the kernel's hmac(sha256) is not available (AF_ALG: %s)",
			 strerror(errno));
		goto out;
	}
	op = accept(tfm, NULL, 0);
	if (op < 0 || write(op, msg, mlen) != (ssize_t)mlen || read(op, out, 32) != 32) {
		snprintf(err, errlen, "the kernel's hmac(sha256) failed: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (op >= 0)
		close(op);
	if (tfm >= 0)
		close(tfm);
	return rc;
}

/*
 * The SA from src to dst under secret: HMAC(secret, label, family, src,
 * dst) gives the key and salt (20 bytes) and the SPI (4 more; never
 * below 256, which RFC 4303 reserves).
 */
static int derive_sa(const struct idm_ipsec_secret *secret, const struct idm_addr *src,
		     const struct idm_addr *dst, bool in, struct idm_ipsec_sa *sa,
		     char *err, size_t errlen)
{
	static const char label[] = "idmesh ipsec v1";
	uint8_t msg[sizeof(label) + 1 + 32], h[32];
	size_t n = 0;
	uint32_t spi;

	memcpy(msg, label, sizeof(label));
	n = sizeof(label);
	msg[n++] = (uint8_t)src->len;
	memcpy(msg + n, src->bytes, src->len);
	n += src->len;
	memcpy(msg + n, dst->bytes, dst->len);
	n += dst->len;
	if (hmac_sha256(secret->b, sizeof(secret->b), msg, n, h, err, errlen))
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->in = in;
	sa->src = *src;
	sa->dst = *dst;
	memcpy(sa->key, h, sizeof(sa->key));
	memcpy(&spi, h + 20, sizeof(spi));
	spi = ntohl(spi);
	sa->spi = spi < 256 ? spi + 256 : spi;
	return 0;
}

int idm_ipsec_derive(const struct idm_ipsec_pair *pairs, size_t npairs,
		     const struct idm_ipsec_secret *secrets, size_t nsecrets,
		     struct idm_ipsec_state *st, char *err, size_t errlen)
{
	size_t i, k;

	memset(st, 0, sizeof(*st));
	if (!nsecrets)
		return 0;
	st->sa = xrealloc(NULL, npairs * (nsecrets + 1) + 1, sizeof(*st->sa));
	st->pol = xrealloc(NULL, 2 * npairs + 1, sizeof(*st->pol));
	for (i = 0; i < npairs; i++) {
		const struct idm_ipsec_pair *p = &pairs[i];

		for (k = 0; k < nsecrets; k++)
			if (derive_sa(&secrets[k], &p->remote, &p->local, true,
				      &st->sa[st->nsa++], err, errlen))
				return -1;
		if (derive_sa(&secrets[0], &p->local, &p->remote, false, &st->sa[st->nsa++],
			      err, errlen))
			return -1;
		st->pol[st->npol++] = (struct idm_ipsec_pol){ XFRM_POLICY_IN, p->remote,
							      p->local, p->port };
		st->pol[st->npol++] = (struct idm_ipsec_pol){ XFRM_POLICY_OUT, p->local,
							      p->remote, p->port };
	}
	return 0;
}

/* ---- the kernel's ---- */

static void to_addr(int family, const xfrm_address_t *x, struct idm_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	a->len = family == AF_INET6 ? 16 : 4;
	memcpy(a->bytes, family == AF_INET6 ? (const void *)x->a6 : (const void *)&x->a4,
	       a->len);
}

static void from_addr(const struct idm_addr *a, xfrm_address_t *x)
{
	memset(x, 0, sizeof(*x));
	memcpy(a->family == AF_INET6 ? (void *)x->a6 : (void *)&x->a4, a->bytes, a->len);
}

static int sa_valid(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct xfrm_usersa_info *xi = nlmsg_data(nlh);
	struct nlattr *tb[XFRMA_MAX + 1];
	struct idm_ipsec_state *st = arg;
	struct xfrm_algo_aead *alg;
	struct idm_ipsec_sa *sa;

	if (nlh->nlmsg_type != XFRM_MSG_NEWSA || xi->reqid != IDM_IPSEC_REQID ||
	    xi->id.proto != IPPROTO_ESP ||
	    nlmsg_parse(nlh, sizeof(*xi), tb, XFRMA_MAX, NULL))
		return NL_OK;
	st->sa = xrealloc(st->sa, st->nsa + 1, sizeof(*st->sa));
	sa = &st->sa[st->nsa++];
	memset(sa, 0, sizeof(*sa));
	to_addr(xi->family, &xi->saddr, &sa->src);
	to_addr(xi->family, &xi->id.daddr, &sa->dst);
	sa->spi = ntohl(xi->id.spi);
	alg = tb[XFRMA_ALG_AEAD] ? nla_data(tb[XFRMA_ALG_AEAD]) : NULL;
	if (alg && nla_len(tb[XFRMA_ALG_AEAD]) >= (int)sizeof(*alg) + 20 &&
	    alg->alg_key_len == AEAD_KEY_BITS)
		memcpy(sa->key, alg->alg_key, sizeof(sa->key));
	return NL_OK;
}

static int pol_valid(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct xfrm_userpolicy_info *pi = nlmsg_data(nlh);
	struct nlattr *tb[XFRMA_MAX + 1];
	struct idm_ipsec_state *st = arg;
	struct xfrm_user_tmpl *t;
	struct idm_ipsec_pol *p;

	if (nlh->nlmsg_type != XFRM_MSG_NEWPOLICY ||
	    nlmsg_parse(nlh, sizeof(*pi), tb, XFRMA_MAX, NULL) || !tb[XFRMA_TMPL] ||
	    nla_len(tb[XFRMA_TMPL]) < (int)sizeof(*t))
		return NL_OK;
	t = nla_data(tb[XFRMA_TMPL]);
	if (t->reqid != IDM_IPSEC_REQID)
		return NL_OK;
	st->pol = xrealloc(st->pol, st->npol + 1, sizeof(*st->pol));
	p = &st->pol[st->npol++];
	p->dir = pi->dir;
	to_addr(pi->sel.family, &pi->sel.saddr, &p->src);
	to_addr(pi->sel.family, &pi->sel.daddr, &p->dst);
	p->port = ntohs(pi->sel.dport);
	return NL_OK;
}

int idm_ipsec_read(struct idm_nl *x, struct idm_ipsec_state *st)
{
	static const int types[] = { XFRM_MSG_GETSA, XFRM_MSG_GETPOLICY };
	struct nl_msg *msg;
	int i, err = 0;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < 2 && !err; i++) {
		msg = nlmsg_alloc_simple(types[i], NLM_F_REQUEST | NLM_F_DUMP);
		err = !msg || idm_nl_transact(x, msg, i ? pol_valid : sa_valid, st);
		nlmsg_free(msg);
	}
	return err ? -1 : 0;
}

/* ---- the changes ---- */

static bool sa_eq(const struct idm_ipsec_sa *a, const struct idm_ipsec_sa *b)
{
	return a->spi == b->spi && !memcmp(&a->src, &b->src, sizeof(a->src)) &&
	       !memcmp(&a->dst, &b->dst, sizeof(a->dst));
}

static bool pol_eq(const struct idm_ipsec_pol *a, const struct idm_ipsec_pol *b)
{
	return a->dir == b->dir && a->port == b->port &&
	       !memcmp(&a->src, &b->src, sizeof(a->src)) &&
	       !memcmp(&a->dst, &b->dst, sizeof(a->dst));
}

static bool has_sa(const struct idm_ipsec_state *st, const struct idm_ipsec_sa *sa)
{
	size_t i;

	for (i = 0; i < st->nsa; i++)
		if (sa_eq(&st->sa[i], sa))
			return true;
	return false;
}

static bool has_pol(const struct idm_ipsec_state *st, const struct idm_ipsec_pol *p)
{
	size_t i;

	for (i = 0; i < st->npol; i++)
		if (pol_eq(&st->pol[i], p))
			return true;
	return false;
}

static void push(struct idm_ipsec_op **ops, long *n, int kind,
		 const struct idm_ipsec_sa *sa, const struct idm_ipsec_pol *pol)
{
	*ops = xrealloc(*ops, *n + 1, sizeof(**ops));
	(*ops)[(*n)++] = (struct idm_ipsec_op){ kind, sa, pol };
}

long idm_ipsec_diff(const struct idm_ipsec_state *cur, const struct idm_ipsec_state *want,
		    struct idm_ipsec_op **ops)
{
	long n = 0;
	size_t i;
	int in;

	*ops = NULL;
	for (in = 1; in >= 0; in--)
		for (i = 0; i < want->nsa; i++)
			if (want->sa[i].in == in && !has_sa(cur, &want->sa[i]))
				push(ops, &n, IDM_IPSEC_ADD_SA, &want->sa[i], NULL);
	for (i = 0; i < want->npol; i++)
		if (!has_pol(cur, &want->pol[i]))
			push(ops, &n, IDM_IPSEC_ADD_POL, NULL, &want->pol[i]);
	for (i = 0; i < cur->npol; i++)
		if (!has_pol(want, &cur->pol[i]))
			push(ops, &n, IDM_IPSEC_DEL_POL, NULL, &cur->pol[i]);
	for (i = 0; i < cur->nsa; i++)
		if (!has_sa(want, &cur->sa[i]))
			push(ops, &n, IDM_IPSEC_DEL_SA, &cur->sa[i], NULL);
	return n;
}

static int sa_msg(struct idm_nl *x, bool add, const struct idm_ipsec_sa *sa)
{
	int family = sa->src.family;
	struct nl_msg *msg;
	int rc = -1;

	if (add) {
		struct xfrm_usersa_info xi = {
			.id.spi = htonl(sa->spi), .id.proto = IPPROTO_ESP,
			.family = family, .mode = XFRM_MODE_TRANSPORT,
			.reqid = IDM_IPSEC_REQID, .replay_window = 32,
			.sel.family = family,
			.lft = { .soft_byte_limit = XFRM_INF, .hard_byte_limit = XFRM_INF,
				 .soft_packet_limit = XFRM_INF, .hard_packet_limit = XFRM_INF },
		};
		char buf[sizeof(struct xfrm_algo_aead) + 20];
		struct xfrm_algo_aead *alg = (struct xfrm_algo_aead *)buf;

		from_addr(&sa->src, &xi.saddr);
		from_addr(&sa->dst, &xi.id.daddr);
		memset(buf, 0, sizeof(buf));
		strcpy(alg->alg_name, AEAD_NAME);
		alg->alg_key_len = AEAD_KEY_BITS;
		alg->alg_icv_len = AEAD_ICV_BITS;
		memcpy(alg->alg_key, sa->key, 20);
		msg = nlmsg_alloc_simple(XFRM_MSG_NEWSA, NLM_F_REQUEST | NLM_F_ACK |
					 NLM_F_CREATE | NLM_F_EXCL);
		if (msg && !nlmsg_append(msg, &xi, sizeof(xi), NLMSG_ALIGNTO) &&
		    !nla_put(msg, XFRMA_ALG_AEAD, sizeof(buf), buf))
			rc = 0;
		memset(buf, 0, sizeof(buf));
	} else {
		struct xfrm_usersa_id id = {
			.spi = htonl(sa->spi), .family = family, .proto = IPPROTO_ESP,
		};
		xfrm_address_t src;

		from_addr(&sa->dst, &id.daddr);
		from_addr(&sa->src, &src);
		msg = nlmsg_alloc_simple(XFRM_MSG_DELSA, NLM_F_REQUEST | NLM_F_ACK);
		if (msg && !nlmsg_append(msg, &id, sizeof(id), NLMSG_ALIGNTO) &&
		    !nla_put(msg, XFRMA_SRCADDR, sizeof(src), &src))
			rc = 0;
	}
	if (!rc)
		rc = idm_nl_transact(x, msg, NULL, NULL);
	else
		fprintf(stderr, "Error: out of memory\n");
	nlmsg_free(msg);
	return rc;
}

/* The selector: UDP from src to dst (whole addresses), to port. */
static void pol_sel(const struct idm_ipsec_pol *p, struct xfrm_selector *sel)
{
	memset(sel, 0, sizeof(*sel));
	sel->family = p->src.family;
	from_addr(&p->src, &sel->saddr);
	from_addr(&p->dst, &sel->daddr);
	sel->prefixlen_s = sel->prefixlen_d = p->src.len * 8;
	sel->proto = IPPROTO_UDP;
	sel->dport = htons(p->port);
	sel->dport_mask = 0xffff;
}

static int pol_msg(struct idm_nl *x, bool add, const struct idm_ipsec_pol *p)
{
	struct nl_msg *msg;
	int rc = -1;

	if (add) {
		struct xfrm_userpolicy_info pi = {
			.dir = p->dir, .action = XFRM_POLICY_ALLOW,
			.lft = { .soft_byte_limit = XFRM_INF, .hard_byte_limit = XFRM_INF,
				 .soft_packet_limit = XFRM_INF, .hard_packet_limit = XFRM_INF },
		};
		struct xfrm_user_tmpl t = {
			.id.proto = IPPROTO_ESP, .family = p->src.family,
			.reqid = IDM_IPSEC_REQID, .mode = XFRM_MODE_TRANSPORT,
			.aalgos = ~0u, .ealgos = ~0u, .calgos = ~0u,
		};

		pol_sel(p, &pi.sel);
		msg = nlmsg_alloc_simple(XFRM_MSG_NEWPOLICY, NLM_F_REQUEST | NLM_F_ACK |
					 NLM_F_CREATE | NLM_F_EXCL);
		if (msg && !nlmsg_append(msg, &pi, sizeof(pi), NLMSG_ALIGNTO) &&
		    !nla_put(msg, XFRMA_TMPL, sizeof(t), &t))
			rc = 0;
	} else {
		struct xfrm_userpolicy_id id = { .dir = p->dir };

		pol_sel(p, &id.sel);
		msg = nlmsg_alloc_simple(XFRM_MSG_DELPOLICY, NLM_F_REQUEST | NLM_F_ACK);
		if (msg && !nlmsg_append(msg, &id, sizeof(id), NLMSG_ALIGNTO))
			rc = 0;
	}
	if (!rc)
		rc = idm_nl_transact(x, msg, NULL, NULL);
	else
		fprintf(stderr, "Error: out of memory\n");
	nlmsg_free(msg);
	return rc;
}

int idm_ipsec_op_do(struct idm_nl *x, const struct idm_ipsec_op *op, int undo)
{
	bool add = (op->kind == IDM_IPSEC_ADD_SA || op->kind == IDM_IPSEC_ADD_POL) != !!undo;

	if (op->sa)
		return sa_msg(x, add, op->sa);
	return pol_msg(x, add, op->pol);
}

void idm_ipsec_op_format(const struct idm_ipsec_op *op, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	if (op->sa) {
		inet_ntop(op->sa->src.family, op->sa->src.bytes, s, sizeof(s));
		inet_ntop(op->sa->dst.family, op->sa->dst.bytes, d, sizeof(d));
		snprintf(buf, len, "ipsec sa %s > %s spi 0x%08x", s, d, op->sa->spi);
		return;
	}
	inet_ntop(op->pol->src.family, op->pol->src.bytes, s, sizeof(s));
	inet_ntop(op->pol->dst.family, op->pol->dst.bytes, d, sizeof(d));
	snprintf(buf, len, "ipsec policy %s %s > %s port %u",
		 op->pol->dir == XFRM_POLICY_IN ? "in" : "out", s, d, op->pol->port);
}

void idm_ipsec_state_free(struct idm_ipsec_state *st)
{
	if (st->sa)
		memset(st->sa, 0, st->nsa * sizeof(*st->sa));
	free(st->sa);
	free(st->pol);
	memset(st, 0, sizeof(*st));
}

int idm_ipsec_secret_parse(const char *s, struct idm_ipsec_secret *out)
{
	return idm_hex_decode(s, out->b, sizeof(out->b));
}
