/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmesh: internal declarations shared by the module's files.
 */
#ifndef _IDMESH_H
#define _IDMESH_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "flow.h"
#include "lb.h"
#include "sacl.h"

/* Per network namespace state. */
struct idm_net {
	struct net *net;		/* the namespace this is of */
	/* Serialises configuration changes in this namespace. */
	struct mutex lock;
	/* Remote links' UDP sockets and the links themselves; RTNL. */
	struct list_head socks;
	struct list_head remote_links;
	/* Encapsulated packets no link claimed. */
	atomic64_t rx_unknown_id;
	atomic64_t rx_malformed;
	/* Flows of the load balancer and of the SACL gateway. */
	struct idm_flow_table flows;
	/* Maglev load balancer: VIPs and backends. */
	struct idm_lb lb;
	/* SACL identity gateway: ports, clients, servers, rules. */
	struct idm_sacl sacl;
};

extern unsigned int idm_net_id;

static inline struct idm_net *idm_pernet(const struct net *net)
{
	return net_generic(net, idm_net_id);
}

int idm_link_init(void);
void idm_link_exit(void);
int idm_genl_init(void);
void idm_genl_exit(void);

#endif /* _IDMESH_H */
