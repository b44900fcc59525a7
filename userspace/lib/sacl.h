/* SPDX-License-Identifier: GPL-2.0 */
/* idmesh sacl: the identity gateway's tables. */
#ifndef IDMESH_SACL_H
#define IDMESH_SACL_H

#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>

#include "parse.h"

/* One request: the settings, or one entry of a table. */
struct idm_sacl_spec {
	int kind;		/* IDMESH_SACL_KIND_* */
	const char *dev;	/* a port, or a LID client's marker port */
	uint32_t ifindex;	/* dev, looked up in the namespace */
	struct idm_addr addr;
	uint64_t id, client, server;
	uint32_t lid, proto, port, action, priority, dscp, marker;
	uint32_t opt_type, opt_type4, def_action;
	uint32_t cbits, sbits;	/* a rule's prefix lengths; 0: any */
	uint32_t plen;		/* a trusted prefix's length */
	uint32_t dir;		/* a rule's direction; 0: not given */
	uint32_t nranges;	/* a rule's port ranges */
	struct idm_range ranges[IDMESH_SACL_RANGES_MAX];
	uint64_t has;		/* 1 << IDMESH_SACL_A_* given */
};

#define IDM_HAS(s, a) (((s)->has >> (a)) & 1)

/* "add" and "del" of port, client, server, rule; del names the key only. */
int idm_parse_sacl_entry(int argc, char **argv, int kind, int del,
			 struct idm_sacl_spec *s, char *err, size_t errlen);
int idm_parse_sacl_set(int argc, char **argv, struct idm_sacl_spec *s,
		       char *err, size_t errlen);
/* A number, or a tc class id "MAJ:MIN" (hex). */
int idm_sacl_parse_priority(const char *s, uint32_t *out, char *err,
			    size_t errlen);

/* What the dump reports: one entry per message, kept in order. */
struct idm_sacl_entry {
	int kind;
	uint32_t ifindex, lid, proto, port, action, priority, dscp;
	uint32_t flows;		/* a port's connections */
	int has_priority, has_dscp, has_addr;
	uint32_t marker, opt_type, opt_type4, def_action, cbits, sbits, plen;
	uint32_t dir, nranges;
	uint32_t path;		/* the settings': enum idmesh_sacl_path */
	struct idm_range ranges[IDMESH_SACL_RANGES_MAX];
	int has_plen;
	char addr[INET6_ADDRSTRLEN];
	uint64_t id, client, server;
	uint64_t c[IDMESH_SACL_A_MAX + 1];	/* counters by attribute */
};

struct idm_sacl_list {
	struct idm_sacl_entry *e;
	size_t n;
};

struct idm_nl;
struct nl_msg;
struct idm_sacl_tables;
struct idm_sacl_row;

/* Over netlink (sacl_nl.c). The request's SACL nest, from a spec. */
int idm_sacl_put(struct nl_msg *msg, void *arg);
/* The entries (of one kind, if only names it); free l->e. */
int idm_sacl_dump(struct idm_nl *nl, const struct idm_sacl_spec *only,
		  struct idm_sacl_list *l);
/* A device's name, or "ifN" for one that is gone. */
void idm_dev_name(uint32_t ifindex, char *buf);
/* The namespace's SACL tables and default action, as entries. */
int idm_sacl_read(struct idm_nl *nl, struct idm_sacl_tables *st);
/* Add (add != 0) or remove one entry; errors are printed. */
int idm_sacl_change(struct idm_nl *nl, int add, const struct idm_sacl_row *e);
int idm_sacl_set_default(struct idm_nl *nl, uint32_t action);

#endif /* IDMESH_SACL_H */
