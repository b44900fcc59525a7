// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh apply: the node's idmesh links made what the intent's "pairs",
 * "remote-links" and "external-links" say. A link whose definition differs
 * (peer, namespace, remote or family, local, id, port, underlay) is
 * removed and added again; its MTU, the addresses and routes of its ends,
 * and an external link's peers are changed in place. A removed link comes
 * back, on undo, with its addresses, routes and peers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "apply_link.h"
#include "intent.h"
#include "util.h"
#include "link.h"
#include "nl.h"

/* ---- one end's device, addresses and routes ---- */

struct ifindex_ctx {
	int ifindex;
};

static int ifindex_valid(struct nl_msg *msg, void *arg)
{
	struct ifindex_ctx *c = arg;
	struct ifinfomsg *ifi = nlmsg_data(nlmsg_hdr(msg));

	if (nlmsg_hdr(msg)->nlmsg_type == RTM_NEWLINK)
		c->ifindex = ifi->ifi_index;
	return NL_OK;
}

/* The ifindex of name in rt's namespace, or 0 (nothing printed). */
static int rt_ifindex(struct idm_nl *rt, const char *name)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct ifindex_ctx c = { 0 };
	struct nl_msg *msg;

	msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK);
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) ||
	    nla_put_string(msg, IFLA_IFNAME, name)) {
		nlmsg_free(msg);
		return 0;
	}
	rt->quiet = 1;
	if (idm_nl_transact(rt, msg, ifindex_valid, &c))
		c.ifindex = 0;
	rt->quiet = 0;
	nlmsg_free(msg);
	return c.ifindex;
}

struct pfx_ctx {
	int ifindex;
	struct idm_prefixes *out;
};

static void pfx_push(struct idm_prefixes *ps, int family, const void *a,
		     uint32_t len)
{
	struct idm_prefix *p;

	ps->v = xrealloc(ps->v, ps->n + 1, sizeof(*ps->v));
	p = &ps->v[ps->n++];
	memset(p, 0, sizeof(*p));
	p->a.family = family;
	p->a.len = family == AF_INET ? 4 : 16;
	if (a)
		memcpy(p->a.bytes, a, p->a.len);
	p->len = len;
}

static int addr_valid(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct ifaddrmsg *ifa = nlmsg_data(nlh);
	struct nlattr *tb[IFA_MAX + 1], *a;
	struct pfx_ctx *c = arg;

	if (nlh->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != c->ifindex ||
	    nlmsg_parse(nlh, sizeof(*ifa), tb, IFA_MAX, NULL) ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return NL_OK;
	/* The kernel's own IPv6 link-local addresses are not the intent's. */
	if (ifa->ifa_scope == RT_SCOPE_LINK && ifa->ifa_family == AF_INET6)
		return NL_OK;
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (a && nla_len(a) == (ifa->ifa_family == AF_INET ? 4 : 16))
		pfx_push(c->out, ifa->ifa_family, nla_data(a), ifa->ifa_prefixlen);
	return NL_OK;
}

static int route_valid(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct rtmsg *rtm = nlmsg_data(nlh);
	struct nlattr *tb[RTA_MAX + 1];
	struct pfx_ctx *c = arg;
	uint32_t table;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    nlmsg_parse(nlh, sizeof(*rtm), tb, RTA_MAX, NULL))
		return NL_OK;
	table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	/* Only what "ip route add PREFIX dev D" makes, not the kernel's. */
	if (table != RT_TABLE_MAIN || rtm->rtm_type != RTN_UNICAST ||
	    rtm->rtm_protocol == RTPROT_KERNEL || tb[RTA_GATEWAY] ||
	    tb[RTA_MULTIPATH] || !tb[RTA_OIF] ||
	    (int)nla_get_u32(tb[RTA_OIF]) != c->ifindex)
		return NL_OK;
	if (tb[RTA_DST] && nla_len(tb[RTA_DST]) != (rtm->rtm_family == AF_INET ? 4 : 16))
		return NL_OK;
	pfx_push(c->out, rtm->rtm_family, tb[RTA_DST] ? nla_data(tb[RTA_DST]) : NULL,
		 rtm->rtm_dst_len);
	return NL_OK;
}

/* The addresses and routes of the device ifindex in rt's namespace. */
static int read_end(struct idm_nl *rt, int ifindex, struct idm_prefixes *addrs,
		    struct idm_prefixes *routes)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	struct pfx_ctx c = { .ifindex = ifindex };
	struct nl_msg *msg;
	size_t i;
	int err = 0;

	for (i = 0; i < 2 && !err; i++) {
		struct ifaddrmsg ifa = { .ifa_family = fams[i] };
		struct rtmsg rtm = { .rtm_family = fams[i] };

		c.out = addrs;
		msg = nlmsg_alloc_simple(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP);
		err = !msg || nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) ||
		      idm_nl_transact(rt, msg, addr_valid, &c);
		nlmsg_free(msg);
		if (err)
			break;
		c.out = routes;
		msg = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP);
		err = !msg || nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) ||
		      idm_nl_transact(rt, msg, route_valid, &c);
		nlmsg_free(msg);
	}
	return err ? -1 : 0;
}

bool idm_end_has_addr(const char *netns, const char *ifname,
		      const struct idm_prefix *p)
{
	struct idm_prefixes addrs = { 0 }, routes = { 0 };
	bool found = false;
	struct idm_nl s;
	size_t i;
	int ifindex;

	if (idm_rt_open_in(&s, netns))
		return false;
	ifindex = rt_ifindex(&s, ifname);
	if (ifindex && !read_end(&s, ifindex, &addrs, &routes))
		for (i = 0; i < addrs.n; i++)
			found |= idm_prefix_eq(&addrs.v[i], p);
	free(addrs.v);
	free(routes.v);
	idm_nl_close(&s);
	return found;
}

/* ---- the node's links ---- */

/* An external link's peers, from the kernel (nl: the idmesh family). */
static int read_xpeers(struct idm_nl *nl, const struct idm_link_info *li,
		       struct idm_intent_link *l)
{
	struct idm_link_peer *v;
	size_t i, n;

	if (idm_link_peer_dump(nl, li->ifindex, &v, &n))
		return -1;
	l->xpeers = xrealloc(NULL, n ? n : 1, sizeof(*l->xpeers));
	for (i = 0; i < n; i++) {
		struct idm_intent_xpeer *xp = &l->xpeers[i];

		memset(xp, 0, sizeof(*xp));
		xp->p.a = v[i].prefix;
		xp->p.len = v[i].len;
		xp->remote = v[i].remote;
	}
	l->nxpeers = n;
	free(v);
	return 0;
}

static void info_to_ilink(struct idm_nl *rt, const struct idm_link_info *li,
			  struct idm_intent_link *l)
{
	char buf[256];

	memset(l, 0, sizeof(*l));
	l->name = xstrdup(li->name);
	l->mtu = li->mtu;
	if (li->mode != IDMESH_LINK_MODE_REMOTE) {
		l->peer = xstrdup(li->peer);
		if (li->peer_nsid >= 0) {
			/* A namespace without a name under /run/netns differs from any. */
			if (idm_nsid_name(rt, li->peer_nsid, buf, sizeof(buf)))
				snprintf(buf, sizeof(buf), "(nsid %d)", li->peer_nsid);
			l->netns = xstrdup(buf);
		}
		return;
	}
	l->remote = true;
	l->external = li->external;
	if (!li->external)
		idm_parse_addr(li->remote, &l->raddr);
	if (li->local[0])
		idm_parse_addr(li->local, &l->laddr);
	l->id = li->id;
	l->port = li->port;
	if (li->underlay && if_indextoname(li->underlay, buf))
		l->dev = xstrdup(buf);
}

int idm_links_read(struct idm_nl *nl, struct idm_nl *rt, struct idm_intent_link **out,
		   size_t *n)
{
	struct idm_link_list c = { 0 };
	struct idm_intent_link *v;
	size_t k, nv = 0;
	int i, ret = -1;

	*out = NULL;
	*n = 0;
	if (idm_link_dump(rt, NULL, &c))
		return -1;
	v = xrealloc(NULL, c.n, sizeof(*v));
	for (i = 0; i < c.n; i++) {
		const struct idm_link_info *li = &c.links[i];
		struct idm_intent_link *l;
		bool dup = false;

		/* Without the idmesh family, external links are left out. */
		if (li->external && !nl)
			continue;
		/* Both ends of a pair here: the one listed first stands for it. */
		for (k = 0; k < nv && li->mode != IDMESH_LINK_MODE_REMOTE &&
		     li->peer_nsid < 0; k++)
			dup |= !v[k].remote && !v[k].netns && !strcmp(v[k].peer, li->name);
		if (dup)
			continue;
		l = &v[nv++];
		info_to_ilink(rt, li, l);
		if (read_end(rt, li->ifindex, &l->addrs[IDM_END_NODE],
			     &l->routes[IDM_END_NODE]))
			goto out;
		if (li->external && read_xpeers(nl, li, l))
			goto out;
		if (!l->remote && l->peer[0] && (!l->netns || l->netns[0] != '(')) {
			struct idm_nl prt;
			int peer;

			if (idm_rt_open_in(&prt, l->netns))
				goto out;
			peer = rt_ifindex(&prt, l->peer);
			if (peer && read_end(&prt, peer, &l->addrs[IDM_END_PEER],
					     &l->routes[IDM_END_PEER])) {
				idm_nl_close(&prt);
				goto out;
			}
			idm_nl_close(&prt);
		}
	}
	ret = 0;
out:
	free(c.links);
	*out = v;
	*n = nv;
	return ret;
}

/* ---- the plan ---- */

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool same_def(const struct idm_intent_link *want, const struct idm_intent_link *cur)
{
	if (want->remote != cur->remote || want->external != cur->external)
		return false;
	if (!want->remote)
		return str_eq(want->peer, cur->peer) && str_eq(want->netns, cur->netns);
	return !memcmp(&want->raddr, &cur->raddr, sizeof(want->raddr)) &&
	       !memcmp(&want->laddr, &cur->laddr, sizeof(want->laddr)) &&
	       want->id == cur->id &&
	       (want->port ? want->port : IDMESH_DEFAULT_PORT) == cur->port &&
	       str_eq(want->dev, cur->dev);
}

static bool has_prefix(const struct idm_prefixes *ps, const struct idm_prefix *p)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (idm_prefix_eq(&ps->v[i], p))
			return true;
	return false;
}

static struct idm_link_op *push(struct idm_link_changes *p, int kind,
				const struct idm_intent_link *l)
{
	struct idm_link_op *op;

	p->op = xrealloc(p->op, p->n + 1, sizeof(*p->op));
	op = &p->op[p->n++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->l = l;
	return op;
}

/* Addresses, then routes, of both ends: removals, then additions. */
static void plan_prefixes(struct idm_link_changes *p, const struct idm_intent_link *want,
			  const struct idm_intent_link *cur)
{
	int kind, end, add;
	size_t i;

	for (kind = IDM_LINK_OP_ADDR; kind <= IDM_LINK_OP_ROUTE; kind++)
		for (add = 0; add < 2; add++)
			for (end = IDM_END_NODE; end <= IDM_END_PEER; end++) {
				const struct idm_prefixes *from, *other;

				from = kind == IDM_LINK_OP_ADDR ?
				       (add ? &want->addrs[end] : &cur->addrs[end]) :
				       (add ? &want->routes[end] : &cur->routes[end]);
				other = kind == IDM_LINK_OP_ADDR ?
					(add ? &cur->addrs[end] : &want->addrs[end]) :
					(add ? &cur->routes[end] : &want->routes[end]);
				for (i = 0; i < from->n; i++) {
					struct idm_link_op *op;

					if (has_prefix(other, &from->v[i]))
						continue;
					op = push(p, kind, want);
					op->add = add;
					op->end = end;
					op->p = from->v[i];
				}
			}
}

/* The peer of l for prefix p, or NULL. */
static const struct idm_intent_xpeer *find_xpeer(const struct idm_intent_link *l,
						 const struct idm_prefix *p)
{
	size_t i;

	for (i = 0; i < l->nxpeers; i++)
		if (idm_prefix_eq(&l->xpeers[i].p, p))
			return &l->xpeers[i];
	return NULL;
}

/*
 * An external link's peers: those whose prefix goes removed, then the
 * new ones and those going to another node set (in place: the kernel
 * replaces a prefix's remote, no packet finds it missing).
 */
static void plan_xpeers(struct idm_link_changes *p, const struct idm_intent_link *want,
			const struct idm_intent_link *cur)
{
	const struct idm_intent_xpeer *o;
	struct idm_link_op *op;
	size_t i;

	for (i = 0; i < cur->nxpeers; i++) {
		if (find_xpeer(want, &cur->xpeers[i].p))
			continue;
		op = push(p, IDM_LINK_OP_PEER, want);
		op->xp = cur->xpeers[i];
	}
	for (i = 0; i < want->nxpeers; i++) {
		o = find_xpeer(cur, &want->xpeers[i].p);
		if (o && !memcmp(&o->remote, &want->xpeers[i].remote, sizeof(o->remote)))
			continue;
		op = push(p, IDM_LINK_OP_PEER, want);
		op->add = true;
		op->xp = want->xpeers[i];
		if (o)
			op->old_remote = o->remote;
	}
}

/* What would fail before any change: a missing namespace or underlay. */
static int check_link(const struct idm_intent *in, const struct idm_intent_link *l)
{
	char path[4096];

	if (l->netns) {
		idm_netns_path(l->netns, path, sizeof(path));
		if (access(path, F_OK)) {
			fprintf(stderr, "Error: %s: link %s: no network namespace \"%s\"; nothing changed\n",
				in->file, l->name, l->netns);
			return -1;
		}
	}
	if (l->dev && !if_nametoindex(l->dev)) {
		fprintf(stderr, "Error: %s: link %s: no device \"%s\" in this namespace; nothing changed\n",
			in->file, l->name, l->dev);
		return -1;
	}
	return 0;
}

static bool named(const struct idm_intent *in, const char *name)
{
	size_t i;

	for (i = 0; i < in->nlinks; i++)
		if (!strcmp(in->links[i].name, name))
			return true;
	return false;
}

/* Does the intent name the node's links of this one's kind? */
static bool kind_named(const struct idm_intent *in, const struct idm_intent_link *l)
{
	return l->external ? in->has_externals : l->remote ? in->has_remotes :
	       in->has_pairs;
}

int idm_link_plan(struct idm_nl *nl, struct idm_nl *rt, const struct idm_intent *in,
		  struct idm_link_changes *p)
{
	bool *done;
	size_t i, k;
	int pass;

	memset(p, 0, sizeof(*p));
	if (!in->has_pairs && !in->has_remotes && !in->has_externals)
		return 0;
	for (i = 0; i < in->nlinks; i++)
		if (check_link(in, &in->links[i]))
			return -1;
	if (idm_links_read(nl, rt, &p->cur, &p->ncur))
		return -1;
	/* A pair with both ends here is named by the end the intent names. */
	for (k = 0; k < p->ncur; k++) {
		struct idm_intent_link *c = &p->cur[k], t;

		if (c->remote || c->netns || named(in, c->name) || !named(in, c->peer))
			continue;
		t = *c;
		c->name = t.peer;
		c->peer = t.name;
		c->addrs[0] = t.addrs[1];
		c->addrs[1] = t.addrs[0];
		c->routes[0] = t.routes[1];
		c->routes[1] = t.routes[0];
	}
	done = calloc(p->ncur + 1, sizeof(*done));
	if (!done)
		return -1;
	/* Pass 0: removals; pass 1: additions; pass 2: changes in place. */
	for (pass = 0; pass < 3; pass++) {
		for (k = 0; pass == 0 && k < p->ncur; k++) {
			const struct idm_intent_link *c = &p->cur[k];
			const struct idm_intent_link *w = NULL;

			for (i = 0; i < in->nlinks && !w; i++)
				if (!strcmp(in->links[i].name, c->name))
					w = &in->links[i];
			/* Links of a kind the intent does not name stay. */
			if (!w && !kind_named(in, c))
				continue;
			if (!w || !same_def(w, c))
				push(p, IDM_LINK_OP_DEL, c);
			else
				done[k] = true;
		}
		for (i = 0; pass > 0 && i < in->nlinks; i++) {
			const struct idm_intent_link *w = &in->links[i];
			const struct idm_intent_link *c = NULL;

			for (k = 0; k < p->ncur && !c; k++)
				if (done[k] && !strcmp(p->cur[k].name, w->name))
					c = &p->cur[k];
			if (pass == 1 && !c) {
				push(p, IDM_LINK_OP_ADD, w);
			} else if (pass == 2 && c) {
				if (w->mtu && w->mtu != c->mtu) {
					struct idm_link_op *op = push(p, IDM_LINK_OP_MTU, w);

					op->mtu = w->mtu;
					op->old_mtu = c->mtu;
				}
				plan_prefixes(p, w, c);
				if (w->external)
					plan_xpeers(p, w, c);
			}
		}
	}
	free(done);
	return 0;
}

/* ---- the changes ---- */

/*
 * One request about the device ifname in rt's namespace: RTM_DELLINK, or
 * RTM_NEWLINK setting its MTU (if mtu), bringing it up (if up), giving it
 * an alias (if alias).
 */
static int link_msg(struct idm_nl *rt, int type, const char *ifname,
		    uint32_t mtu, bool up, const char *alias)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *msg;
	int rc;

	if (up) {
		ifi.ifi_flags = IFF_UP;
		ifi.ifi_change = IFF_UP;
	}
	msg = nlmsg_alloc_simple(type, NLM_F_REQUEST | NLM_F_ACK);
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) ||
	    nla_put_string(msg, IFLA_IFNAME, ifname) ||
	    (mtu && nla_put_u32(msg, IFLA_MTU, mtu)) ||
	    (alias && nla_put_string(msg, IFLA_IFALIAS, alias))) {
		nlmsg_free(msg);
		return -1;
	}
	rc = idm_nl_transact(rt, msg, NULL, NULL);
	nlmsg_free(msg);
	return rc;
}

static int set_link(struct idm_nl *rt, const char *ifname, uint32_t mtu, bool up)
{
	return link_msg(rt, RTM_NEWLINK, ifname, mtu, up, NULL);
}

int idm_intent_link_del(struct idm_nl *rt, const char *name)
{
	return link_msg(rt, RTM_DELLINK, name, 0, false, NULL);
}

int idm_link_set_alias(struct idm_nl *rt, const char *ifname, const char *alias)
{
	return link_msg(rt, RTM_NEWLINK, ifname, 0, false, alias);
}

/* Add or remove an address or a route of the device ifname. */
static int set_prefix(struct idm_nl *rt, const char *ifname, int kind, bool add,
		      const struct idm_prefix *p)
{
	int ifindex = rt_ifindex(rt, ifname), rc;
	struct nl_msg *msg = NULL;

	if (!ifindex) {
		fprintf(stderr, "Error: no device \"%s\"\n", ifname);
		return -1;
	}
	if (kind == IDM_LINK_OP_ADDR) {
		struct ifaddrmsg ifa = {
			.ifa_family = p->a.family, .ifa_prefixlen = p->len,
			.ifa_flags = p->a.family == AF_INET6 ? IFA_F_NODAD : 0,
			.ifa_index = ifindex,
		};

		msg = nlmsg_alloc_simple(add ? RTM_NEWADDR : RTM_DELADDR,
					 NLM_F_REQUEST | NLM_F_ACK |
					 (add ? NLM_F_CREATE | NLM_F_EXCL : 0));
		if (!msg || nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) ||
		    nla_put(msg, IFA_LOCAL, p->a.len, p->a.bytes) ||
		    nla_put(msg, IFA_ADDRESS, p->a.len, p->a.bytes))
			goto nomem;
	} else {
		struct rtmsg rtm = {
			.rtm_family = p->a.family, .rtm_dst_len = p->len,
			.rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_STATIC,
			.rtm_scope = RT_SCOPE_LINK, .rtm_type = RTN_UNICAST,
		};

		msg = nlmsg_alloc_simple(add ? RTM_NEWROUTE : RTM_DELROUTE,
					 NLM_F_REQUEST | NLM_F_ACK |
					 (add ? NLM_F_CREATE | NLM_F_EXCL : 0));
		if (!msg || nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) ||
		    (p->len && nla_put(msg, RTA_DST, p->a.len, p->a.bytes)) ||
		    nla_put_u32(msg, RTA_OIF, ifindex))
			goto nomem;
	}
	rc = idm_nl_transact(rt, msg, NULL, NULL);
	nlmsg_free(msg);
	return rc;
nomem:
	nlmsg_free(msg);
	fprintf(stderr, "Error: out of memory\n");
	return -1;
}

/* One change on one end's device: an address or route, or its MTU and state. */
struct end_change {
	int kind;			/* IDM_LINK_OP_ADDR, IDM_LINK_OP_ROUTE; else the link */
	bool add;
	const struct idm_prefix *p;
	uint32_t mtu;			/* 0: kept */
	bool up;
};

/* Make c on one end of l, through a socket in that end's namespace. */
static int end_do(struct idm_nl *rt, const struct idm_intent_link *l, int end,
		  const struct end_change *c)
{
	const char *ifname = end == IDM_END_NODE ? l->name : l->peer;
	struct idm_nl own, *s = rt;
	int rc;

	if (end == IDM_END_PEER && l->netns) {
		if (idm_rt_open_in(&own, l->netns))
			return -1;
		s = &own;
	}
	if (c->kind == IDM_LINK_OP_ADDR || c->kind == IDM_LINK_OP_ROUTE)
		rc = set_prefix(s, ifname, c->kind, c->add, c->p);
	else
		rc = set_link(s, ifname, c->mtu, c->up);
	if (s == &own)
		idm_nl_close(&own);
	return rc;
}

/* Add or remove a peer of the external link l. */
static int xpeer_do(struct idm_nl *nl, const struct idm_intent_link *l, bool add,
		    const struct idm_intent_xpeer *xp)
{
	struct idm_link_peer lp = {
		.ifindex = (int)if_nametoindex(l->name), .prefix = xp->p.a,
		.len = xp->p.len,
	};

	if (!nl) {
		fprintf(stderr, "Error: the peers of %s need the idmesh family\n", l->name);
		return -1;
	}
	if (!lp.ifindex) {
		fprintf(stderr, "Error: no device \"%s\"\n", l->name);
		return -1;
	}
	if (add)
		lp.remote = xp->remote;
	return idm_link_peer_change(nl, add, &lp);
}

int idm_intent_link_add(struct idm_nl *nl, struct idm_nl *rt,
			const struct idm_intent_link *l)
{
	struct idm_link_spec sp = {
		.name = l->name, .peer = l->peer, .peer_netns = l->netns,
		.remote = l->raddr, .local = l->laddr, .id = l->id,
		.port = l->port, .mtu = l->mtu, .dev = l->dev,
		.external = l->external,
	};
	int end, kind, ends = l->remote ? 1 : 2;
	size_t i;

	if (idm_link_create(rt, &sp))
		return -1;
	for (i = 0; i < l->nxpeers; i++)
		if (xpeer_do(nl, l, true, &l->xpeers[i]))
			goto undo;
	for (end = 0; end < ends; end++) {
		struct end_change c = { .kind = IDM_LINK_OP_MTU, .up = true };

		if (end_do(rt, l, end, &c))
			goto undo;
	}
	for (kind = IDM_LINK_OP_ADDR; kind <= IDM_LINK_OP_ROUTE; kind++)
		for (end = 0; end < ends; end++) {
			const struct idm_prefixes *ps = kind == IDM_LINK_OP_ADDR ?
						       &l->addrs[end] : &l->routes[end];

			for (i = 0; i < ps->n; i++) {
				struct end_change c = { .kind = kind, .add = true,
							.p = &ps->v[i] };

				if (end_do(rt, l, end, &c))
					goto undo;
			}
		}
	return 0;
undo:
	rt->quiet = 1;
	idm_intent_link_del(rt, l->name);
	rt->quiet = 0;
	return -1;
}

int idm_link_op_do(struct idm_nl *nl, struct idm_nl *rt, const struct idm_link_op *op,
		   int undo)
{
	int ends = op->l->remote ? 1 : 2, end;
	struct end_change c = {
		.kind = op->kind, .add = op->add != !!undo, .p = &op->p,
		.mtu = undo ? op->old_mtu : op->mtu,
	};

	switch (op->kind) {
	case IDM_LINK_OP_DEL:
	case IDM_LINK_OP_ADD:
		return (op->kind == IDM_LINK_OP_ADD) != !!undo ?
		       idm_intent_link_add(nl, rt, op->l) :
		       idm_intent_link_del(rt, op->l->name);
	case IDM_LINK_OP_PEER:
		if (undo && op->add && op->old_remote.family) {
			struct idm_intent_xpeer back = { .p = op->xp.p, .remote = op->old_remote };

			return xpeer_do(nl, op->l, true, &back);
		}
		return xpeer_do(nl, op->l, op->add != !!undo, &op->xp);
	case IDM_LINK_OP_MTU:
		for (end = 0; end < ends; end++)
			if (end_do(rt, op->l, end, &c))
				return -1;
		return 0;
	default:
		return end_do(rt, op->l, op->end, &c);
	}
}

/* ---- words ---- */

void idm_intent_link_format(const struct idm_intent_link *l, char *buf, size_t len)
{
	char r[INET6_ADDRSTRLEN + 8], a[INET6_ADDRSTRLEN + 8] = "";
	int n;

	if (!l->remote) {
		n = snprintf(buf, len, "%s peer %s%s%s", l->name, l->peer,
			     l->netns ? " netns " : "", l->netns ? l->netns : "");
	} else {
		if (l->external) {
			snprintf(r, sizeof(r), "external %s", l->external == 6 ? "inet6" : "inet");
		} else {
			strcpy(r, "remote ");
			inet_ntop(l->raddr.family, l->raddr.bytes, r + 7, sizeof(r) - 7);
		}
		if (l->laddr.family) {
			strcpy(a, " local ");
			inet_ntop(l->laddr.family, l->laddr.bytes, a + 7, sizeof(a) - 7);
		}
		n = snprintf(buf, len, "%s %s%s id %u", l->name, r, a, l->id);
		if (n >= 0 && (size_t)n < len && l->port)
			n += snprintf(buf + n, len - n, " port %u", l->port);
		if (n >= 0 && (size_t)n < len && l->dev)
			n += snprintf(buf + n, len - n, " dev %s", l->dev);
	}
	if (n >= 0 && (size_t)n < len && l->mtu)
		n += snprintf(buf + n, len - n, " mtu %u", l->mtu);
	if (n >= 0 && (size_t)n < len && l->encrypt)
		snprintf(buf + n, len - n, " encrypt");
}

void idm_link_op_format(const struct idm_link_op *op, char *buf, size_t len)
{
	const struct idm_intent_link *l = op->l;
	char p[INET6_ADDRSTRLEN + 8], d[64];

	switch (op->kind) {
	case IDM_LINK_OP_DEL:
	case IDM_LINK_OP_ADD:
		snprintf(buf, len, "link ");
		idm_intent_link_format(l, buf + 5, len > 5 ? len - 5 : 0);
		return;
	case IDM_LINK_OP_MTU:
		snprintf(buf, len, "link %s mtu %u", l->name, op->mtu);
		return;
	case IDM_LINK_OP_PEER:
		idm_prefix_format(&op->xp.p, p, sizeof(p));
		inet_ntop(op->xp.remote.family, op->xp.remote.bytes, d, sizeof(d));
		snprintf(buf, len, "peer %s remote %s dev %s", p, d, l->name);
		return;
	}
	idm_prefix_format(&op->p, p, sizeof(p));
	if (op->end == IDM_END_PEER && l->netns)
		snprintf(d, sizeof(d), "%s netns %s", l->peer, l->netns);
	else
		snprintf(d, sizeof(d), "%s", op->end == IDM_END_PEER ? l->peer : l->name);
	snprintf(buf, len, "%s %s dev %s", op->kind == IDM_LINK_OP_ADDR ? "address" :
		 "route", p, d);
}

void idm_link_changes_free(struct idm_link_changes *p)
{
	size_t i;

	for (i = 0; i < p->ncur; i++)
		idm_intent_link_free(&p->cur[i]);
	free(p->cur);
	free(p->op);
	memset(p, 0, sizeof(*p));
}
