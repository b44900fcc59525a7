// SPDX-License-Identifier: GPL-2.0
/* Command line parsing of "idmesh vip" and "idmesh backend"; no netlink. */
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/idmesh.h>

#include "cli.h"
#include "vip.h"

const char *idm_proto_name(unsigned int proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_SCTP:
		return "sctp";
	}
	return NULL;
}

static int parse_proto(const char *s, uint32_t *proto, char *err, size_t errlen)
{
	static const unsigned int known[] = { IPPROTO_TCP, IPPROTO_UDP,
					      IPPROTO_SCTP };
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(s, idm_proto_name(known[i]))) {
			*proto = known[i];
			return 0;
		}
	/* A number is passed on: the kernel says which it takes. */
	if (!idm_parse_u32("proto", s, 1, 255, proto, err, errlen))
		return 0;
	snprintf(err, errlen, "proto \"%s\" is not tcp, udp or sctp", s);
	return -1;
}

static int parse_port(const char *s, uint32_t *port, char *err, size_t errlen)
{
	return idm_parse_u32("port", s, 1, 65535, port, err, errlen);
}

int idm_parse_vip(int argc, char **argv, int what, struct idm_vip_spec *v,
		  int *used, char *err, size_t errlen)
{
	int i, seen_port = 0;

	memset(v, 0, sizeof(*v));
	if (argc < 1 || idm_parse_addr(argv[0], &v->addr)) {
		snprintf(err, errlen, argc < 1 ? "a VIP address is needed" :
			 "VIP \"%s\" is not an IPv4 or IPv6 address", argv[0]);
		return -1;
	}
	for (i = 1; i < argc; i++) {
		const char *k = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(k, "backend"))
			break;
		if (!val) {
			snprintf(err, errlen, "\"%s\" needs a value", k);
			return -1;
		}
		if (!strcmp(k, "port")) {
			if (seen_port++) {
				snprintf(err, errlen, "\"port\" given twice");
				return -1;
			}
			if (parse_port(val, &v->port, err, errlen))
				return -1;
		} else if (!strcmp(k, "proto")) {
			if (v->proto) {
				snprintf(err, errlen, "\"proto\" given twice");
				return -1;
			}
			if (parse_proto(val, &v->proto, err, errlen))
				return -1;
		} else if (what == IDM_VIP_NEW && !strcmp(k, "table-size")) {
			if (v->table_size) {
				snprintf(err, errlen, "\"table-size\" given twice");
				return -1;
			}
			/* Range and primality are the kernel's to check. */
			if (idm_parse_u32("table-size", val, 1, UINT32_MAX,
					  &v->table_size, err, errlen))
				return -1;
		} else if (what == IDM_VIP_NEW && !strcmp(k, "mode")) {
			if (v->mode) {
				snprintf(err, errlen, "\"mode\" given twice");
				return -1;
			}
			if (!strcmp(val, "nat")) {
				v->mode = IDMESH_VIP_MODE_NAT;
			} else if (!strcmp(val, "tunnel")) {
				v->mode = IDMESH_VIP_MODE_TUNNEL;
			} else {
				snprintf(err, errlen, "mode \"%s\" is not nat or tunnel",
					 val);
				return -1;
			}
		} else {
			snprintf(err, errlen, "unknown word \"%s\"", k);
			return -1;
		}
		i++;
	}
	if (!v->proto) {
		snprintf(err, errlen, "a VIP needs \"proto tcp|udp|sctp\"");
		return -1;
	}
	*used = i;
	return 0;
}

int idm_parse_backend(int argc, char **argv, struct idm_backend_spec *b,
		      char *err, size_t errlen)
{
	int i;

	memset(b, 0, sizeof(*b));
	if (argc < 1 || idm_parse_addr(argv[0], &b->addr)) {
		snprintf(err, errlen, argc < 1 ? "a backend address is needed" :
			 "backend \"%s\" is not an IPv4 or IPv6 address", argv[0]);
		return -1;
	}
	for (i = 1; i < argc; i += 2) {
		const char *k = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!val) {
			snprintf(err, errlen, "\"%s\" needs a value", k);
			return -1;
		}
		if (!strcmp(k, "port")) {
			if (b->port) {
				snprintf(err, errlen, "\"port\" given twice");
				return -1;
			}
			if (parse_port(val, &b->port, err, errlen))
				return -1;
		} else if (!strcmp(k, "weight")) {
			if (b->has_weight++) {
				snprintf(err, errlen, "\"weight\" given twice");
				return -1;
			}
			/* The kernel checks the range and says it. */
			if (idm_parse_u32("weight", val, 0, UINT32_MAX,
					  &b->weight, err, errlen))
				return -1;
		} else {
			snprintf(err, errlen, "unknown word \"%s\"", k);
			return -1;
		}
	}
	return 0;
}
