// SPDX-License-Identifier: GPL-2.0
/* Parsing of "idmesh link add" arguments; no netlink in here. */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/idmesh.h>

#include "link.h"

/* Parse "link add" arguments (after NAME) into spec; 0 or usage error. */
int idm_parse_link_add(int argc, char **argv, struct idm_link_spec *sp,
		       char *err, size_t errlen)
{
	int i, fam = 0;

	memset(sp, 0, sizeof(*sp));
	if (argc < 1) {
		snprintf(err, errlen, "\"link add\" needs a NAME");
		return -1;
	}
	sp->name = argv[0];
	if (strlen(sp->name) >= IFNAMSIZ) {
		snprintf(err, errlen, "name \"%s\" is longer than %d characters",
			 sp->name, IFNAMSIZ - 1);
		return -1;
	}
	for (i = 1; i < argc; i++) {
		const char *k = argv[i], *v;

		/* "external [inet|inet6]": no value of its own needed. */
		if (!strcmp(k, "external")) {
			sp->external = 4;
			if (i + 1 < argc && (!strcmp(argv[i + 1], "inet") ||
					     !strcmp(argv[i + 1], "inet6"))) {
				fam = strcmp(argv[++i], "inet6") ? 4 : 6;
				sp->external = fam;
			}
			continue;
		}
		v = idm_kv_value(argc, argv, &i, err, errlen);
		if (!v)
			return -1;
		if (!strcmp(k, "peer")) {
			if (strlen(v) >= IFNAMSIZ) {
				snprintf(err, errlen, "peer name \"%s\" is too long", v);
				return -1;
			}
			sp->peer = v;
		} else if (!strcmp(k, "netns")) {
			sp->peer_netns = v;
		} else if (!strcmp(k, "remote") || !strcmp(k, "local")) {
			struct idm_addr *a = k[0] == 'r' ? &sp->remote : &sp->local;

			if (idm_parse_addr(v, a)) {
				snprintf(err, errlen, "%s \"%s\" is not an IPv4 or IPv6 address",
					 k, v);
				return -1;
			}
		} else if (!strcmp(k, "id")) {
			if (idm_parse_u32("id", v, 1, IDMESH_ID_MAX, &sp->id, err, errlen))
				return -1;
		} else if (!strcmp(k, "port")) {
			if (idm_parse_u32("port", v, 1, 65535, &sp->port, err, errlen))
				return -1;
		} else if (!strcmp(k, "mtu")) {
			if (idm_parse_u32("mtu", v, 68, 65535, &sp->mtu, err, errlen))
				return -1;
		} else if (!strcmp(k, "dev")) {
			sp->dev = v;
		} else {
			snprintf(err, errlen, "unknown argument \"%s\"; try \"idmesh link help\"",
				 k);
			return -1;
		}
	}
	if (!!sp->peer + !!sp->remote.family + !!sp->external > 1) {
		snprintf(err, errlen, "a link has a peer, a remote or external, one of them");
		return -1;
	}
	if (!sp->peer && !sp->remote.family && !sp->external) {
		snprintf(err, errlen,
			 "a link needs \"peer PEER\", \"remote ADDR\" or \"external\"");
		return -1;
	}
	/* An external link's family is its local address's, if given. */
	if (sp->external && sp->local.family) {
		if (fam && (fam == 6) != (sp->local.family == AF_INET6)) {
			snprintf(err, errlen, "local is not of the family external names");
			return -1;
		}
		sp->external = sp->local.family == AF_INET6 ? 6 : 4;
	}
	if (sp->external && !sp->id) {
		snprintf(err, errlen, "an external link needs \"id ID\"");
		return -1;
	}
	if (sp->peer && (sp->id || sp->port || sp->dev || sp->local.family)) {
		snprintf(err, errlen, "id, local, port and dev are for remote links");
		return -1;
	}
	if (!sp->peer && sp->peer_netns) {
		snprintf(err, errlen, "netns is for the peer of a local pair");
		return -1;
	}
	if (sp->remote.family && !sp->id) {
		snprintf(err, errlen, "a remote link needs \"id ID\"");
		return -1;
	}
	return 0;
}

