// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: the SACL gateway's SACL_GET dump: the settings with the
 * namespace's counters, then every entry of each kind (or of the kind the
 * request names) with its own counters, read under the namespace's lock.
 */
#include <linux/kernel.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <uapi/linux/idmesh.h>

#include "compat.h"
#include "idmesh.h"
#include "netlink.h"
#include "sacl.h"

static const u8 idm_sacl_counter_attr[IDM_SC_MAX] = {
	[IDM_SC_TAGGED] = IDMESH_SACL_A_TAGGED,
	[IDM_SC_STRIPPED] = IDMESH_SACL_A_STRIPPED,
	[IDM_SC_REPLIES] = IDMESH_SACL_A_REPLIES,
	[IDM_SC_TRANSIT] = IDMESH_SACL_A_TRANSIT,
	[IDM_SC_NO_CLIENT] = IDMESH_SACL_A_NO_CLIENT,
	[IDM_SC_NO_SERVER] = IDMESH_SACL_A_NO_SERVER,
	[IDM_SC_FORGED] = IDMESH_SACL_A_FORGED,
	[IDM_SC_MALFORMED] = IDMESH_SACL_A_MALFORMED,
	[IDM_SC_TOO_BIG] = IDMESH_SACL_A_TOO_BIG,
	[IDM_SC_NO_ROOM] = IDMESH_SACL_A_NO_ROOM,
	[IDM_SC_MARKED] = IDMESH_SACL_A_MARKED,
	[IDM_SC_DEF_HITS] = IDMESH_SACL_A_HITS,
	[IDM_SC_DEF_DROPS] = IDMESH_SACL_A_DROPS,
	[IDM_SC_UNTRUSTED] = IDMESH_SACL_A_UNTRUSTED,
	[IDM_SC_SPOOFED] = IDMESH_SACL_A_SPOOFED,
	[IDM_SC_UNRELATED] = IDMESH_SACL_A_UNRELATED,
	[IDM_SC_SEGMENTED] = IDMESH_SACL_A_SEGMENTED,
};

static void idm_sacl_sum(struct idm_sacl *sc, u64 *sum)
{
	int cpu, i;

	memset(sum, 0, sizeof(u64) * IDM_SC_MAX);
	for_each_possible_cpu(cpu) {
		const struct idm_sacl_stats *s = per_cpu_ptr(sc->stats, cpu);
		u64 v[IDM_SC_MAX];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < IDM_SC_MAX; i++)
				v[i] = u64_stats_read(&s->c[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < IDM_SC_MAX; i++)
			sum[i] += v[i];
	}
}

/* A rule's port ranges, each a nest; a lone port without its end. */
static int idm_put_ranges(struct sk_buff *skb, const struct idm_sacl_rule *r)
{
	struct nlattr *nest;
	unsigned int i;

	for (i = 0; i < r->nranges; i++) {
		const struct idm_port_range *x = &r->ranges[i];

		nest = nla_nest_start(skb, IDMESH_SACL_A_RANGE);
		if (!nest ||
		    nla_put_u8(skb, IDMESH_SACL_RANGE_A_PROTO, x->proto) ||
		    (!(x->lo == 1 && x->hi == 65535) &&
		     (nla_put_u16(skb, IDMESH_SACL_RANGE_A_PORT, x->lo) ||
		      (x->hi != x->lo &&
		       nla_put_u16(skb, IDMESH_SACL_RANGE_A_PORT_END, x->hi)))))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	return 0;
}

static void idm_rule_sum(const struct idm_sacl_rule *r, u64 *hits, u64 *drops)
{
	int cpu;

	*hits = 0;
	*drops = 0;
	for_each_possible_cpu(cpu) {
		const struct idm_rule_stats *s = per_cpu_ptr(r->stats, cpu);
		unsigned int start;
		u64 h, d;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			h = u64_stats_read(&s->hits);
			d = u64_stats_read(&s->drops);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		*hits += h;
		*drops += d;
	}
}

static int idm_put_u64(struct sk_buff *skb, int type, u64 v)
{
	return nla_put_u64_64bit(skb, type, v, IDMESH_SACL_A_PAD);
}

static int idm_fill_settings(struct sk_buff *skb, struct idm_sacl *sc)
{
	u64 sum[IDM_SC_MAX];
	int i;

	if (nla_put_u8(skb, IDMESH_SACL_A_OPT_TYPE, sc->opt_type) ||
	    nla_put_u8(skb, IDMESH_SACL_A_OPT_TYPE4, sc->opt_type4) ||
	    nla_put_u8(skb, IDMESH_SACL_A_DEFAULT, sc->def_action) ||
	    nla_put_u8(skb, IDMESH_SACL_A_MARKER, sc->marker) ||
	    nla_put_u8(skb, IDMESH_SACL_A_PATH,
		       READ_ONCE(sc->pair_path) ? IDMESH_SACL_PATH_PAIRS :
		       sc->fwd_hooks ? IDMESH_SACL_PATH_HOOK :
		       IDMESH_SACL_PATH_NONE))
		return -EMSGSIZE;
	idm_sacl_sum(sc, sum);
	for (i = 0; i < IDM_SC_MAX; i++)
		if (idm_put_u64(skb, idm_sacl_counter_attr[i], sum[i]))
			return -EMSGSIZE;
	return 0;
}

/* IPv4-mapped addresses are IPv4 entries: ADDR4. */
static int idm_put_addr(struct sk_buff *skb, const struct in6_addr *a)
{
	if (ipv6_addr_v4mapped(a))
		return nla_put_in_addr(skb, IDMESH_SACL_A_ADDR4, a->s6_addr32[3]);
	return nla_put_in6_addr(skb, IDMESH_SACL_A_ADDR6, a);
}

static int idm_fill_entry(struct sk_buff *skb, u8 kind, void *e)
{
	switch (kind) {
	case IDMESH_SACL_KIND_PORT: {
		struct idm_sacl_port *p = e;

		return nla_put_u32(skb, IDMESH_SACL_A_IFINDEX, p->ifindex) ||
		       nla_put_u8(skb, IDMESH_SACL_A_MARKER, p->marker) ||
		       nla_put_u32(skb, IDMESH_SACL_A_FLOWS,
				   READ_ONCE(p->flows.n)) ||
		       idm_put_u64(skb, IDMESH_SACL_A_EVICTED,
				   atomic64_read(&p->flows.evicted));
	}
	case IDMESH_SACL_KIND_CLIENT: {
		struct idm_sacl_client *c = e;

		if (idm_put_u64(skb, IDMESH_SACL_A_ID, c->id))
			return -EMSGSIZE;
		if (nla_put_u32(skb, IDMESH_SACL_A_IFINDEX, c->port))
			return -EMSGSIZE;
		if (c->key.ifindex)
			return nla_put_u8(skb, IDMESH_SACL_A_LID, c->key.lid);
		return idm_put_addr(skb, &c->key.addr);
	}
	case IDMESH_SACL_KIND_SERVER: {
		struct idm_sacl_server *s = e;

		return idm_put_u64(skb, IDMESH_SACL_A_ID, s->id) ||
		       idm_put_addr(skb, &s->key.addr) ||
		       nla_put_u8(skb, IDMESH_SACL_A_PROTO, s->key.proto) ||
		       nla_put_u16(skb, IDMESH_SACL_A_PORT, ntohs(s->key.port));
	}
	case IDMESH_SACL_KIND_PEER: {
		struct idm_sacl_peer *p = e;

		return idm_put_addr(skb, &p->key.addr) ||
		       nla_put_u8(skb, IDMESH_SACL_A_PREFIX_LEN,
				  ipv6_addr_v4mapped(&p->key.addr) ?
				  p->key.plen - 96 : p->key.plen) ||
		       idm_put_u64(skb, IDMESH_SACL_A_ID, p->id);
	}
	case IDMESH_SACL_KIND_TRUST: {
		struct idm_sacl_trust *t = e;

		if (t->ifindex)
			return nla_put_u32(skb, IDMESH_SACL_A_IFINDEX, t->ifindex);
		return idm_put_addr(skb, &t->addr) ||
		       nla_put_u8(skb, IDMESH_SACL_A_PREFIX_LEN,
				  ipv6_addr_v4mapped(&t->addr) ? t->plen - 96 :
								 t->plen);
	}
	default: {
		struct idm_sacl_rule *r = e;
		u64 hits, drops;

		idm_rule_sum(r, &hits, &drops);
		/* A side of 0 bits has no ID (every ID and none). */
		if ((r->key.cbits &&
		     idm_put_u64(skb, IDMESH_SACL_A_CLIENT_ID, r->key.client)) ||
		    (r->key.sbits &&
		     idm_put_u64(skb, IDMESH_SACL_A_SERVER_ID, r->key.server)) ||
		    nla_put_u8(skb, IDMESH_SACL_A_DIRECTION, r->key.dir) ||
		    idm_put_ranges(skb, r) ||
		    nla_put_u8(skb, IDMESH_SACL_A_ACTION, r->action) ||
		    idm_put_u64(skb, IDMESH_SACL_A_HITS, hits) ||
		    idm_put_u64(skb, IDMESH_SACL_A_DROPS, drops))
			return -EMSGSIZE;
		if (r->has_priority &&
		    nla_put_u32(skb, IDMESH_SACL_A_PRIORITY, r->priority))
			return -EMSGSIZE;
		if (r->has_dscp && nla_put_u8(skb, IDMESH_SACL_A_DSCP, r->dscp))
			return -EMSGSIZE;
		if (r->key.cbits < 64 &&
		    nla_put_u8(skb, IDMESH_SACL_A_CLIENT_BITS, r->key.cbits))
			return -EMSGSIZE;
		if (r->key.sbits < 64 &&
		    nla_put_u8(skb, IDMESH_SACL_A_SERVER_BITS, r->key.sbits))
			return -EMSGSIZE;
		return 0;
	}
	}
}

/* One message: the settings (e NULL) or one entry. */
static int idm_sacl_fill(struct sk_buff *skb, struct netlink_callback *cb,
			 struct idm_sacl *sc, u8 kind, void *e)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &idm_genl_family, NLM_F_MULTI,
			  IDMESH_CMD_SACL_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, IDMESH_A_SACL);
	if (!nest || nla_put_u8(skb, IDMESH_SACL_A_KIND, kind))
		goto cancel;
	if (e ? idm_fill_entry(skb, kind, e) : idm_fill_settings(skb, sc))
		goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static struct list_head *idm_sacl_list(struct idm_sacl *sc, u8 kind)
{
	switch (kind) {
	case IDMESH_SACL_KIND_PORT:
		return &sc->ports;
	case IDMESH_SACL_KIND_CLIENT:
		return &sc->clients;
	case IDMESH_SACL_KIND_SERVER:
		return &sc->servers;
	case IDMESH_SACL_KIND_TRUST:
		return &sc->trusts;
	case IDMESH_SACL_KIND_PEER:
		return &sc->peers;
	default:
		return &sc->rules;
	}
}

/* Every entry type starts with its list node at a known offset. */
static void *idm_sacl_entry(struct list_head *pos, u8 kind)
{
	switch (kind) {
	case IDMESH_SACL_KIND_PORT:
		return list_entry(pos, struct idm_sacl_port, list);
	case IDMESH_SACL_KIND_CLIENT:
		return list_entry(pos, struct idm_sacl_client, list);
	case IDMESH_SACL_KIND_SERVER:
		return list_entry(pos, struct idm_sacl_server, list);
	case IDMESH_SACL_KIND_TRUST:
		return list_entry(pos, struct idm_sacl_trust, list);
	case IDMESH_SACL_KIND_PEER:
		return list_entry(pos, struct idm_sacl_peer, list);
	default:
		return list_entry(pos, struct idm_sacl_rule, list);
	}
}

/*
 * cb->args[0]: the kind being dumped (settings first), [1]: entries of
 * it done. A KIND in the request dumps that kind only.
 */
int idm_nl_sacl_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct idm_net *in = idm_pernet(sock_net(skb->sk));
	struct nlattr **attrs = idm_dump_attrs(cb);
	struct nlattr *tb[IDMESH_SACL_A_MAX + 1];
	struct idm_sacl *sc = &in->sacl;
	u8 only = 0, kind;
	int err;

	if (attrs[IDMESH_A_SACL]) {
		err = nla_parse_nested(tb, IDMESH_SACL_A_MAX, attrs[IDMESH_A_SACL],
				       idm_sacl_policy, cb->extack);
		if (err)
			return err;
		for (kind = 1; kind <= IDMESH_SACL_A_MAX; kind++)
			if (tb[kind] && kind != IDMESH_SACL_A_KIND) {
				NL_SET_ERR_MSG_ATTR(cb->extack, tb[kind],
						    "A dump takes only a kind");
				return -EINVAL;
			}
		if (tb[IDMESH_SACL_A_KIND])
			only = nla_get_u8(tb[IDMESH_SACL_A_KIND]);
	}
	if (!cb->args[0])
		cb->args[0] = only ?: IDMESH_SACL_KIND_SETTINGS;

	mutex_lock(&in->lock);
	for (kind = cb->args[0]; kind <= IDMESH_SACL_KIND_PEER; kind++) {
		struct list_head *pos;
		long n = 0;

		if (only && kind != only)
			break;
		cb->args[0] = kind;
		if (kind == IDMESH_SACL_KIND_SETTINGS) {
			if (idm_sacl_fill(skb, cb, sc, kind, NULL))
				goto out;
			continue;
		}
		list_for_each(pos, idm_sacl_list(sc, kind)) {
			if (n++ < cb->args[1])
				continue;
			if (idm_sacl_fill(skb, cb, sc, kind,
					  idm_sacl_entry(pos, kind)))
				goto out;
			cb->args[1]++;
		}
		cb->args[1] = 0;
	}
	cb->args[0] = IDMESH_SACL_KIND_PEER + 1;
out:
	mutex_unlock(&in->lock);
	return skb->len;
}
