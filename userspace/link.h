/* SPDX-License-Identifier: GPL-2.0 */
/* idmesh link: what "link add" asks for. */
#ifndef IDMESH_LINK_H
#define IDMESH_LINK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct idm_addr {
	int family;		/* 0: none */
	int len;		/* 4 or 16 */
	unsigned char bytes[16];
};

struct idm_link_spec {
	const char *name;
	const char *peer;
	const char *peer_netns;
	struct idm_addr remote, local;
	uint32_t id, port, mtu;
	const char *dev;
};

int idm_parse_addr(const char *s, struct idm_addr *a);
int idm_parse_link_add(int argc, char **argv, struct idm_link_spec *sp,
		       char *err, size_t errlen);

#endif
