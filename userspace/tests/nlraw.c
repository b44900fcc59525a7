// SPDX-License-Identifier: GPL-2.0
/*
 * nlraw: send one hand-made request to the idmesh family, for tests of
 * what the kernel refuses. Prints "error N" and the extack text if any.
 *
 *   nlraw [-r RESERVED] CMD [TYPE:HEXBYTES]...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <linux/idmesh.h>

#include "nl.h"

static int done, kerr;
static struct idm_extack ex;

static int on_err(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	kerr = e->error;
	idm_nl_parse_extack((struct nlmsghdr *)((char *)e - NLMSG_HDRLEN), &ex);
	done = 1;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	done = 1;
	return NL_STOP;
}

int main(int argc, char **argv)
{
	struct idm_nl nl;
	struct nl_msg *msg;
	struct nl_cb *cb;
	struct genlmsghdr *g;
	int reserved = 0, i = 1;

	if (argc > 2 && !strcmp(argv[1], "-r")) {
		reserved = atoi(argv[2]);
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: nlraw [-r RESERVED] CMD [TYPE:HEX]...\n");
		return 2;
	}
	if (idm_nl_open(&nl, NULL))
		return 1;
	msg = nlmsg_alloc();
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl.family, 0, NLM_F_ACK,
			 atoi(argv[i++]), IDMESH_GENL_VERSION))
		return 1;
	/* genlmsg_put() returns the family header; ours is before it. */
	g = nlmsg_data(nlmsg_hdr(msg));
	g->reserved = reserved;
	for (; i < argc; i++) {
		unsigned char buf[256];
		char *hex = strchr(argv[i], ':');
		size_t n = 0;

		if (!hex)
			return 2;
		for (hex++; hex[0] && hex[1] && n < sizeof(buf); hex += 2) {
			unsigned int b;

			sscanf(hex, "%2x", &b);
			buf[n++] = b;
		}
		nla_put(msg, atoi(argv[i]), n, buf);
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	nl_cb_err(cb, NL_CB_CUSTOM, on_err, NULL);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, NULL);
	if (nl_send_auto(nl.sk, msg) < 0)
		return 1;
	while (!done)
		if (nl_recvmsgs(nl.sk, cb) < 0 && !done)
			return 1;
	printf("error %d%s%s", kerr, ex.msg[0] ? ": " : "", ex.msg);
	if (ex.has_range)
		printf(" [%llu..%llu]", (unsigned long long)ex.min,
		       (unsigned long long)ex.max);
	printf("\n");
	return 0;
}
