/* SPDX-License-Identifier: GPL-2.0 */
/* idmesh sacl: the identity gateway's tables. */
#ifndef IDMESH_SACL_H
#define IDMESH_SACL_H

#include <stddef.h>
#include <stdint.h>

#include "link.h"

/* One request: the settings, or one entry of a table. */
struct idm_sacl_spec {
	int kind;		/* IDMESH_SACL_KIND_* */
	const char *dev;	/* a port, or a LID client's marker port */
	uint32_t ifindex;	/* dev, looked up in the namespace */
	struct idm_addr addr;
	uint64_t id, client, server;
	uint32_t lid, proto, port, action, priority, dscp, marker;
	uint32_t opt_type, opt_type4, def_action;
	uint32_t cbits, sbits;	/* a rule's prefix lengths */
	uint32_t plen;		/* a trusted prefix's length */
	uint64_t has;		/* 1 << IDMESH_SACL_A_* given */
};

#define IDM_HAS(s, a) (((s)->has >> (a)) & 1)

/* "add" and "del" of port, client, server, rule; del names the key only. */
int idm_parse_sacl_entry(int argc, char **argv, int kind, int del,
			 struct idm_sacl_spec *s, char *err, size_t errlen);
int idm_parse_sacl_set(int argc, char **argv, struct idm_sacl_spec *s,
		       char *err, size_t errlen);
int idm_parse_u64(const char *what, const char *s, uint64_t *out, char *err,
		  size_t errlen);
/* A rule's "ID" or "ID/BITS" (BITS 1..64; 64 when absent). */
int idm_parse_id_prefix(const char *what, const char *s, uint64_t *id,
			uint32_t *bits, char *err, size_t errlen);
const char *idm_sacl_proto_name(unsigned int proto);
struct in6_addr;
/* An IPv6 address, or IPv4 kept IPv4-mapped; -1 if neither. */
int idm_addr46_pton(const char *s, struct in6_addr *a);
/* IPv4-mapped addresses print as IPv4. */
void idm_addr46_ntop(const struct in6_addr *a, char *buf, size_t len);
/* tcp, udp, sctp, icmp, icmpv6 or 1..255. */
int idm_sacl_parse_proto(const char *s, uint32_t *proto, char *err,
			 size_t errlen);
/* A number, or a tc class id "MAJ:MIN" (hex). */
int idm_sacl_parse_priority(const char *s, uint32_t *out, char *err,
			    size_t errlen);

struct idm_nl;
struct idm_sstate;
struct idm_sent;
/* The namespace's SACL tables and default action, as entries. */
int idm_sacl_read(struct idm_nl *nl, struct idm_sstate *st);
/* Add (add != 0) or remove one entry; errors are printed. */
int idm_sacl_change(struct idm_nl *nl, int add, const struct idm_sent *e);
int idm_sacl_set_default(struct idm_nl *nl, uint32_t action);

#endif /* IDMESH_SACL_H */
