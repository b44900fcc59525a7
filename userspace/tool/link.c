// SPDX-License-Identifier: GPL-2.0
/* idmesh link: local pairs and remote links (rtnetlink kind "idmesh"). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "idmesh.h"
#include "intent.h"
#include "link.h"
#include "nl.h"
#include "print.h"

static const char * const drop_names[IFLA_IDMESH_XSTATS_MAX + 1] = {
	[IFLA_IDMESH_XSTATS_NO_PEER] = "no-peer",
	[IFLA_IDMESH_XSTATS_BAD_PROTO] = "bad-proto",
	[IFLA_IDMESH_XSTATS_NO_ROUTE] = "no-route",
	[IFLA_IDMESH_XSTATS_TOO_BIG] = "too-big",
	[IFLA_IDMESH_XSTATS_NOMEM] = "nomem",
	[IFLA_IDMESH_XSTATS_BAD_SOURCE] = "bad-source",
	[IFLA_IDMESH_XSTATS_BACKLOG] = "backlog",
	[IFLA_IDMESH_XSTATS_LOOP] = "loop",
	[IFLA_IDMESH_XSTATS_ECN] = "ecn",
};

void help_link(FILE *f)
{
	fprintf(f,
		"Usage: idmesh [-n NETNS] link add NAME peer PEER [netns NS] [mtu MTU]\n"
		"       idmesh [-n NETNS] link add NAME remote ADDR [local ADDR] id ID\n"
		"                                  [port PORT] [dev DEV] [mtu MTU]\n"
		"       idmesh [-n NETNS] link add NAME external [inet|inet6] [local ADDR]\n"
		"                                  id ID [port PORT] [dev DEV] [mtu MTU]\n"
		"       idmesh [-n NETNS] link del NAME\n"
		"       idmesh [-j [-p]] [-s] [-n NETNS] link show [NAME]\n"
		"       idmesh [-n NETNS] link peer add NAME PREFIX remote ADDR\n"
		"                                       [PREFIX remote ADDR]...\n"
		"       idmesh [-n NETNS] link peer del NAME PREFIX [PREFIX]...\n"
		"       idmesh [-j [-p]] [-n NETNS] link peer show [NAME]\n"
		"A local pair joins two namespaces like veth, at L3 (no ARP, no MAC):\n"
		"PEER is created in NS (default: the same namespace). A remote link\n"
		"carries packets in Geneve over UDP (port %d by default) to the link\n"
		"with the same ID (1..%d) on the node at ADDR (IPv4 or IPv6). Its MTU\n"
		"is the underlay's minus the encapsulation, and follows it; MTU may\n"
		"only lower it. Deleting one end of a pair deletes both. An external\n"
		"link is one device for many nodes (over an IPv4 underlay, or IPv6):\n"
		"each packet goes to the peer whose PREFIX (a node's pod CIDR) holds its\n"
		"destination, longest first, in Geneve with ID to the peer's ADDR, by\n"
		"the route to it then; it is received from any peer's address. \"link\n"
		"peer add\" adds peers or changes their ADDR, all or none.\n",
		IDMESH_DEFAULT_PORT, IDMESH_ID_MAX);
}

static int link_add(const struct idm_opts *o, int argc, char **argv)
{
	struct idm_link_spec sp;
	struct idm_nl nl;
	char err[256];
	int rc;

	if (idm_parse_link_add(argc, argv, &sp, err, sizeof(err)))
		return idm_usage_error("%s", err);
	if (idm_rt_open(&nl, o->netns))
		return 1;
	rc = idm_link_create(&nl, &sp) ? 1 : 0;
	idm_nl_close(&nl);
	return rc;
}

/* ---- show ---- */


static const char *mode_name(int mode)
{
	switch (mode) {
	case IDMESH_LINK_MODE_PAIR:
		return "pair";
	case IDMESH_LINK_MODE_REMOTE:
		return "remote";
	}
	return "unknown";
}

static void print_link(const struct idm_opts *o, const struct idm_link_info *l,
		       const char *peer_ns, const char *underlay)
{
	int i;

	print_open_obj(NULL);
	print_int(PRINT_ANY, "ifindex", "%d:", l->ifindex);
	print_string(PRINT_ANY, "name", " %s:", l->name);
	print_string(PRINT_JSON, "mode", NULL, mode_name(l->mode));
	if (l->mode == IDMESH_LINK_MODE_PAIR) {
		print_string(PRINT_JSON, "peer", NULL, l->peer);
		print_string(PRINT_FP, NULL, " peer %s",
			     l->peer[0] ? l->peer : "(none)");
		if (peer_ns)
			print_string(PRINT_ANY, "netns", " netns %s", peer_ns);
		else if (l->peer_nsid >= 0)
			print_int(PRINT_ANY, "netnsid", " netnsid %d",
				  l->peer_nsid);
	} else {
		if (l->external)
			print_string(PRINT_ANY, "external", " external %s",
				     l->external == 6 ? "inet6" : "inet");
		else
			print_string(PRINT_ANY, "remote", " remote %s", l->remote);
		if (l->local[0])
			print_string(PRINT_ANY, "local", " local %s", l->local);
		print_uint(PRINT_ANY, "id", " id %u", l->id);
		print_uint(PRINT_ANY, "port", " port %u", l->port);
		if (underlay)
			print_string(PRINT_ANY, "dev", " dev %s", underlay);
	}
	print_uint(PRINT_ANY, "mtu", " mtu %u", l->mtu);
	print_uint(PRINT_ANY, "max_mtu", " max-mtu %u", l->max_mtu);
	print_bool(PRINT_JSON, "up", NULL, l->flags & IFF_UP);
	print_text(" %s\n", (l->flags & IFF_UP) ? "up" : "down");
	if (o->stats && l->has_stats) {
		print_open_obj("stats");
		print_u64(PRINT_ANY, "rx_packets", "    rx: packets %llu",
			  l->st.rx_packets);
		print_u64(PRINT_ANY, "rx_bytes", " bytes %llu", l->st.rx_bytes);
		print_u64(PRINT_ANY, "rx_dropped", " dropped %llu\n",
			  l->st.rx_dropped);
		print_u64(PRINT_ANY, "tx_packets", "    tx: packets %llu",
			  l->st.tx_packets);
		print_u64(PRINT_ANY, "tx_bytes", " bytes %llu", l->st.tx_bytes);
		print_u64(PRINT_ANY, "tx_dropped", " dropped %llu\n",
			  l->st.tx_dropped);
		print_open_obj("drops");
		print_text("    drops:");
		for (i = 1; i <= IFLA_IDMESH_XSTATS_MAX; i++) {
			if (!drop_names[i])
				continue;
			print_text(" %s", drop_names[i]);
			print_u64(PRINT_ANY, drop_names[i], " %llu",
				  l->drops[i]);
		}
		print_text("\n");
		print_close_obj();
		print_close_obj();
	}
	print_close_obj();
}

static int link_show(const struct idm_opts *o, int argc, char **argv)
{
	struct idm_link_list c = { 0 };
	struct idm_nl nl;
	int i, rc = 1;

	if (argc > 1)
		return idm_usage_error("\"link show\" takes at most a NAME, got \"%s\"",
				       argv[1]);
	if (idm_rt_open(&nl, o->netns))
		return 1;
	if (idm_link_dump(&nl, argc ? argv[0] : NULL, &c))
		goto out;
	print_start(o->json, o->pretty);
	print_open_arr(NULL);
	for (i = 0; i < c.n; i++) {
		char ns[256], under[IFNAMSIZ];
		const char *nsp = NULL, *up = NULL;

		if (c.links[i].peer_nsid >= 0 &&
		    !idm_nsid_name(&nl, c.links[i].peer_nsid, ns, sizeof(ns)))
			nsp = ns;
		if (c.links[i].underlay && if_indextoname(c.links[i].underlay, under))
			up = under;
		print_link(o, &c.links[i], nsp, up);
	}
	print_close_arr();
	print_end();
	rc = 0;
out:
	free(c.links);
	idm_nl_close(&nl);
	return rc;
}

static int link_del(const struct idm_opts *o, int argc, char **argv)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct idm_link_list c = { 0 };
	struct nl_msg *msg = NULL;
	struct idm_nl nl;
	int rc = 1;

	if (argc != 1)
		return idm_usage_error("\"link del\" needs exactly one NAME");
	if (idm_rt_open(&nl, o->netns))
		return 1;
	/* Only ever delete idmesh links, whatever the name. */
	if (idm_link_dump(&nl, argv[0], &c))
		goto out;
	ifi.ifi_index = c.links[0].ifindex;
	msg = nlmsg_alloc_simple(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK);
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO))
		goto out;
	if (!idm_nl_transact(&nl, msg, NULL, NULL))
		rc = 0;
out:
	nlmsg_free(msg);
	free(c.links);
	idm_nl_close(&nl);
	return rc;
}

/* The external link NAME's ifindex, or 0 with why said. */
static int external_ifindex(struct idm_nl *rt, const char *name)
{
	struct idm_link_list c = { 0 };
	int ifindex = 0;

	if (idm_link_dump(rt, name, &c))
		return 0;
	if (!c.links[0].external)
		fprintf(stderr, "Error: \"%s\" is not an external link\n", name);
	else
		ifindex = c.links[0].ifindex;
	free(c.links);
	return ifindex;
}

static void print_peers(const struct idm_link_peer *v, size_t n)
{
	char buf[64], rbuf[INET6_ADDRSTRLEN], name[IFNAMSIZ];
	size_t i;

	print_open_arr(NULL);
	for (i = 0; i < n; i++) {
		if (!if_indextoname(v[i].ifindex, name))
			snprintf(name, sizeof(name), "%d", v[i].ifindex);
		idm_prefix_format(&(struct idm_prefix){ .a = v[i].prefix, .len = v[i].len },
				  buf, sizeof(buf));
		inet_ntop(v[i].remote.family, v[i].remote.bytes, rbuf, sizeof(rbuf));
		print_open_obj(NULL);
		print_string(PRINT_ANY, "dev", "%s", name);
		print_string(PRINT_ANY, "prefix", " %s", buf);
		print_string(PRINT_ANY, "remote", " remote %s\n", rbuf);
		print_close_obj();
	}
	print_close_arr();
}

/* The peer of exactly p's prefix in v, or NULL. */
static const struct idm_link_peer *find_peer(const struct idm_link_peer *v, size_t n,
					     const struct idm_link_peer *p)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].len == p->len && v[i].prefix.family == p->prefix.family &&
		    !memcmp(v[i].prefix.bytes, p->prefix.bytes, p->prefix.len))
			return &v[i];
	return NULL;
}

/*
 * link peer add NAME (PREFIX remote ADDR)... | del NAME PREFIX... |
 * show [NAME]. Several changes go one by one; when the kernel refuses
 * one, those made are undone (a replaced peer gets its remote back).
 */
static int link_peer(const struct idm_opts *o, int argc, char **argv)
{
	struct idm_link_peer *want = NULL, *have = NULL;
	size_t i, k, nwant = 0, nhave = 0, done;
	int step, rc = 1, ifindex = 0;
	struct idm_nl rt, nl;
	struct idm_prefix pf;
	bool add, show;
	char why[160];

	show = argc == 0 || idm_matches(argv[0], "show") || idm_matches(argv[0], "list");
	add = argc > 0 && idm_matches(argv[0], "add");
	if (!show && !add && !idm_matches(argv[0], "delete"))
		return idm_usage_error("unknown command \"link peer %s\"; try \"idmesh link help\"",
				       argv[0]);
	step = add ? 3 : 1;
	if (show && argc > 2)
		return idm_usage_error("\"link peer show\" takes at most a NAME");
	if (!show && (argc < 2 + step || (argc - 2) % step))
		return idm_usage_error(add ? "\"link peer add\" needs NAME and PREFIX remote ADDR, once or more" :
				       "\"link peer del\" needs NAME and a PREFIX, once or more");
	if (!show)
		want = calloc((argc - 2) / step, sizeof(*want));
	for (i = 2; !show && i < (size_t)argc; i += step) {
		struct idm_link_peer *p = &want[nwant++];

		if (idm_prefix_parse(argv[i], true, &pf, why, sizeof(why))) {
			free(want);
			return idm_usage_error("prefix %s", why);
		}
		p->prefix = pf.a;
		p->len = pf.len;
		if (!add)
			continue;
		if (strcmp(argv[i + 1], "remote")) {
			free(want);
			return idm_usage_error("unknown argument \"%s\"; expected \"remote ADDR\"",
					       argv[i + 1]);
		}
		if (idm_parse_addr(argv[i + 2], &p->remote)) {
			free(want);
			return idm_usage_error("remote \"%s\" is not an IPv4 or IPv6 address",
					       argv[i + 2]);
		}
	}
	if (idm_rt_open(&rt, o->netns)) {
		free(want);
		return 1;
	}
	if (argc > 1) {
		ifindex = external_ifindex(&rt, argv[1]);
		if (!ifindex)
			goto out_rt;
	}
	if (idm_nl_open(&nl, o->netns))
		goto out_rt;
	if (idm_link_peer_dump(&nl, ifindex, &have, &nhave))
		goto out;
	if (show) {
		print_start(o->json, o->pretty);
		print_peers(have, nhave);
		print_end();
		rc = 0;
		goto out;
	}
	for (done = 0; done < nwant; done++) {
		want[done].ifindex = ifindex;
		if (idm_link_peer_change(&nl, add, &want[done]))
			break;
	}
	rc = 0;
	if (done == nwant)
		goto out;
	rc = 1;
	for (k = done; k-- > 0;) {
		const struct idm_link_peer *old = find_peer(have, nhave, &want[k]);

		/* What was there comes back: its old remote, or nothing. */
		if (old ? idm_link_peer_change(&nl, 1, old) :
		    add ? idm_link_peer_change(&nl, 0, &want[k]) : 0)
			rc = 2;
	}
	fprintf(stderr, rc == 1 ? "Nothing changed.\n" :
		"Error: the undo failed too; see \"idmesh link peer show\"\n");
	rc = 1;
out:
	free(have);
	idm_nl_close(&nl);
out_rt:
	idm_nl_close(&rt);
	free(want);
	return rc;
}

int cmd_link(const struct idm_opts *o, int argc, char **argv)
{
	if (argc == 0 || idm_matches(argv[0], "show") || idm_matches(argv[0], "list"))
		return link_show(o, argc ? argc - 1 : 0, argv + 1);
	if (idm_matches(argv[0], "add"))
		return link_add(o, argc - 1, argv + 1);
	if (idm_matches(argv[0], "delete"))
		return link_del(o, argc - 1, argv + 1);
	if (!strcmp(argv[0], "peer"))
		return link_peer(o, argc - 1, argv + 1);
	return idm_usage_error("unknown command \"link %s\"; try \"idmesh link help\"",
			       argv[0]);
}
