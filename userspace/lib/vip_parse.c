// SPDX-License-Identifier: GPL-2.0
/* Command line parsing of "idmesh vip" and "idmesh backend"; no netlink. */
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/idmesh.h>

#include "vip.h"

static int parse_port(const char *s, uint32_t *port, char *err, size_t errlen)
{
	return idm_parse_u32("port", s, 1, 65535, port, err, errlen);
}

static const struct idm_word modes[] = {
	{ "nat", IDMESH_VIP_MODE_NAT },
	{ "tunnel", IDMESH_VIP_MODE_TUNNEL },
	{ NULL, 0 },
};

int idm_parse_vip(int argc, char **argv, int what, struct idm_vip_spec *v,
		  int *used, char *err, size_t errlen)
{
	uint64_t seen = 0;
	const char *val;
	int i;

	memset(v, 0, sizeof(*v));
	if (argc < 1 || idm_parse_addr(argv[0], &v->addr)) {
		snprintf(err, errlen, argc < 1 ? "a VIP address is needed" :
			 "VIP \"%s\" is not an IPv4 or IPv6 address", argv[0]);
		return -1;
	}
	for (i = 1; i < argc; i++) {
		const char *k = argv[i];

		if (!strcmp(k, "backend"))
			break;
		val = idm_kv_value(argc, argv, &i, err, errlen);
		if (!val)
			return -1;
		if (!strcmp(k, "port")) {
			if (idm_kv_once(&seen, 0, k, err, errlen) ||
			    parse_port(val, &v->port, err, errlen))
				return -1;
		} else if (!strcmp(k, "proto")) {
			if (idm_kv_once(&seen, 1, k, err, errlen) ||
			    idm_parse_proto(val, false, &v->proto, err, errlen))
				return -1;
		} else if (what == IDM_VIP_NEW && !strcmp(k, "table-size")) {
			/* Range and primality are the kernel's to check. */
			if (idm_kv_once(&seen, 2, k, err, errlen) ||
			    idm_parse_u32("table-size", val, 1, UINT32_MAX,
					  &v->table_size, err, errlen))
				return -1;
		} else if (what != IDM_VIP_ID && !strcmp(k, "affinity")) {
			/* Seconds; "none" (or 0): no session affinity. */
			if (idm_kv_once(&seen, 4, k, err, errlen))
				return -1;
			if (strcmp(val, "none") &&
			    idm_parse_u32("affinity", val, 0, IDMESH_AFFINITY_MAX,
					  &v->affinity, err, errlen))
				return -1;
			v->has_affinity = 1;
		} else if (what == IDM_VIP_NEW && !strcmp(k, "mode")) {
			if (idm_kv_once(&seen, 3, k, err, errlen))
				return -1;
			if (idm_parse_word(val, modes, &v->mode)) {
				snprintf(err, errlen, "mode \"%s\" is not nat or tunnel",
					 val);
				return -1;
			}
		} else {
			snprintf(err, errlen, "unknown word \"%s\"", k);
			return -1;
		}
	}
	if (!v->proto) {
		snprintf(err, errlen, "a VIP needs \"proto tcp|udp|sctp\"");
		return -1;
	}
	if (what == IDM_VIP_SET && !v->has_affinity) {
		snprintf(err, errlen, "nothing to change: give \"affinity SECONDS|none\"");
		return -1;
	}
	*used = i;
	return 0;
}

int idm_parse_backend(int argc, char **argv, struct idm_backend_spec *b,
		      char *err, size_t errlen)
{
	uint64_t seen = 0;
	const char *val;
	int i;

	memset(b, 0, sizeof(*b));
	if (argc < 1 || idm_parse_addr(argv[0], &b->addr)) {
		snprintf(err, errlen, argc < 1 ? "a backend address is needed" :
			 "backend \"%s\" is not an IPv4 or IPv6 address", argv[0]);
		return -1;
	}
	for (i = 1; i < argc; i++) {
		const char *k = argv[i];

		val = idm_kv_value(argc, argv, &i, err, errlen);
		if (!val)
			return -1;
		if (!strcmp(k, "port")) {
			if (idm_kv_once(&seen, 0, k, err, errlen) ||
			    parse_port(val, &b->port, err, errlen))
				return -1;
		} else if (!strcmp(k, "weight")) {
			/* The kernel checks the range and says it. */
			if (idm_kv_once(&seen, 1, k, err, errlen) ||
			    idm_parse_u32("weight", val, 0, UINT32_MAX,
					  &b->weight, err, errlen))
				return -1;
			b->has_weight = 1;
		} else {
			snprintf(err, errlen, "unknown word \"%s\"", k);
			return -1;
		}
	}
	return 0;
}
