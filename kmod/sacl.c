// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: the SACL gateway's tables, per namespace: ports, clients,
 * servers, rules (and the prefix lengths they use), trusted sources.
 * Changes take the namespace's config mutex (the netlink layer holds it
 * and checks requests first); the packet path reads the tables under RCU
 * (rhashtables, an RCU hash of ports, published arrays) and entries are
 * freed after a grace period.
 */
#include <linux/kernel.h>
#include <linux/hash.h>
#include <linux/rhashtable.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/netdevice.h>
#include <linux/in.h>
#include <net/netlink.h>
#include <net/ipv6.h>
#include <uapi/linux/idmesh.h>

#include "compat.h"
#include "idmesh.h"
#include "sacl.h"

static const struct rhashtable_params idm_client_params = {
	.head_offset = offsetof(struct idm_sacl_client, node),
	.key_offset = offsetof(struct idm_sacl_client, key),
	.key_len = sizeof(struct idm_client_key),
	.automatic_shrinking = true,
};

static const struct rhashtable_params idm_server_params = {
	.head_offset = offsetof(struct idm_sacl_server, node),
	.key_offset = offsetof(struct idm_sacl_server, key),
	.key_len = sizeof(struct idm_server_key),
	.automatic_shrinking = true,
};

static const struct rhashtable_params idm_peer_params = {
	.head_offset = offsetof(struct idm_sacl_peer, node),
	.key_offset = offsetof(struct idm_sacl_peer, key),
	.key_len = sizeof(struct idm_peer_key),
	.automatic_shrinking = true,
};

static const struct rhashtable_params idm_rule_params = {
	.head_offset = offsetof(struct idm_sacl_rule, node),
	.key_offset = offsetof(struct idm_sacl_rule, key),
	.key_len = sizeof(struct idm_rule_key),
	.automatic_shrinking = true,
};

/*
 * A rule came or went (in->lock): flows' cached rules are stale. Before
 * a removed rule's grace period starts, so that a packet that still sees
 * the old generation is one the grace period waits for.
 */
static void idm_sacl_rules_changed(struct idm_sacl *sc)
{
	unsigned long g = sc->rule_gen + 1;

	if (g == IDM_RULE_GEN_BUSY || !g)
		g = 1;
	/*
	 * Pairs with the acquire in idm_sacl_conn_rule(): a packet that
	 * sees the new generation looks the rule up in the tables as they
	 * are now, never caching a removed rule under it.
	 */
	smp_store_release(&sc->rule_gen, g);
}

/*
 * A client or server entry went (in->lock): connections' IDs are stale.
 * Before the entry's grace period, as for rules.
 */
static void idm_sacl_ids_changed(struct idm_sacl *sc)
{
	unsigned long g = sc->id_gen + 1;

	/* Pairs with the acquire in the hook: the entry is gone by then. */
	smp_store_release(&sc->id_gen, g ?: 1);
}

/*
 * A client or server entry came or went (in->lock): what a port may send
 * from, or the IDs a packet would get, changed. After the entry (and its
 * port's count of addresses).
 */
static void idm_sacl_tables_changed(struct idm_sacl *sc)
{
	unsigned long g = sc->tables_gen + 1;

	/* Pairs with the acquire in idm_sacl_from_port(): entry in or gone. */
	smp_store_release(&sc->tables_gen, g ?: 1);
}

/* Read locklessly by the packet path; changed under in->lock. */
static void idm_sacl_nrules_add(struct idm_sacl *sc,
				const struct idm_sacl_rule *r, int d)
{
	if (r->key.dir == IDMESH_SACL_EGRESS)
		WRITE_ONCE(sc->negress, sc->negress + d);
	WRITE_ONCE(sc->nrules, sc->nrules + d);
	idm_sacl_rules_changed(sc);
}

/* Lookups: packet path under RCU, or under in->lock. */

struct idm_sacl_port *idm_sacl_port_find(struct idm_sacl *sc, u32 ifindex)
{
	struct idm_sacl_port *p;

	hlist_for_each_entry_rcu(p, &sc->port_hash[hash_32(ifindex,
							   IDM_PORT_HASH_BITS)],
				 hnode, lockdep_is_held(sc->lock))
		if (p->ifindex == ifindex)
			return p;
	return NULL;
}

struct idm_sacl_client *idm_sacl_client_find(struct idm_sacl *sc,
					     const struct idm_client_key *k)
{
	return rhashtable_lookup_fast(&sc->client_ht, k, idm_client_params);
}

struct idm_sacl_client *idm_sacl_client_find_addr(struct idm_sacl *sc,
						  const struct in6_addr *addr)
{
	struct idm_client_key k = { .addr = *addr };

	return idm_sacl_client_find(sc, &k);
}

bool idm_sacl_spoofed(struct idm_sacl *sc, const struct idm_sacl_port *port,
		      const struct in6_addr *src, const struct idm_sacl_client **client)
{
	const struct idm_sacl_client *c = idm_sacl_client_find_addr(sc, src);

	*client = c;
	if (c)
		return c->port != port->ifindex;
	return READ_ONCE(port->naddrs[!ipv6_addr_v4mapped(src)]) != 0;
}

/* The client's ID by marker port and LID (lid >= 0), else by address. */
u64 idm_sacl_client_id(struct idm_sacl *sc, const struct idm_sacl_client *client,
		       const struct idm_sacl_port *port, int lid)
{
	if (lid >= 0) {
		struct idm_client_key k = { .ifindex = port->ifindex,
					    .lid = lid };
		struct idm_sacl_client *c = idm_sacl_client_find(sc, &k);

		if (c)
			return c->id;
	}
	return client && client->port == port->ifindex ? client->id : 0;
}

struct idm_sacl_server *idm_sacl_server_find(struct idm_sacl *sc,
					     const struct idm_server_key *k)
{
	return rhashtable_lookup_fast(&sc->server_ht, k, idm_server_params);
}

/* Most specific first: (addr, proto, port), (addr, proto), (addr). */
u64 idm_sacl_server_id(struct idm_sacl *sc, const struct in6_addr *addr,
		       u8 proto, __be16 port)
{
	struct idm_server_key k = { .addr = *addr, .proto = proto,
				    .port = port };
	struct idm_sacl_server *s;

	s = idm_sacl_server_find(sc, &k);
	if (!s && port) {
		k.port = 0;
		s = idm_sacl_server_find(sc, &k);
	}
	if (!s && proto) {
		k.proto = 0;
		k.port = 0;
		s = idm_sacl_server_find(sc, &k);
	}
	return s ? s->id : 0;
}

/* The rule with exactly this key (in->lock, or RCU). */
struct idm_sacl_rule *idm_sacl_rule_find_key(struct idm_sacl *sc,
					     const struct idm_rule_key *k)
{
	return rhashtable_lookup_fast(&sc->rule_ht, k, idm_rule_params);
}

/*
 * The rule for a packet's IDs (RCU): the most specific of those that
 * cover them, one lookup per prefix-length pair in use.
 */
struct idm_sacl_rule *idm_sacl_rule_find(struct idm_sacl *sc, u8 dir,
					 u64 client, u64 server, u8 proto,
					 u16 port)
{
	const struct idm_rule_prefixes *ps = rcu_dereference(sc->prefixes);
	struct idm_rule_key k;
	struct idm_sacl_rule *r;
	unsigned int i;

	if (!ps)
		return NULL;
	memset(&k, 0, sizeof(k));
	k.dir = dir;
	for (i = 0; i < ps->n; i++) {
		k.cbits = ps->p[i].cbits;
		k.sbits = ps->p[i].sbits;
		/* No ID is in no group but that of every ID. */
		if ((!client && k.cbits) || (!server && k.sbits))
			continue;
		k.client = client & idm_prefix_mask(k.cbits);
		k.server = server & idm_prefix_mask(k.sbits);
		r = idm_sacl_rule_find_key(sc, &k);
		/* A rule that does not apply leaves it to a wider one. */
		if (r && idm_ranges_cover(r->ranges, r->nranges, proto, port))
			return r;
	}
	return NULL;
}

/* More specific: more bits in all, then more client bits. */
static bool idm_prefix_before(u8 ca, u8 sa, u8 cb, u8 sb)
{
	if (ca + sa != cb + sb)
		return ca + sa > cb + sb;
	return ca > cb;
}

/* Publish the prefix-length pairs in use (in->lock). */
static int idm_prefixes_publish(struct idm_sacl *sc)
{
	struct idm_rule_prefixes *ps = NULL, *old;
	unsigned int i, j;

	if (sc->nprefix_refs) {
		ps = kzalloc(sizeof(*ps), GFP_KERNEL_ACCOUNT);
		if (!ps)
			return -ENOMEM;
		for (i = 0; i < sc->nprefix_refs; i++) {
			u8 c = sc->prefix_refs[i].cbits, s = sc->prefix_refs[i].sbits;

			for (j = ps->n; j > 0 &&
			     idm_prefix_before(c, s, ps->p[j - 1].cbits,
					       ps->p[j - 1].sbits); j--)
				ps->p[j] = ps->p[j - 1];
			ps->p[j].cbits = c;
			ps->p[j].sbits = s;
			ps->n++;
		}
	}
	old = rcu_replace_pointer(sc->prefixes, ps,
				  lockdep_is_held(sc->lock));
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

/* A rule with these prefix lengths comes (get) or goes (put). */
static int idm_prefix_get(struct idm_sacl *sc, const struct idm_rule_key *k,
			  struct netlink_ext_ack *extack)
{
	unsigned int i, n = sc->nprefix_refs;
	int err;

	for (i = 0; i < n; i++)
		if (sc->prefix_refs[i].cbits == k->cbits &&
		    sc->prefix_refs[i].sbits == k->sbits) {
			sc->prefix_refs[i].rules++;
			return 0;
		}
	if (n == IDMESH_SACL_PREFIXES_MAX) {
		NL_SET_ERR_MSG(extack, "Too many different prefix lengths among the rules");
		return -ENOSPC;
	}
	sc->prefix_refs[n].cbits = k->cbits;
	sc->prefix_refs[n].sbits = k->sbits;
	sc->prefix_refs[n].rules = 1;
	sc->nprefix_refs++;
	err = idm_prefixes_publish(sc);
	if (err)
		sc->nprefix_refs--;
	return err;
}

static void idm_prefix_put(struct idm_sacl *sc, const struct idm_rule_key *k)
{
	unsigned int i;

	for (i = 0; i < sc->nprefix_refs; i++) {
		if (sc->prefix_refs[i].cbits != k->cbits ||
		    sc->prefix_refs[i].sbits != k->sbits)
			continue;
		if (--sc->prefix_refs[i].rules)
			return;
		sc->prefix_refs[i] = sc->prefix_refs[--sc->nprefix_refs];
		/*
		 * Without memory for a smaller list, the old one stays: it
		 * only costs a lookup that finds nothing.
		 */
		idm_prefixes_publish(sc);
		return;
	}
}

static void idm_rule_free(struct idm_sacl_rule *r)
{
	free_percpu(r->stats);
	kfree(r->ranges);
	kfree(r);
}

static void idm_rule_free_rcu(struct rcu_head *head)
{
	idm_rule_free(container_of(head, struct idm_sacl_rule, rcu));
}

/* Publish the trusted sources for the packet path (in->lock). */
static int idm_trust_publish(struct idm_sacl *sc)
{
	struct idm_trust_set *ts = NULL, *old;
	struct idm_sacl_trust *t;
	unsigned int n = 0;

	if (sc->ntrusts) {
		ts = kzalloc(struct_size(ts, e, sc->ntrusts), GFP_KERNEL_ACCOUNT);
		if (!ts)
			return -ENOMEM;
		list_for_each_entry(t, &sc->trusts, list) {
			ts->e[n].ifindex = t->ifindex;
			ts->e[n].addr = t->addr;
			ts->e[n].plen = t->plen;
			n++;
		}
		ts->n = n;
	}
	old = rcu_replace_pointer(sc->trust, ts,
				  lockdep_is_held(sc->lock));
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

struct idm_sacl_trust *idm_sacl_trust_find(struct idm_sacl *sc,
					   const struct idm_sacl_trust *k)
{
	struct idm_sacl_trust *t;

	list_for_each_entry(t, &sc->trusts, list)
		if (t->ifindex == k->ifindex && t->plen == k->plen &&
		    ipv6_addr_equal(&t->addr, &k->addr))
			return t;
	return NULL;
}

/*
 * Forget a trusted source. Without memory for the smaller set, the old
 * one stays published: it still names the source, so this fails.
 */
int idm_sacl_trust_remove(struct idm_sacl *sc, struct idm_sacl_trust *t)
{
	int err;

	list_del(&t->list);
	sc->ntrusts--;
	err = idm_trust_publish(sc);
	if (err) {
		list_add_tail(&t->list, &sc->trusts);
		sc->ntrusts++;
		return err;
	}
	kfree(t);
	return 0;
}

void idm_sacl_client_remove(struct idm_sacl *sc, struct idm_sacl_client *c)
{
	rhashtable_remove_fast(&sc->client_ht, &c->node, idm_client_params);
	if (!c->key.ifindex) {
		struct idm_sacl_port *p = idm_sacl_port_find(sc, c->port);
		bool v6 = !ipv6_addr_v4mapped(&c->key.addr);

		/* After the entry: its address is never unchecked between. */
		if (p)
			WRITE_ONCE(p->naddrs[v6], p->naddrs[v6] - 1);
	}
	idm_sacl_tables_changed(sc);
	idm_sacl_ids_changed(sc);
	list_del(&c->list);
	sc->nclients--;
	kfree_rcu(c, rcu);
}

void idm_sacl_port_remove(struct idm_sacl *sc, struct idm_sacl_port *p)
{
	struct idm_sacl_client *c, *tmp;

	/* Its clients, by address and by LID, go with it. */
	list_for_each_entry_safe(c, tmp, &sc->clients, list)
		if (c->port == p->ifindex)
			idm_sacl_client_remove(sc, c);
	hlist_del_rcu(&p->hnode);
	/* No packet charges it from here on; what it had is forgotten. */
	idm_flow_forget_owner(sc->flows, &p->flows);
	list_del(&p->list);
	sc->nports--;
	if (p->pair)
		sc->npairs--;
	kfree_rcu(p, rcu);
}

void idm_sacl_server_remove(struct idm_sacl *sc, struct idm_sacl_server *s)
{
	rhashtable_remove_fast(&sc->server_ht, &s->node, idm_server_params);
	idm_sacl_tables_changed(sc);
	idm_sacl_ids_changed(sc);
	list_del(&s->list);
	sc->nservers--;
	kfree_rcu(s, rcu);
}

void idm_sacl_rule_remove(struct idm_sacl *sc, struct idm_sacl_rule *r)
{
	rhashtable_remove_fast(&sc->rule_ht, &r->node, idm_rule_params);
	idm_prefix_put(sc, &r->key);
	list_del(&r->list);
	idm_sacl_nrules_add(sc, r, -1);
	/* Packet paths may have found it: free after a grace period. */
	call_rcu(&r->rcu, idm_rule_free_rcu);
}

int idm_sacl_port_add(struct idm_sacl *sc, u32 ifindex, bool marker,
		      bool pair)
{
	struct idm_sacl_port *p;

	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	p->ifindex = ifindex;
	p->marker = marker;
	p->pair = pair;
	idm_flow_owner_init(&p->flows);
	list_add_tail(&p->list, &sc->ports);
	hlist_add_head_rcu(&p->hnode,
			   &sc->port_hash[hash_32(ifindex, IDM_PORT_HASH_BITS)]);
	sc->nports++;
	if (pair)
		sc->npairs++;
	return 0;
}

int idm_sacl_client_add(struct idm_sacl *sc, const struct idm_client_key *k,
			u32 port, u64 id)
{
	struct idm_sacl_port *p = idm_sacl_port_find(sc, port);
	struct idm_sacl_client *c;
	int err;

	if (WARN_ON_ONCE(!p))
		return -EINVAL;
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return -ENOMEM;
	c->key = *k;
	c->port = port;
	c->id = id;
	err = rhashtable_insert_fast(&sc->client_ht, &c->node, idm_client_params);
	if (err) {
		kfree(c);
		return err;
	}
	/* After the entry: the port never checks without it. */
	if (!k->ifindex) {
		bool v6 = !ipv6_addr_v4mapped(&k->addr);

		WRITE_ONCE(p->naddrs[v6], p->naddrs[v6] + 1);
	}
	idm_sacl_tables_changed(sc);
	list_add_tail(&c->list, &sc->clients);
	sc->nclients++;
	return 0;
}

int idm_sacl_server_add(struct idm_sacl *sc, const struct idm_server_key *k,
			u64 id)
{
	struct idm_sacl_server *s;
	int err;

	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	s->key = *k;
	s->id = id;
	err = rhashtable_insert_fast(&sc->server_ht, &s->node, idm_server_params);
	if (err) {
		kfree(s);
		return err;
	}
	idm_sacl_tables_changed(sc);
	list_add_tail(&s->list, &sc->servers);
	sc->nservers++;
	return 0;
}

struct idm_sacl_rule *idm_sacl_rule_add(struct idm_sacl *sc,
					const struct idm_sacl_rule *spec,
					struct netlink_ext_ack *extack)
{
	struct idm_sacl_rule *r;
	int err;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return ERR_PTR(-ENOMEM);
	r->stats = netdev_alloc_pcpu_stats(struct idm_rule_stats);
	if (!r->stats) {
		kfree(r);
		return ERR_PTR(-ENOMEM);
	}
	r->key = spec->key;
	r->action = spec->action;
	r->has_priority = spec->has_priority;
	r->priority = spec->priority;
	r->has_dscp = spec->has_dscp;
	r->dscp = spec->dscp;
	if (spec->nranges) {
		r->ranges = kmemdup(spec->ranges,
				    spec->nranges * sizeof(*spec->ranges),
				    GFP_KERNEL_ACCOUNT);
		if (!r->ranges) {
			idm_rule_free(r);
			return ERR_PTR(-ENOMEM);
		}
		r->nranges = spec->nranges;
	}
	err = rhashtable_insert_fast(&sc->rule_ht, &r->node, idm_rule_params);
	if (err) {
		idm_rule_free(r);
		return ERR_PTR(err);
	}
	err = idm_prefix_get(sc, &r->key, extack);
	if (err) {
		rhashtable_remove_fast(&sc->rule_ht, &r->node, idm_rule_params);
		idm_sacl_rules_changed(sc);
		/* Packet paths may have found it: free after a grace period. */
		call_rcu(&r->rcu, idm_rule_free_rcu);
		return ERR_PTR(err);
	}
	list_add_tail(&r->list, &sc->rules);
	idm_sacl_nrules_add(sc, r, 1);
	return r;
}

int idm_sacl_trust_add(struct idm_sacl *sc, const struct idm_sacl_trust *k)
{
	struct idm_sacl_trust *t;
	int err;

	t = kmemdup(k, sizeof(*k), GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	list_add_tail(&t->list, &sc->trusts);
	sc->ntrusts++;
	err = idm_trust_publish(sc);
	if (err) {
		list_del(&t->list);
		sc->ntrusts--;
		kfree(t);
	}
	return err;
}

/* A device that is a port, or trusted, went away: so do its entries. */
void idm_sacl_dev_gone(struct idm_sacl *sc, u32 ifindex)
{
	struct idm_sacl_trust *t, *tmp;
	struct idm_sacl_port *p;

	p = idm_sacl_port_find(sc, ifindex);
	if (p)
		idm_sacl_port_remove(sc, p);
	list_for_each_entry_safe(t, tmp, &sc->trusts, list)
		if (t->ifindex == ifindex)
			idm_sacl_trust_remove(sc, t);
}

int idm_sacl_net_init(struct idm_net *in)
{
	struct idm_sacl *sc = &in->sacl;
	int i, err;

	sc->lock = &in->lock;
	sc->flows = &in->flows;
	for (i = 0; i < ARRAY_SIZE(sc->port_hash); i++)
		INIT_HLIST_HEAD(&sc->port_hash[i]);
	INIT_LIST_HEAD(&sc->ports);
	INIT_LIST_HEAD(&sc->clients);
	INIT_LIST_HEAD(&sc->servers);
	INIT_LIST_HEAD(&sc->rules);
	INIT_LIST_HEAD(&sc->trusts);
	INIT_LIST_HEAD(&sc->peers);
	sc->npeers = 0;
	memset(sc->peer_len_refs, 0, sizeof(sc->peer_len_refs));
	RCU_INIT_POINTER(sc->peer_lens, NULL);
	sc->ntrusts = 0;
	RCU_INIT_POINTER(sc->trust, NULL);
	sc->nports = 0;
	sc->npairs = 0;
	sc->nclients = 0;
	sc->nservers = 0;
	sc->nrules = 0;
	sc->rule_gen = 1;
	sc->id_gen = 1;
	sc->tables_gen = 1;
	sc->nprefix_refs = 0;
	RCU_INIT_POINTER(sc->prefixes, NULL);
	sc->opt_type = IDMESH_SACL_OPT_TYPE_DEFAULT;
	sc->opt_type4 = IDMESH_SACL_OPT_TYPE4_DEFAULT;
	sc->def_action = IDMESH_SACL_ALLOW;
	sc->marker = false;
	sc->fwd_hooks = false;
	sc->pair_path = false;
	INIT_WORK(&sc->resync, idm_sacl_resync);
	sc->marker_hook = false;
	sc->stats = netdev_alloc_pcpu_stats(struct idm_sacl_stats);
	if (!sc->stats)
		return -ENOMEM;
	err = rhashtable_init(&sc->client_ht, &idm_client_params);
	if (err)
		goto err_stats;
	err = rhashtable_init(&sc->server_ht, &idm_server_params);
	if (err)
		goto err_client;
	err = rhashtable_init(&sc->rule_ht, &idm_rule_params);
	if (err)
		goto err_server;
	err = rhashtable_init(&sc->peer_ht, &idm_peer_params);
	if (err)
		goto err_rule;
	return 0;

err_rule:
	rhashtable_destroy(&sc->rule_ht);
err_server:
	rhashtable_destroy(&sc->server_ht);
err_client:
	rhashtable_destroy(&sc->client_ht);
err_stats:
	free_percpu(sc->stats);
	return err;
}

/* Every entry and setting gone (in->lock); the caller syncs the hooks. */
void idm_sacl_flush(struct idm_sacl *sc)
{
	struct idm_sacl_client *c, *ctmp;
	struct idm_sacl_server *s, *stmp;
	struct idm_sacl_rule *r, *rtmp;
	struct idm_sacl_trust *t, *ttmp;
	struct idm_sacl_peer *pe, *petmp;
	struct idm_sacl_port *p, *ptmp;
	struct idm_trust_set *ts;

	WRITE_ONCE(sc->marker, false);
	list_for_each_entry_safe(r, rtmp, &sc->rules, list)
		idm_sacl_rule_remove(sc, r);
	list_for_each_entry_safe(p, ptmp, &sc->ports, list)
		idm_sacl_port_remove(sc, p);
	list_for_each_entry_safe(c, ctmp, &sc->clients, list)
		idm_sacl_client_remove(sc, c);
	list_for_each_entry_safe(s, stmp, &sc->servers, list)
		idm_sacl_server_remove(sc, s);
	list_for_each_entry_safe(pe, petmp, &sc->peers, list)
		idm_sacl_peer_remove(sc, pe);
	list_for_each_entry_safe(t, ttmp, &sc->trusts, list) {
		list_del(&t->list);
		kfree(t);
	}
	sc->ntrusts = 0;
	ts = rcu_replace_pointer(sc->trust, NULL,
				 lockdep_is_held(sc->lock));
	kfree_rcu(ts, rcu);
}

/* Publish the peers' prefix lengths, longest first (in->lock). */
static int idm_peer_lens_publish(struct idm_sacl *sc)
{
	struct idm_peer_lens *ls = NULL, *old;
	int len;

	ls = kzalloc(sizeof(*ls), GFP_KERNEL_ACCOUNT);
	if (!ls)
		return -ENOMEM;
	for (len = 128; len >= 0; len--)
		if (sc->peer_len_refs[len] && ls->n < IDMESH_SACL_PEER_LENS_MAX)
			ls->len[ls->n++] = len;
	if (!ls->n) {
		kfree(ls);
		ls = NULL;
	}
	old = rcu_replace_pointer(sc->peer_lens, ls, lockdep_is_held(sc->lock));
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

static unsigned int idm_peer_nlens(const struct idm_sacl *sc)
{
	unsigned int len, n = 0;

	for (len = 0; len <= 128; len++)
		n += !!sc->peer_len_refs[len];
	return n;
}

int idm_sacl_peer_add(struct idm_sacl *sc, const struct idm_peer_key *k,
		      u64 id, struct netlink_ext_ack *extack)
{
	struct idm_sacl_peer *p;
	int err;

	if (!sc->peer_len_refs[k->plen] &&
	    idm_peer_nlens(sc) >= IDMESH_SACL_PEER_LENS_MAX) {
		NL_SET_ERR_MSG(extack, "Too many different prefix lengths among the peers");
		return -ENOSPC;
	}
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	p->key = *k;
	p->id = id;
	err = rhashtable_insert_fast(&sc->peer_ht, &p->node, idm_peer_params);
	if (err) {
		kfree(p);
		return err;
	}
	if (!sc->peer_len_refs[k->plen]++) {
		err = idm_peer_lens_publish(sc);
		if (err) {
			sc->peer_len_refs[k->plen]--;
			rhashtable_remove_fast(&sc->peer_ht, &p->node,
					       idm_peer_params);
			kfree_rcu(p, rcu);
			return err;
		}
	}
	list_add_tail(&p->list, &sc->peers);
	WRITE_ONCE(sc->npeers, sc->npeers + 1);
	return 0;
}

void idm_sacl_peer_remove(struct idm_sacl *sc, struct idm_sacl_peer *p)
{
	rhashtable_remove_fast(&sc->peer_ht, &p->node, idm_peer_params);
	/*
	 * Without memory for the shorter list the old one stays: a length
	 * no peer has costs the packet path one lookup, and is right.
	 */
	if (!--sc->peer_len_refs[p->key.plen])
		idm_peer_lens_publish(sc);
	idm_sacl_ids_changed(sc);
	list_del(&p->list);
	WRITE_ONCE(sc->npeers, sc->npeers - 1);
	kfree_rcu(p, rcu);
}

struct idm_sacl_peer *idm_sacl_peer_find(struct idm_sacl *sc,
					 const struct idm_peer_key *k)
{
	return rhashtable_lookup_fast(&sc->peer_ht, k, idm_peer_params);
}

u64 idm_sacl_peer_id(struct idm_sacl *sc, const struct in6_addr *addr)
{
	const struct idm_peer_lens *ls = rcu_dereference(sc->peer_lens);
	bool v4 = ipv6_addr_v4mapped(addr);
	struct idm_sacl_peer *p;
	struct idm_peer_key k;
	unsigned int i;

	if (!ls)
		return 0;
	memset(&k, 0, sizeof(k));
	for (i = 0; i < ls->n; i++) {
		/* IPv4 is only in IPv4 prefixes (96 bits and more). */
		if (v4 && ls->len[i] < 96)
			break;
		k.plen = ls->len[i];
		ipv6_addr_prefix(&k.addr, addr, k.plen);
		p = rhashtable_lookup(&sc->peer_ht, &k, idm_peer_params);
		if (p)
			return p->id;
	}
	return 0;
}

/* After the flush and the hooks: the SACL flows, then the tables. */
void idm_sacl_net_exit(struct idm_net *in)
{
	struct idm_sacl *sc = &in->sacl;

	/* The devices are gone: no pair asks for a sync any more. */
	cancel_work_sync(&sc->resync);
	/* The hooks are gone: nothing adds SACL flows any more. */
	idm_flow_forget_if(sc->flows, IDM_ZONE_SACL, NULL, NULL);
	/* Entries are gone from the tables; kfree_rcu() frees them later. */
	rhashtable_destroy(&sc->client_ht);
	rhashtable_destroy(&sc->server_ht);
	rhashtable_destroy(&sc->rule_ht);
	rhashtable_destroy(&sc->peer_ht);
	/* Left only if the flush had no memory to publish an empty list. */
	kfree_rcu(rcu_dereference_protected(sc->peer_lens, true), rcu);
	free_percpu(sc->stats);
}
