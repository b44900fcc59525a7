// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: the load balancer's generic netlink commands: VIP_NEW, VIP_DEL,
 * VIP_SET, BACKEND_NEW, BACKEND_DEL, BACKEND_SET, BACKEND_REPLACE, and
 * the VIP_GET and TABLE_GET dumps. Requests are parsed and checked here, then applied to the VIP
 * table (lb.c) under the namespace's lock; the hooks follow (lb_hook.c).
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <uapi/linux/idmesh.h>

#include "compat.h"
#include "idmesh.h"
#include "lb.h"
#include "sacl.h"
#include "maglev.h"
#include "netlink.h"

static struct netlink_range_validation idm_table_size_range = {
	.min = IDMESH_TABLE_SIZE_MIN,
	.max = IDMESH_TABLE_SIZE_MAX,
};

static struct netlink_range_validation idm_affinity_range = {
	.min = 0,
	.max = IDMESH_AFFINITY_MAX,
};

static const struct nla_policy idm_vip_policy[IDMESH_VIP_A_MAX + 1] = {
	[IDMESH_VIP_A_ADDR4]		= { .type = NLA_BE32 },
	[IDMESH_VIP_A_ADDR6]		= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[IDMESH_VIP_A_PROTO]		= { .type = NLA_U8 },
	[IDMESH_VIP_A_PORT]		= { .type = NLA_U16 },
	[IDMESH_VIP_A_TABLE_SIZE]	= NLA_POLICY_FULL_RANGE(NLA_U32, &idm_table_size_range),
	[IDMESH_VIP_A_MODE]		= NLA_POLICY_RANGE(NLA_U8, IDMESH_VIP_MODE_NAT,
							   IDMESH_VIP_MODE_TUNNEL),
	[IDMESH_VIP_A_AFFINITY]		= NLA_POLICY_FULL_RANGE(NLA_U32, &idm_affinity_range),
};

static struct netlink_range_validation idm_weight_range = {
	.min = 0,
	.max = IDMESH_WEIGHT_MAX,
};

static const struct nla_policy idm_backend_policy[IDMESH_BACKEND_A_MAX + 1] = {
	[IDMESH_BACKEND_A_ADDR4]	= { .type = NLA_BE32 },
	[IDMESH_BACKEND_A_ADDR6]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[IDMESH_BACKEND_A_PORT]		= { .type = NLA_U16 },
	[IDMESH_BACKEND_A_WEIGHT]	= NLA_POLICY_FULL_RANGE(NLA_U32, &idm_weight_range),
};

/* A VIP alone (vip new/del, dumps), or a VIP and one backend. */
const struct nla_policy idm_vip_req_policy[IDMESH_A_MAX + 1] = {
	[IDMESH_A_VIP]	= NLA_POLICY_NESTED(idm_vip_policy),
};

const struct nla_policy idm_backend_req_policy[IDMESH_A_MAX + 1] = {
	[IDMESH_A_VIP]		= NLA_POLICY_NESTED(idm_vip_policy),
	[IDMESH_A_BACKEND]	= NLA_POLICY_NESTED(idm_backend_policy),
};

/* A VIP's or a backend's address: one, unicast. */
static int idm_parse_addr(struct nlattr *a4, struct nlattr *a6,
			  struct idm_id *id, struct nlattr *nest,
			  struct netlink_ext_ack *extack)
{
	struct in6_addr a;
	int family;

	memset(&id->addr, 0, sizeof(id->addr));
	family = idm_nl_addr(a4, a6, &a, extack);
	if (family < 0)
		return family;
	if (!family) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "An address is required");
		return -EINVAL;
	}
	id->family = family;
	if (family == AF_INET) {
		id->addr.ip = a.s6_addr32[3];
		if (ipv4_is_multicast(id->addr.ip) ||
		    ipv4_is_lbcast(id->addr.ip) ||
		    ipv4_is_zeronet(id->addr.ip)) {
			NL_SET_ERR_MSG_ATTR(extack, a4,
					    "Address must be a unicast address");
			return -EINVAL;
		}
	} else {
		id->addr.in6 = a;
		if (ipv6_addr_any(&id->addr.in6) ||
		    ipv6_addr_is_multicast(&id->addr.in6)) {
			NL_SET_ERR_MSG_ATTR(extack, a6,
					    "Address must be a unicast address");
			return -EINVAL;
		}
	}
	return 0;
}

/* What a request does with the VIP it names. */
enum idm_vip_use {
	IDM_VIP_NAMED,		/* names it: nothing else may be given */
	IDM_VIP_NEW,		/* adds it: table size, mode, affinity too */
	IDM_VIP_SET,		/* changes it: affinity too */
};

/*
 * The VIP named by IDMESH_A_VIP: address, protocol, port, and what use
 * allows besides (the caller reads it).
 */
static int idm_parse_vip(struct genl_info *info, struct nlattr **tb,
			 struct idm_id *id, enum idm_vip_use use)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *nest = info->attrs[IDMESH_A_VIP];
	int err;

	if (!nest) {
		NL_SET_ERR_MSG(extack, "Missing the VIP (IDMESH_A_VIP)");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, IDMESH_VIP_A_MAX, nest, idm_vip_policy,
			       extack);
	if (err)
		return err;
	err = idm_parse_addr(tb[IDMESH_VIP_A_ADDR4], tb[IDMESH_VIP_A_ADDR6],
			     id, nest, extack);
	if (err)
		return err;
	if (!tb[IDMESH_VIP_A_PROTO]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "A VIP needs a protocol: tcp, udp or sctp");
		return -EINVAL;
	}
	id->proto = nla_get_u8(tb[IDMESH_VIP_A_PROTO]);
	if (id->proto != IPPROTO_TCP && id->proto != IPPROTO_UDP &&
	    id->proto != IPPROTO_SCTP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IDMESH_VIP_A_PROTO],
				    "Protocol must be tcp, udp or sctp");
		return -EINVAL;
	}
	id->port = tb[IDMESH_VIP_A_PORT] ?
		   htons(nla_get_u16(tb[IDMESH_VIP_A_PORT])) : 0;
	if (use != IDM_VIP_NEW &&
	    (tb[IDMESH_VIP_A_TABLE_SIZE] || tb[IDMESH_VIP_A_MODE])) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IDMESH_VIP_A_TABLE_SIZE] ?:
				    tb[IDMESH_VIP_A_MODE],
				    "Table size and mode are set when the VIP is added");
		return -EINVAL;
	}
	if (use == IDM_VIP_NAMED && tb[IDMESH_VIP_A_AFFINITY]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IDMESH_VIP_A_AFFINITY],
				    "Affinity is set when the VIP is added or changed");
		return -EINVAL;
	}
	if (use == IDM_VIP_SET && !tb[IDMESH_VIP_A_AFFINITY]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "Nothing to change: give the affinity");
		return -EINVAL;
	}
	return 0;
}

/* A backend nest (IDMESH_A_BACKEND) of the VIP: address and port. */
static int idm_parse_backend(struct genl_info *info, struct nlattr *nest,
			     struct nlattr **tb, struct idm_id *id,
			     const struct idm_vip *vip)
{
	struct netlink_ext_ack *extack = info->extack;
	int err;

	if (!nest) {
		NL_SET_ERR_MSG(extack,
			       "Missing the backend (IDMESH_A_BACKEND)");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, IDMESH_BACKEND_A_MAX, nest,
			       idm_backend_policy, extack);
	if (err)
		return err;
	err = idm_parse_addr(tb[IDMESH_BACKEND_A_ADDR4],
			     tb[IDMESH_BACKEND_A_ADDR6], id, nest, extack);
	if (err)
		return err;
	if (id->family == AF_INET && vip->family != AF_INET) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IDMESH_BACKEND_A_ADDR4],
				    "IPv4 backend for an IPv6 VIP");
		return -EINVAL;
	}
	if (id->family == AF_INET6 && vip->family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IDMESH_BACKEND_A_ADDR6],
				    "IPv6 backend for an IPv4 VIP");
		return -EINVAL;
	}
	id->proto = vip->proto;
	id->port = tb[IDMESH_BACKEND_A_PORT] ?
		   htons(nla_get_u16(tb[IDMESH_BACKEND_A_PORT])) : 0;
	return 0;
}

int idm_nl_vip_new(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct idm_net *in = idm_pernet(net);
	struct nlattr *tb[IDMESH_VIP_A_MAX + 1];
	struct idm_lb *lb = &in->lb;
	struct idm_vip *vip;
	struct idm_id id;
	u32 table_size;
	int err;

	err = idm_parse_vip(info, tb, &id, IDM_VIP_NEW);
	if (err)
		return err;
	table_size = tb[IDMESH_VIP_A_TABLE_SIZE] ?
		     nla_get_u32(tb[IDMESH_VIP_A_TABLE_SIZE]) :
		     IDMESH_TABLE_SIZE_DEFAULT;
	if (!idm_is_prime(table_size)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[IDMESH_VIP_A_TABLE_SIZE],
				    "Table size must be a prime number");
		return -EINVAL;
	}

	mutex_lock(&in->lock);
	if (idm_vip_find(lb, id.family, &id.addr, id.proto, id.port)) {
		NL_SET_ERR_MSG(info->extack, "VIP already exists");
		err = -EEXIST;
		goto out;
	}
	vip = idm_vip_add(lb, &id, tb[IDMESH_VIP_A_MODE] ?
			  nla_get_u8(tb[IDMESH_VIP_A_MODE]) :
			  IDMESH_VIP_MODE_NAT, table_size);
	if (IS_ERR(vip)) {
		err = PTR_ERR(vip);
		goto out;
	}
	if (tb[IDMESH_VIP_A_AFFINITY])
		idm_vip_set_affinity(lb, vip,
				     nla_get_u32(tb[IDMESH_VIP_A_AFFINITY]));
	err = idm_lb_hooks_sync(net, lb, info->extack);
	/* SACL's pairs leave the work to its hook beside VIPs. */
	if (!err)
		err = idm_sacl_hooks_sync(net, &in->sacl, info->extack);
	if (err) {
		idm_vip_remove(&in->lb, vip);
		idm_lb_hooks_sync(net, lb, NULL);
	} else {
		idm_lb_health_start(lb);
	}
out:
	mutex_unlock(&in->lock);
	return err;
}

/* The VIP the request names for use, its nest parsed in tb (in->lock). */
static struct idm_vip *idm_vip_use_locked(struct genl_info *info,
					  struct idm_lb *lb,
					  enum idm_vip_use use,
					  struct nlattr **tb, int *err)
{
	struct idm_vip *vip;
	struct idm_id id;

	*err = idm_parse_vip(info, tb, &id, use);
	if (*err)
		return NULL;
	vip = idm_vip_find(lb, id.family, &id.addr, id.proto, id.port);
	if (!vip) {
		NL_SET_ERR_MSG(info->extack, "No such VIP");
		*err = -ENOENT;
	}
	return vip;
}

static struct idm_vip *idm_vip_get_locked(struct genl_info *info,
					  struct idm_lb *lb, int *err)
{
	struct nlattr *tb[IDMESH_VIP_A_MAX + 1];

	return idm_vip_use_locked(info, lb, IDM_VIP_NAMED, tb, err);
}

int idm_nl_vip_set(struct sk_buff *skb, struct genl_info *info)
{
	struct idm_net *in = idm_pernet(genl_info_net(info));
	struct nlattr *tb[IDMESH_VIP_A_MAX + 1];
	struct idm_vip *vip;
	int err;

	mutex_lock(&in->lock);
	vip = idm_vip_use_locked(info, &in->lb, IDM_VIP_SET, tb, &err);
	if (vip)
		idm_vip_set_affinity(&in->lb, vip,
				     nla_get_u32(tb[IDMESH_VIP_A_AFFINITY]));
	mutex_unlock(&in->lock);
	return err;
}

int idm_nl_vip_del(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct idm_net *in = idm_pernet(net);
	struct idm_vip *vip;
	int err;

	mutex_lock(&in->lock);
	vip = idm_vip_get_locked(info, &in->lb, &err);
	if (vip) {
		idm_vip_remove(&in->lb, vip);
		idm_lb_hooks_sync(net, &in->lb, NULL);
		idm_sacl_hooks_sync(net, &in->sacl, NULL);
	}
	mutex_unlock(&in->lock);
	return err;
}

int idm_nl_backend_new(struct sk_buff *skb, struct genl_info *info)
{
	struct idm_net *in = idm_pernet(genl_info_net(info));
	struct nlattr *tb[IDMESH_BACKEND_A_MAX + 1];
	struct idm_vip *vip;
	struct idm_id id;
	int err;

	mutex_lock(&in->lock);
	vip = idm_vip_get_locked(info, &in->lb, &err);
	if (!vip)
		goto out;
	err = idm_parse_backend(info, info->attrs[IDMESH_A_BACKEND], tb, &id,
				vip);
	if (err)
		goto out;
	if (idm_backend_find(vip, &id)) {
		NL_SET_ERR_MSG(info->extack,
			       "Backend already exists for this VIP");
		err = -EEXIST;
		goto out;
	}
	if (vip->nbackends >= IDMESH_BACKENDS_MAX) {
		NL_SET_ERR_MSG(info->extack, "Too many backends for one VIP");
		err = -ENOSPC;
		goto out;
	}
	if (vip->nbackends >= vip->table_size) {
		NL_SET_ERR_MSG(info->extack,
			       "Table size is too small for more backends");
		err = -ENOSPC;
		goto out;
	}
	err = idm_backend_add(&in->lb, vip, &id, tb[IDMESH_BACKEND_A_WEIGHT] ?
			      nla_get_u32(tb[IDMESH_BACKEND_A_WEIGHT]) :
			      IDMESH_WEIGHT_DEFAULT);
	/* Can it be reached? Checked now, not at the next round. */
	if (!err)
		idm_lb_health_start(&in->lb);
out:
	mutex_unlock(&in->lock);
	return err;
}

static struct idm_backend *idm_backend_get_locked(struct genl_info *info,
						  struct idm_lb *lb,
						  struct nlattr **tb,
						  struct idm_vip **vipp,
						  int *err)
{
	struct idm_backend *be;
	struct idm_id id;

	*vipp = idm_vip_get_locked(info, lb, err);
	if (!*vipp)
		return NULL;
	*err = idm_parse_backend(info, info->attrs[IDMESH_A_BACKEND], tb, &id,
				 *vipp);
	if (*err)
		return NULL;
	be = idm_backend_find(*vipp, &id);
	if (!be) {
		NL_SET_ERR_MSG(info->extack, "No such backend for this VIP");
		*err = -ENOENT;
	}
	return be;
}

static int idm_backends_parse(struct genl_info *info, struct idm_vip *vip,
			      struct idm_backend_spec **setp, unsigned int *np)
{
	/* The request's attributes: its backend nests are repeated. */
	struct nlattr *head = nlmsg_attrdata(info->nlhdr, GENL_HDRLEN);
	int len = nlmsg_attrlen(info->nlhdr, GENL_HDRLEN), rem, err;
	struct nlattr *tb[IDMESH_BACKEND_A_MAX + 1], *a;
	struct idm_backend_spec *set;
	unsigned int n = 0;

	nla_for_each_attr(a, head, len, rem)
		n += nla_type(a) == IDMESH_A_BACKEND;
	if (n > IDMESH_BACKENDS_MAX) {
		NL_SET_ERR_MSG(info->extack, "Too many backends for one VIP");
		return -ENOSPC;
	}
	if (n > vip->table_size) {
		NL_SET_ERR_MSG(info->extack,
			       "Table size is too small for more backends");
		return -ENOSPC;
	}
	set = kvcalloc(n ?: 1, sizeof(*set), GFP_KERNEL);
	if (!set)
		return -ENOMEM;
	n = 0;
	nla_for_each_attr(a, head, len, rem) {
		if (nla_type(a) != IDMESH_A_BACKEND)
			continue;
		err = idm_parse_backend(info, a, tb, &set[n].id, vip);
		if (err) {
			kvfree(set);
			return err;
		}
		set[n++].weight = tb[IDMESH_BACKEND_A_WEIGHT] ?
				  nla_get_u32(tb[IDMESH_BACKEND_A_WEIGHT]) :
				  IDMESH_WEIGHT_DEFAULT;
	}
	*setp = set;
	*np = n;
	return 0;
}

int idm_nl_backend_replace(struct sk_buff *skb, struct genl_info *info)
{
	struct idm_net *in = idm_pernet(genl_info_net(info));
	struct idm_backend_spec *set = NULL;
	struct idm_vip *vip;
	unsigned int n;
	int err;

	mutex_lock(&in->lock);
	vip = idm_vip_get_locked(info, &in->lb, &err);
	if (vip)
		err = idm_backends_parse(info, vip, &set, &n);
	if (vip && !err)
		err = idm_backends_replace(&in->lb, vip, set, n, info->extack);
	if (vip && !err)
		idm_lb_health_start(&in->lb);
	mutex_unlock(&in->lock);
	kvfree(set);
	return err;
}

int idm_nl_backend_del(struct sk_buff *skb, struct genl_info *info)
{
	struct idm_net *in = idm_pernet(genl_info_net(info));
	struct nlattr *tb[IDMESH_BACKEND_A_MAX + 1];
	struct idm_backend *be;
	struct idm_vip *vip;
	int err;

	mutex_lock(&in->lock);
	be = idm_backend_get_locked(info, &in->lb, tb, &vip, &err);
	if (!be)
		goto out;
	if (tb[IDMESH_BACKEND_A_WEIGHT]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[IDMESH_BACKEND_A_WEIGHT],
				    "A weight is not taken when deleting");
		err = -EINVAL;
		goto out;
	}
	err = idm_backend_remove(&in->lb, vip, be);
out:
	mutex_unlock(&in->lock);
	return err;
}

int idm_nl_backend_set(struct sk_buff *skb, struct genl_info *info)
{
	struct idm_net *in = idm_pernet(genl_info_net(info));
	struct nlattr *tb[IDMESH_BACKEND_A_MAX + 1];
	struct idm_backend *be;
	struct idm_vip *vip;
	u32 weight;
	int err;

	mutex_lock(&in->lock);
	be = idm_backend_get_locked(info, &in->lb, tb, &vip, &err);
	if (!be)
		goto out;
	if (!tb[IDMESH_BACKEND_A_WEIGHT]) {
		NL_SET_ERR_MSG(info->extack, "Nothing to set: give a weight");
		err = -EINVAL;
		goto out;
	}
	weight = nla_get_u32(tb[IDMESH_BACKEND_A_WEIGHT]);
	err = idm_backend_set_weight(&in->lb, vip, be, weight);
out:
	mutex_unlock(&in->lock);
	return err;
}

static void idm_stats_sum(struct idm_lb_stats __percpu *pcpu,
			  u64 *packets, u64 *bytes, u64 *no_backend,
			  u64 *no_route)
{
	int cpu;

	*packets = *bytes = *no_backend = *no_route = 0;
	for_each_possible_cpu(cpu) {
		const struct idm_lb_stats *s = per_cpu_ptr(pcpu, cpu);
		u64 p, b, nb, nr;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			p = u64_stats_read(&s->packets);
			b = u64_stats_read(&s->bytes);
			nb = u64_stats_read(&s->no_backend);
			nr = u64_stats_read(&s->no_route);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		*packets += p;
		*bytes += b;
		*no_backend += nb;
		*no_route += nr;
	}
}

static int idm_put_addr(struct sk_buff *skb, int a4, int a6, u8 family,
			const union nf_inet_addr *addr)
{
	if (family == AF_INET)
		return nla_put_in_addr(skb, a4, addr->ip);
	return nla_put_in6_addr(skb, a6, &addr->in6);
}

static int idm_fill_vip_id(struct sk_buff *skb, const struct idm_vip *vip)
{
	if (idm_put_addr(skb, IDMESH_VIP_A_ADDR4, IDMESH_VIP_A_ADDR6,
			 vip->family, &vip->addr) ||
	    nla_put_u8(skb, IDMESH_VIP_A_PROTO, vip->proto) ||
	    nla_put_u16(skb, IDMESH_VIP_A_PORT, ntohs(vip->port)) ||
	    nla_put_u32(skb, IDMESH_VIP_A_TABLE_SIZE, vip->table_size) ||
	    nla_put_u8(skb, IDMESH_VIP_A_MODE, vip->mode))
		return -EMSGSIZE;
	return 0;
}

static int idm_fill_backend(struct sk_buff *skb, const struct idm_vip *vip,
			    const struct idm_backend *be, const u32 *slots)
{
	u64 packets, bytes, nb, nr;
	struct nlattr *nest;

	nest = nla_nest_start(skb, IDMESH_VIP_A_BACKEND);
	if (!nest)
		return -EMSGSIZE;
	idm_stats_sum(be->stats, &packets, &bytes, &nb, &nr);
	if (idm_put_addr(skb, IDMESH_BACKEND_A_ADDR4, IDMESH_BACKEND_A_ADDR6,
			 vip->family, &be->addr) ||
	    nla_put_u16(skb, IDMESH_BACKEND_A_PORT, ntohs(be->port)) ||
	    nla_put_u32(skb, IDMESH_BACKEND_A_WEIGHT, be->weight) ||
	    nla_put_u32(skb, IDMESH_BACKEND_A_INDEX, be->index) ||
	    (slots && nla_put_u32(skb, IDMESH_BACKEND_A_SLOTS,
				  slots[be->index])) ||
	    nla_put_u64_64bit(skb, IDMESH_BACKEND_A_PACKETS, packets,
			      IDMESH_BACKEND_A_PAD) ||
	    nla_put_u64_64bit(skb, IDMESH_BACKEND_A_BYTES, bytes,
			      IDMESH_BACKEND_A_PAD) ||
	    nla_put_u32(skb, IDMESH_BACKEND_A_FLOWS,
			atomic_read(&be->flows)) ||
	    nla_put_u8(skb, IDMESH_BACKEND_A_DOWN, be->down) ||
	    nla_put_u32(skb, IDMESH_BACKEND_A_DOWNS, be->downs)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * One message of a VIP: its identity and counters, then its backends from
 * *pos on, as many as fit. Returns 0 when all were put.
 */
static int idm_fill_vip(struct sk_buff *skb, struct netlink_callback *cb,
			const struct genl_family *family,
			struct idm_vip *vip, long *pos, const u32 *slots)
{
	u64 packets, bytes, nb, nr;
	struct idm_backend *be;
	struct nlattr *nest;
	long i = 0, start = *pos;
	void *hdr;
	int err = 0;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  family, NLM_F_MULTI, IDMESH_CMD_VIP_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, IDMESH_A_VIP);
	if (!nest)
		goto cancel;
	idm_stats_sum(vip->stats, &packets, &bytes, &nb, &nr);
	if (idm_fill_vip_id(skb, vip) ||
	    nla_put_u64_64bit(skb, IDMESH_VIP_A_PACKETS, packets,
			      IDMESH_VIP_A_PAD) ||
	    nla_put_u64_64bit(skb, IDMESH_VIP_A_BYTES, bytes,
			      IDMESH_VIP_A_PAD) ||
	    nla_put_u64_64bit(skb, IDMESH_VIP_A_NO_BACKEND, nb,
			      IDMESH_VIP_A_PAD) ||
	    nla_put_u64_64bit(skb, IDMESH_VIP_A_NO_ROUTE, nr,
			      IDMESH_VIP_A_PAD) ||
	    nla_put_u32(skb, IDMESH_VIP_A_FLOWS, atomic_read(&vip->flows)) ||
	    nla_put_u64_64bit(skb, IDMESH_VIP_A_BUILD_NS, vip->build_ns,
			      IDMESH_VIP_A_PAD) ||
	    nla_put_u32(skb, IDMESH_VIP_A_BUILDS, vip->builds) ||
	    nla_put_u32(skb, IDMESH_VIP_A_AFFINITY, READ_ONCE(vip->affinity)) ||
	    nla_put_u32(skb, IDMESH_VIP_A_AFFINITY_CLIENTS,
			atomic_read(&vip->pinned)))
		goto cancel;
	list_for_each_entry(be, &vip->backends, list) {
		if (i++ < start)
			continue;
		err = idm_fill_backend(skb, vip, be, slots);
		if (err) {
			if (*pos == start)
				goto cancel;	/* not even one fits */
			break;
		}
		(*pos)++;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return err;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static struct idm_vip *idm_dump_filter(struct netlink_callback *cb,
				       struct idm_lb *lb, bool *filtered,
				       int *err)
{
	struct nlattr **attrs = idm_dump_attrs(cb);
	struct nlattr *nest = attrs[IDMESH_A_VIP];
	struct nlattr *tb[IDMESH_VIP_A_MAX + 1];
	struct genl_info info = {
		.attrs = attrs,
		.extack = cb->extack,
	};
	struct idm_vip *vip;
	struct idm_id id;

	*filtered = !!nest;
	*err = 0;
	if (!nest)
		return NULL;
	*err = idm_parse_vip(&info, tb, &id, IDM_VIP_NAMED);
	if (*err)
		return NULL;
	vip = idm_vip_find(lb, id.family, &id.addr, id.proto, id.port);
	if (!vip) {
		NL_SET_ERR_MSG(cb->extack, "No such VIP");
		*err = -ENOENT;
	}
	return vip;
}

/* cb->args[0]: VIPs done, [1]: backends of the next VIP done. */
int idm_nl_vip_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct idm_net *in = idm_pernet(sock_net(skb->sk));
	const struct genl_family *family = &idm_genl_family;
	struct idm_vip *vip, *only;
	bool filtered;
	long n = 0;
	int err;

	mutex_lock(&in->lock);
	only = idm_dump_filter(cb, &in->lb, &filtered, &err);
	if (err)
		goto out;
	list_for_each_entry(vip, &in->lb.vips, list) {
		const u32 *slots;

		if (filtered && vip != only)
			continue;
		if (n++ < cb->args[0])
			continue;
		slots = idm_vip_slot_counts(&in->lb, vip);
		err = idm_fill_vip(skb, cb, family, vip, &cb->args[1], slots);
		if (err) {
			/* Not even one VIP fit in an empty buffer: an error. */
			if (!skb->len)
				goto out;
			break;
		}
		cb->args[0]++;
		cb->args[1] = 0;
	}
	err = skb->len;
out:
	mutex_unlock(&in->lock);
	return err;
}

/*
 * The VIP's lookup table: first the VIP and its backends (with the index
 * slots refer to), then the slots in chunks. cb->args[0]: phase (0: VIP
 * and backends, 1: slots), [1]: position, [2]: table generation.
 */
#define IDM_SLOTS_PER_MSG 2048
/* The offset attribute, the slots' header and their alignment. */
#define IDM_SLOTS_OVERHEAD (nla_total_size(sizeof(u32)) + NLA_HDRLEN + NLA_ALIGNTO)

int idm_nl_table_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct idm_net *in = idm_pernet(sock_net(skb->sk));
	const struct genl_family *family = &idm_genl_family;
	struct idm_table *t;
	struct idm_vip *vip;
	bool filtered;
	int err;

	mutex_lock(&in->lock);
	vip = idm_dump_filter(cb, &in->lb, &filtered, &err);
	if (!err && !filtered) {
		NL_SET_ERR_MSG(cb->extack, "Name the VIP whose table to dump");
		err = -EINVAL;
	}
	if (err)
		goto out;
	t = idm_vip_cur_table(&in->lb, vip);
	if (!cb->args[2]) {
		cb->args[2] = t->gen;
	} else if (cb->args[2] != t->gen) {
		NL_SET_ERR_MSG(cb->extack,
			       "The table changed while it was dumped; try again");
		err = -EAGAIN;
		goto out;
	}

	if (cb->args[0] == 0) {
		err = idm_fill_vip(skb, cb, family, vip, &cb->args[1], NULL);
		if (!err) {
			cb->args[0] = 1;
			cb->args[1] = 0;
		}
		goto done;
	}
	while (t->active && cb->args[1] < t->size) {
		u32 off = cb->args[1], cnt, room;
		void *hdr;

		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, family, NLM_F_MULTI,
				  IDMESH_CMD_TABLE_GET);
		if (!hdr)
			break;
		/*
		 * As many slots as this buffer has room for: netlink falls
		 * back to a one-page buffer when a larger one cannot be had,
		 * and a fixed chunk that did not fit ended the dump early.
		 */
		room = skb_tailroom(skb);
		cnt = room > IDM_SLOTS_OVERHEAD ?
		      (room - IDM_SLOTS_OVERHEAD) / sizeof(u16) : 0;
		cnt = min3(cnt, (u32)IDM_SLOTS_PER_MSG, t->size - off);
		if (!cnt) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		if (nla_put_u32(skb, IDMESH_A_TABLE_OFFSET, off) ||
		    nla_put(skb, IDMESH_A_TABLE_SLOTS, cnt * sizeof(u16),
			    &t->slot[off])) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[1] += cnt;
	}
done:
	err = skb->len;
	/* Nothing fit in an empty buffer: an error, not a short table. */
	if (!err && (!cb->args[0] || (t->active && cb->args[1] < t->size)))
		err = -EMSGSIZE;
out:
	mutex_unlock(&in->lock);
	return err;
}
