/* SPDX-License-Identifier: GPL-2.0 */
/* idmesh vip / backend: what a command line asks for. */
#ifndef IDMESH_VIP_H
#define IDMESH_VIP_H

#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>

#include "parse.h"

struct idm_vip_spec {
	struct idm_addr addr;
	uint32_t port;		/* 0: every port */
	uint32_t proto;		/* 0: not given */
	uint32_t table_size;	/* 0: not given */
	uint32_t mode;		/* 0: not given, else enum idmesh_vip_mode */
	uint32_t affinity;	/* seconds, 0: none */
	int has_affinity;	/* affinity given (sent, even if 0) */
};

struct idm_backend_spec {
	struct idm_addr addr;
	uint32_t port;		/* 0: not given */
	uint32_t weight;
	int has_weight;
};

/* Which words a command accepts after the VIP's address. */
enum { IDM_VIP_ID, IDM_VIP_NEW, IDM_VIP_SET };

/*
 * Parse "ADDR [port P] proto PROTO" from argv, then for IDM_VIP_NEW
 * "[table-size M] [mode nat|tunnel] [affinity S]", for IDM_VIP_SET
 * "affinity S|none" (needed); stops at "backend" (its index in *used, else
 * argc). Returns 0, or -1 with a message in err.
 */
int idm_parse_vip(int argc, char **argv, int what, struct idm_vip_spec *v,
		  int *used, char *err, size_t errlen);
/* Parse "ADDR [port P] [weight W]". */
int idm_parse_backend(int argc, char **argv, struct idm_backend_spec *b,
		      char *err, size_t errlen);

/* Over netlink (vip_nl.c). */
struct idm_vip_req {
	const struct idm_vip_spec *vip;
	const struct idm_backend_spec *be;	/* nbe of them */
	size_t nbe;
};

/* What a dump reports. */
struct idm_be_info {
	char addr[INET6_ADDRSTRLEN];
	uint32_t port, weight, index, slots, flows, down, downs;
	uint64_t packets, bytes;
};

struct idm_vip_info {
	char addr[INET6_ADDRSTRLEN];
	uint32_t port, proto, mode, table_size, flows, builds;
	uint32_t affinity, clients;
	uint64_t packets, bytes, no_backend, no_route, build_ns;
	struct idm_be_info *be;
	size_t nbe;
};

struct idm_vip_list {
	struct idm_vip_info *v;
	size_t n;
	/* table dump */
	uint16_t *slots;
	size_t nslots;
	int failed;
};

struct nl_msg;
struct idm_nl;
/* The request's VIP nest and backend nests, from a struct idm_vip_req. */
int idm_vip_put(struct nl_msg *msg, void *arg);
/* A VIP_GET or TABLE_GET dump (of one VIP, if only names it). */
int idm_vip_dump(struct idm_nl *nl, uint8_t cmd, const struct idm_vip_spec *only,
		 struct idm_vip_list *l);
void idm_vip_list_free(struct idm_vip_list *l);
/* One request about vip and nbe backends; the kernel's refusal is printed. */
int idm_vip_request(struct idm_nl *nl, uint8_t cmd,
		    const struct idm_vip_spec *vip,
		    const struct idm_backend_spec *be, size_t nbe);

#endif
