/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Encrypted links (Documentation/link.rst, "Encryption"): the kernel's
 * IPsec, ESP in transport mode with rfc4106(gcm(aes)) and a 128-bit key,
 * on the Geneve packets between two underlay addresses. For each pair of
 * addresses: an outbound and an inbound policy (UDP to the Geneve port)
 * that ask for ESP, an outbound SA of the sending secret, and an inbound
 * SA for every secret still accepted. Keys and SPIs are derived from the
 * cluster's secrets with the kernel's HMAC-SHA256 (AF_ALG), one per
 * direction, so that both nodes compute the same without exchanging a
 * key. The module refuses what arrives outside the inbound policy.
 *
 * idmesh's SAs and policies carry IDM_IPSEC_REQID; no other is touched.
 */
#ifndef IDMESH_IPSEC_H
#define IDMESH_IPSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

#define IDM_IPSEC_SECRET_LEN	32
#define IDM_IPSEC_SECRETS_MAX	4
/* The reqid of idmesh's SAs and policies ("idme" in ASCII). */
#define IDM_IPSEC_REQID		0x69646d65u

struct idm_ipsec_secret {
	uint8_t b[IDM_IPSEC_SECRET_LEN];
};

/* Two underlay addresses of one family and the Geneve port between them. */
struct idm_ipsec_pair {
	struct idm_addr local, remote;
	uint16_t port;
};

/* What the node has (read) or should have (derived). */
struct idm_ipsec_sa {
	bool in;			/* derived: inbound (dst is the local end) */
	struct idm_addr src, dst;
	uint32_t spi;
	uint8_t key[20];		/* 16 bytes of key, 4 of salt */
};

struct idm_ipsec_pol {
	int dir;			/* XFRM_POLICY_IN or _OUT */
	struct idm_addr src, dst;
	uint16_t port;
};

struct idm_ipsec_state {
	struct idm_ipsec_sa *sa;
	size_t nsa;
	struct idm_ipsec_pol *pol;
	size_t npol;
};

/*
 * The SAs and policies of these pairs: secrets[0] sends, every secret is
 * accepted. 0, or -1 with why in err (the kernel's HMAC unavailable).
 */
int idm_ipsec_derive(const struct idm_ipsec_pair *pairs, size_t npairs,
		     const struct idm_ipsec_secret *secrets, size_t nsecrets,
		     struct idm_ipsec_state *st, char *err, size_t errlen);

struct idm_nl;
/* idmesh's SAs and policies on the node. 0, or -1 said. */
int idm_ipsec_read(struct idm_nl *x, struct idm_ipsec_state *st);

/* The changes from cur to want, in an order that keeps traffic flowing. */
enum { IDM_IPSEC_ADD_SA, IDM_IPSEC_DEL_SA, IDM_IPSEC_ADD_POL, IDM_IPSEC_DEL_POL };

struct idm_ipsec_op {
	int kind;
	const struct idm_ipsec_sa *sa;
	const struct idm_ipsec_pol *pol;
};

/*
 * SAs added (inbound, then outbound: a new secret is accepted before it
 * is sent with, and the kernel sends with the newest SA), policies added,
 * stale policies removed, then stale SAs removed. Returns the number of
 * changes (*ops to free), or -1.
 */
long idm_ipsec_diff(const struct idm_ipsec_state *cur, const struct idm_ipsec_state *want,
		    struct idm_ipsec_op **ops);
/* Make one change, or undo it; the kernel's refusal is printed. */
int idm_ipsec_op_do(struct idm_nl *x, const struct idm_ipsec_op *op, int undo);
/* "sa SRC > DST spi 0x..." or "policy out SRC > DST port P". */
void idm_ipsec_op_format(const struct idm_ipsec_op *op, char *buf, size_t len);
void idm_ipsec_state_free(struct idm_ipsec_state *st);

/* 64 hex digits into a secret. 0, or -1. */
int idm_ipsec_secret_parse(const char *s, struct idm_ipsec_secret *out);

#endif
