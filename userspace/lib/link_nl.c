// SPDX-License-Identifier: GPL-2.0
/* Requests for idmesh links over rtnetlink: create, dump, nsid names. */
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

#include "link.h"
#include "nl.h"

static int put_linkinfo(struct nl_msg *msg, const struct idm_link_spec *sp,
			int peer_ns_fd, int dev_ifindex)
{
	struct nlattr *li, *data, *peer;

	li = nla_nest_start(msg, IFLA_LINKINFO);
	if (!li || nla_put_string(msg, IFLA_INFO_KIND, IDMESH_LINK_KIND))
		return -1;
	data = nla_nest_start(msg, IFLA_INFO_DATA);
	if (!data)
		return -1;
	if (sp->peer) {
		struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };

		peer = nla_nest_start(msg, IFLA_IDMESH_PEER);
		if (!peer || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) ||
		    nla_put_string(msg, IFLA_IFNAME, sp->peer) ||
		    (sp->mtu && nla_put_u32(msg, IFLA_MTU, sp->mtu)) ||
		    (peer_ns_fd >= 0 && nla_put_u32(msg, IFLA_NET_NS_FD, peer_ns_fd)))
			return -1;
		nla_nest_end(msg, peer);
	} else {
		if ((sp->external ? nla_put_u8(msg, IFLA_IDMESH_EXTERNAL, sp->external) :
		     nla_put(msg, IFLA_IDMESH_REMOTE, sp->remote.len, sp->remote.bytes)) ||
		    (sp->local.family &&
		     nla_put(msg, IFLA_IDMESH_LOCAL, sp->local.len, sp->local.bytes)) ||
		    nla_put_u32(msg, IFLA_IDMESH_ID, sp->id) ||
		    (sp->port && nla_put_u16(msg, IFLA_IDMESH_PORT, htons(sp->port))) ||
		    (dev_ifindex && nla_put_u32(msg, IFLA_IDMESH_UNDERLAY, dev_ifindex)))
			return -1;
	}
	nla_nest_end(msg, data);
	nla_nest_end(msg, li);
	return 0;
}

int idm_link_create(struct idm_nl *nl, const struct idm_link_spec *sp)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	int ns_fd = -1, ifindex = 0, rc = -1;
	struct nl_msg *msg = NULL;

	if (sp->peer_netns) {
		char path[4096];

		idm_netns_path(sp->peer_netns, path, sizeof(path));
		ns_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (ns_fd < 0) {
			fprintf(stderr, "Error: cannot open network namespace \"%s\": %s\n",
				sp->peer_netns, strerror(errno));
			goto out;
		}
	}
	if (sp->dev) {
		ifindex = if_nametoindex(sp->dev);
		if (!ifindex) {
			fprintf(stderr, "Error: no device \"%s\"\n", sp->dev);
			goto out;
		}
	}
	msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK |
				 NLM_F_CREATE | NLM_F_EXCL);
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) ||
	    nla_put_string(msg, IFLA_IFNAME, sp->name) ||
	    (sp->mtu && nla_put_u32(msg, IFLA_MTU, sp->mtu)) ||
	    put_linkinfo(msg, sp, ns_fd, ifindex)) {
		fprintf(stderr, "Error: request does not fit in a message\n");
		goto out;
	}
	if (idm_nl_transact(nl, msg, NULL, NULL) == 0)
		rc = 0;
	else if (nl->error == -EOPNOTSUPP && !nl->extack.msg[0])
		fprintf(stderr, "Hint: is the idmesh module loaded? (the kernel does not know link kind \"%s\")\n",
			IDMESH_LINK_KIND);
out:
	nlmsg_free(msg);
	if (ns_fd >= 0)
		close(ns_fd);
	return rc;
}

static void addr_str(const struct nlattr *a, char *buf, size_t len)
{
	int n = nla_len(a);

	buf[0] = '\0';
	if (n == 4)
		inet_ntop(AF_INET, nla_data(a), buf, len);
	else if (n == 16)
		inet_ntop(AF_INET6, nla_data(a), buf, len);
}

static int link_valid(struct nl_msg *msg, void *arg)
{
	struct idm_link_list *c = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct ifinfomsg *ifi = nlmsg_data(nlh);
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
	struct nlattr *d[IFLA_IDMESH_MAX + 1];
	struct idm_link_info *l;
	int i;

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) ||
	    !tb[IFLA_LINKINFO] || !tb[IFLA_IFNAME] ||
	    nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) ||
	    !li[IFLA_INFO_KIND] ||
	    strcmp(nla_get_string(li[IFLA_INFO_KIND]), IDMESH_LINK_KIND))
		return NL_OK;
	if (c->only && strcmp(nla_get_string(tb[IFLA_IFNAME]), c->only))
		return NL_OK;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->links = realloc(c->links, c->cap * sizeof(*c->links));
		if (!c->links)
			return NL_STOP;
	}
	l = &c->links[c->n++];
	memset(l, 0, sizeof(*l));
	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	l->peer_nsid = -1;
	snprintf(l->name, sizeof(l->name), "%s", nla_get_string(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU])
		l->mtu = nla_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_IFALIAS])
		snprintf(l->alias, sizeof(l->alias), "%.*s", nla_len(tb[IFLA_IFALIAS]),
			 (const char *)nla_data(tb[IFLA_IFALIAS]));
	if (tb[IFLA_LINK_NETNSID])
		l->peer_nsid = (int32_t)nla_get_u32(tb[IFLA_LINK_NETNSID]);
	if (tb[IFLA_STATS64] && nla_len(tb[IFLA_STATS64]) >= (int)sizeof(l->st)) {
		memcpy(&l->st, nla_data(tb[IFLA_STATS64]), sizeof(l->st));
		l->has_stats = 1;
	}
	if (li[IFLA_INFO_XSTATS]) {
		struct nlattr *x;
		int rem;

		nla_for_each_nested(x, li[IFLA_INFO_XSTATS], rem) {
			i = nla_type(x);
			if (i > 0 && i <= IFLA_IDMESH_XSTATS_MAX && nla_len(x) == 8)
				l->drops[i] = nla_get_u64(x);
		}
	}
	if (!li[IFLA_INFO_DATA] ||
	    nla_parse_nested(d, IFLA_IDMESH_MAX, li[IFLA_INFO_DATA], NULL))
		return NL_OK;
	if (d[IFLA_IDMESH_MODE])
		l->mode = nla_get_u8(d[IFLA_IDMESH_MODE]);
	if (d[IFLA_IDMESH_MAX_MTU])
		l->max_mtu = nla_get_u32(d[IFLA_IDMESH_MAX_MTU]);
	if (d[IFLA_IDMESH_PEER_NAME])
		snprintf(l->peer, sizeof(l->peer), "%s",
			 nla_get_string(d[IFLA_IDMESH_PEER_NAME]));
	if (d[IFLA_IDMESH_REMOTE])
		addr_str(d[IFLA_IDMESH_REMOTE], l->remote, sizeof(l->remote));
	if (d[IFLA_IDMESH_LOCAL])
		addr_str(d[IFLA_IDMESH_LOCAL], l->local, sizeof(l->local));
	if (d[IFLA_IDMESH_ID])
		l->id = nla_get_u32(d[IFLA_IDMESH_ID]);
	if (d[IFLA_IDMESH_EXTERNAL])
		l->external = nla_get_u8(d[IFLA_IDMESH_EXTERNAL]);
	if (d[IFLA_IDMESH_PORT])
		l->port = ntohs(nla_get_u16(d[IFLA_IDMESH_PORT]));
	if (d[IFLA_IDMESH_UNDERLAY])
		l->underlay = nla_get_u32(d[IFLA_IDMESH_UNDERLAY]);
	return NL_OK;
}

struct nsid_ctx {
	int nsid;
};

static int nsid_valid(struct nl_msg *msg, void *arg)
{
	struct nsid_ctx *c = arg;
	struct nlattr *tb[NETNSA_MAX + 1];

	if (!nlmsg_parse(nlmsg_hdr(msg), sizeof(struct rtgenmsg), tb, NETNSA_MAX,
			 NULL) && tb[NETNSA_NSID])
		c->nsid = (int32_t)nla_get_u32(tb[NETNSA_NSID]);
	return NL_OK;
}

/* Name under /run/netns of the namespace with this nsid, as "ip" does. */
int idm_nsid_name(struct idm_nl *nl, int nsid, char *buf, size_t len)
{
	struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
	struct dirent *e;
	DIR *dir;
	int found = -1;

	dir = opendir("/run/netns");
	if (!dir)
		return -1;
	while (found && (e = readdir(dir))) {
		struct nsid_ctx c = { .nsid = -1 };
		struct nl_msg *msg;
		char path[4096];
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		msg = nlmsg_alloc_simple(RTM_GETNSID, NLM_F_REQUEST | NLM_F_ACK);
		if (msg && !nlmsg_append(msg, &g, sizeof(g), NLMSG_ALIGNTO) &&
		    !nla_put_u32(msg, NETNSA_FD, fd)) {
			/* A namespace we cannot resolve is not an error here. */
			nl->quiet = 1;
			if (!idm_nl_transact(nl, msg, nsid_valid, &c) && c.nsid == nsid) {
				snprintf(buf, len, "%s", e->d_name);
				found = 0;
			}
			nl->quiet = 0;
		}
		nlmsg_free(msg);
		close(fd);
	}
	closedir(dir);
	return found;
}


/*
 * The idmesh links of the namespace (only the one named "only", if given)
 * into c. Prints why and returns -1 on failure, or when "only" is not an
 * idmesh link.
 */
int idm_link_dump(struct idm_nl *nl, const char *only, struct idm_link_list *c)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *msg;
	int err = -1;

	memset(c, 0, sizeof(*c));
	c->only = only;
	msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP);
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) ||
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_VF)) {
		fprintf(stderr, "Error: out of memory\n");
		goto out;
	}
	if (idm_nl_transact(nl, msg, link_valid, c))
		goto out;
	if (only && c->n == 0) {
		/* A caller that only asks whether it is there says nothing. */
		if (!nl->quiet)
			fprintf(stderr, "Error: no idmesh link \"%s\"\n", only);
		goto out;
	}
	err = 0;
out:
	nlmsg_free(msg);
	return err;
}
