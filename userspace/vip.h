/* SPDX-License-Identifier: GPL-2.0 */
/* idmesh vip / backend: what a command line asks for. */
#ifndef IDMESH_VIP_H
#define IDMESH_VIP_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"

struct idm_vip_spec {
	struct idm_addr addr;
	uint32_t port;		/* 0: every port */
	uint32_t proto;		/* 0: not given */
	uint32_t table_size;	/* 0: not given */
	uint32_t mode;		/* 0: not given, else enum idmesh_vip_mode */
};

struct idm_backend_spec {
	struct idm_addr addr;
	uint32_t port;		/* 0: not given */
	uint32_t weight;
	int has_weight;
};

/* Which words a command accepts after the VIP's address. */
enum { IDM_VIP_ID, IDM_VIP_NEW };

/*
 * Parse "ADDR [port P] proto PROTO [table-size M] [mode nat|tunnel]" from
 * argv; stops at "backend" (its index in *used, else argc). Returns 0, or
 * -1 with a message in err.
 */
int idm_parse_vip(int argc, char **argv, int what, struct idm_vip_spec *v,
		  int *used, char *err, size_t errlen);
/* Parse "ADDR [port P] [weight W]". */
int idm_parse_backend(int argc, char **argv, struct idm_backend_spec *b,
		      char *err, size_t errlen);

#endif
