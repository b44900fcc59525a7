/* SPDX-License-Identifier: GPL-2.0 */
/* idmesh link: what "link add" asks for. */
#ifndef IDMESH_LINK_H
#define IDMESH_LINK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "parse.h"

struct idm_link_spec {
	const char *name;
	const char *peer;
	const char *peer_netns;
	struct idm_addr remote, local;
	uint32_t id, port, mtu;
	const char *dev;
};

int idm_parse_link_add(int argc, char **argv, struct idm_link_spec *sp,
		       char *err, size_t errlen);

#endif
