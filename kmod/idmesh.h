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

/* Capabilities of this build, reported by IDMESH_CMD_VERSION_GET. */
extern const char * const idm_features[];
extern const unsigned int idm_n_features;

struct sk_buff;
struct nlattr;
struct netlink_ext_ack;

int idm_fill_version(struct sk_buff *skb);
int idm_fill_config(struct sk_buff *skb, const struct idm_net *in);
int idm_config_apply(struct idm_net *in, struct nlattr **attrs,
		     struct netlink_ext_ack *extack);

int idm_fill_stats(struct sk_buff *skb, const struct idm_net *in);

extern struct genl_family idm_genl_family;

int idm_link_init(void);
void idm_link_exit(void);
int idm_genl_init(void);
void idm_genl_exit(void);

#endif /* _IDMESH_H */
