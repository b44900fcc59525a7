/* SPDX-License-Identifier: GPL-2.0 */
/* idmesh link: what "link add" asks for, and the links a namespace has. */
#ifndef IDMESH_LINK_H
#define IDMESH_LINK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_link.h>
#include <linux/idmesh.h>

#include "parse.h"

struct idm_link_spec {
	const char *name;
	const char *peer;
	const char *peer_netns;
	struct idm_addr remote, local;
	uint32_t id, port, mtu;
	const char *dev;
	int external;		/* 4 or 6: an external link's underlay family */
};

int idm_parse_link_add(int argc, char **argv, struct idm_link_spec *sp,
		       char *err, size_t errlen);

struct idm_nl;

/* An idmesh link as the kernel reports it (RTM_NEWLINK). */
struct idm_link_info {
	int ifindex;
	char name[IFNAMSIZ];
	char alias[256];	/* IFLA_IFALIAS, "" if none */
	unsigned int mtu, max_mtu, flags;
	int mode;
	char peer[IFNAMSIZ];
	int peer_nsid;		/* -1: same namespace */
	char remote[INET6_ADDRSTRLEN], local[INET6_ADDRSTRLEN];
	unsigned int id, port, underlay;
	int external;		/* 4 or 6: an external link (no remote) */
	struct rtnl_link_stats64 st;
	int has_stats;
	uint64_t drops[IFLA_IDMESH_XSTATS_MAX + 1];
};

struct idm_link_list {
	const char *only;
	struct idm_link_info *links;
	int n, cap;
};

/*
 * Create the link sp describes (RTM_NEWLINK, NLM_F_EXCL) on nl, an
 * rtnetlink socket; the kernel's refusal is printed. 0 or -1.
 */
int idm_link_create(struct idm_nl *nl, const struct idm_link_spec *sp);
/*
 * The idmesh links of nl's namespace (only the one named "only", if given)
 * into c (free c->links). Prints why and returns -1 on failure, or when
 * "only" is not an idmesh link.
 */
int idm_link_dump(struct idm_nl *nl, const char *only, struct idm_link_list *c);
/* A peer of an external link (IDMESH_CMD_LINK_PEER_*). */
struct idm_link_peer {
	int ifindex;
	struct idm_addr prefix;	/* no bit set past len */
	unsigned int len;
	struct idm_addr remote;	/* family 0: none (del) */
};

/* Add (or replace) or remove p on nl, the idmesh family. 0, or -1 said. */
int idm_link_peer_change(struct idm_nl *nl, int add, const struct idm_link_peer *p);
/*
 * The peers of the external link ifindex (0: of every one) into *v, *n
 * (free *v). 0, or -1 said.
 */
int idm_link_peer_dump(struct idm_nl *nl, int ifindex, struct idm_link_peer **v,
		       size_t *n);

/* Name under /run/netns of the namespace with this nsid, as "ip" does. */
int idm_nsid_name(struct idm_nl *nl, int nsid, char *buf, size_t len);

#endif
