// SPDX-License-Identifier: GPL-2.0
/* Command line parsing of "idmesh sacl"; no netlink. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/idmesh.h>

#include "cli.h"
#include "sacl.h"

const char *idm_sacl_proto_name(unsigned int proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	case IPPROTO_ICMP:
		return "icmp";
	}
	return NULL;
}

/* IPv6, or IPv4 kept IPv4-mapped (as the kernel keys its tables). */
int idm_addr46_pton(const char *s, struct in6_addr *a)
{
	struct in_addr a4;

	if (inet_pton(AF_INET, s, &a4) == 1) {
		memset(a, 0, sizeof(*a));
		a->s6_addr[10] = 0xff;
		a->s6_addr[11] = 0xff;
		memcpy(&a->s6_addr[12], &a4, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, a) != 1)
		return -1;
	/* IPv4 is written as IPv4: "::ffff:a.b.c.d" would be the same key. */
	return IN6_IS_ADDR_V4MAPPED(a) ? -1 : 0;
}

void idm_addr46_ntop(const struct in6_addr *a, char *buf, size_t len)
{
	if (IN6_IS_ADDR_V4MAPPED(a))
		inet_ntop(AF_INET, &a->s6_addr[12], buf, len);
	else
		inet_ntop(AF_INET6, a, buf, len);
}

/* Decimal or 0x-hex, the whole 64 bits; 0 is passed on to the kernel. */
int idm_parse_u64(const char *what, const char *s, uint64_t *out, char *err,
		  size_t errlen)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s < '0' || *s > '9') {
		snprintf(err, errlen, "%s \"%s\" is not a number", what,
			 s ? s : "");
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 0);
	if (*end || errno == ERANGE) {
		snprintf(err, errlen, "%s \"%s\" is not a number of 64 bits",
			 what, s);
		return -1;
	}
	*out = v;
	return 0;
}

int idm_parse_id_prefix(const char *what, const char *s, uint64_t *id,
			uint32_t *bits, char *err, size_t errlen)
{
	const char *slash = strchr(s, '/');
	char num[32];

	*bits = 64;
	if (!slash)
		return idm_parse_u64(what, s, id, err, errlen);
	if ((size_t)(slash - s) >= sizeof(num)) {
		snprintf(err, errlen, "%s \"%s\" is not a number", what, s);
		return -1;
	}
	memcpy(num, s, slash - s);
	num[slash - s] = '\0';
	if (idm_parse_u64(what, num, id, err, errlen))
		return -1;
	if (idm_parse_u32("prefix length", slash + 1, 1, 64, bits, err, errlen))
		return -1;
	if (*bits < 64 && (*id & (~0ull >> *bits))) {
		snprintf(err, errlen, "%s \"%s\" has bits set past its prefix length",
			 what, s);
		return -1;
	}
	return 0;
}

int idm_sacl_parse_proto(const char *s, uint32_t *proto, char *err,
			 size_t errlen)
{
	static const unsigned int known[] = { IPPROTO_TCP, IPPROTO_UDP,
					      IPPROTO_SCTP, IPPROTO_ICMPV6,
					      IPPROTO_ICMP };
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(s, idm_sacl_proto_name(known[i]))) {
			*proto = known[i];
			return 0;
		}
	if (!idm_parse_u32("proto", s, 1, 255, proto, err, errlen))
		return 0;
	snprintf(err, errlen,
		 "proto \"%s\" is not tcp, udp, sctp, icmp, icmpv6 or a number", s);
	return -1;
}

/* An skb priority: a number (0x... too), or a tc class id "MAJ:MIN" (hex). */
int idm_sacl_parse_priority(const char *s, uint32_t *out, char *err,
			    size_t errlen)
{
	unsigned long maj, min;
	char *end;

	if (strchr(s, ':')) {
		errno = 0;
		maj = strtoul(s, &end, 16);
		if (*end == ':' && end != s) {
			const char *m = end + 1;

			min = strtoul(m, &end, 16);
			if (!*end && end != m && !errno && maj <= 0xffff && min <= 0xffff) {
				*out = (uint32_t)(maj << 16 | min);
				return 0;
			}
		}
	} else {
		uint64_t v;

		if (!idm_parse_u64("priority", s, &v, err, errlen) && v <= UINT32_MAX) {
			*out = (uint32_t)v;
			return 0;
		}
	}
	snprintf(err, errlen,
		 "priority \"%s\" is not a 32-bit number or a class id MAJ:MIN", s);
	return -1;
}

static int parse_action(const char *s, uint32_t *a)
{
	if (!strcmp(s, "allow"))
		*a = IDMESH_SACL_ALLOW;
	else if (!strcmp(s, "deny"))
		*a = IDMESH_SACL_DENY;
	else
		return -1;
	return 0;
}

static int parse_onoff(const char *s, uint32_t *v)
{
	if (!strcmp(s, "on"))
		*v = 1;
	else if (!strcmp(s, "off"))
		*v = 0;
	else
		return -1;
	return 0;
}

static const char *const kind_name[] = {
	[IDMESH_SACL_KIND_PORT] = "port",
	[IDMESH_SACL_KIND_CLIENT] = "client",
	[IDMESH_SACL_KIND_SERVER] = "server",
	[IDMESH_SACL_KIND_RULE] = "rule",
	[IDMESH_SACL_KIND_TRUST] = "trust",
};

#define SET(a) (s->has |= 1ull << (a))

/* "dev DEV", or "ADDR[/LEN]": a device or source prefix tags come from. */
static int parse_trust(int argc, char **argv, struct idm_sacl_spec *s,
		       char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash;
	struct in6_addr a;
	size_t n;

	if (argc == 2 && !strcmp(argv[0], "dev")) {
		s->dev = argv[1];
		SET(IDMESH_SACL_A_IFINDEX);
		return 0;
	}
	if (argc != 1 || !strcmp(argv[0], "dev")) {
		snprintf(err, errlen, "trust is \"dev DEV\", or a prefix ADDR[/LEN]");
		return -1;
	}
	slash = strchr(argv[0], '/');
	n = slash ? (size_t)(slash - argv[0]) : strlen(argv[0]);
	if (n >= sizeof(addr))
		n = sizeof(addr) - 1;
	memcpy(addr, argv[0], n);
	addr[n] = '\0';
	if (idm_addr46_pton(addr, &a) || idm_parse_addr(addr, &s->addr)) {
		snprintf(err, errlen, "trust \"%s\" is not an IPv4 or IPv6 prefix",
			 argv[0]);
		return -1;
	}
	SET(IDMESH_SACL_A_ADDR);
	if (!slash)
		return 0;
	if (idm_parse_u32("prefix length", slash + 1, 0,
			  s->addr.family == AF_INET ? 32 : 128, &s->plen, err,
			  errlen))
		return -1;
	SET(IDMESH_SACL_A_PREFIX_LEN);
	return 0;
}

int idm_parse_sacl_entry(int argc, char **argv, int kind, int del,
			 struct idm_sacl_spec *s, char *err, size_t errlen)
{
	int i = 0;

	memset(s, 0, sizeof(*s));
	s->kind = kind;
	if (kind == IDMESH_SACL_KIND_TRUST)
		return parse_trust(argc, argv, s, err, errlen);
	/* The first word: a port's device, a client's or server's address. */
	if (kind == IDMESH_SACL_KIND_PORT) {
		if (argc < 1) {
			snprintf(err, errlen, "a port needs a device");
			return -1;
		}
		s->dev = argv[i++];
		SET(IDMESH_SACL_A_IFINDEX);
	} else if ((kind == IDMESH_SACL_KIND_CLIENT && argc > 0 &&
		    strcmp(argv[0], "dev")) || kind == IDMESH_SACL_KIND_SERVER) {
		struct in6_addr a;

		if (argc < 1 || idm_addr46_pton(argv[0], &a) ||
		    idm_parse_addr(argv[0], &s->addr)) {
			snprintf(err, errlen, argc < 1 ?
				 "a %s needs an IPv4 or IPv6 address" :
				 "%s \"%s\" is not an IPv4 or IPv6 address (IPv4 is written a.b.c.d)",
				 kind_name[kind], argc < 1 ? "" : argv[0]);
			return -1;
		}
		i++;
		SET(IDMESH_SACL_A_ADDR);
	}
	for (; i < argc; i++) {
		const char *k = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		int takes_val = 1;

		if (kind == IDMESH_SACL_KIND_PORT && !strcmp(k, "marker") && !del) {
			s->marker = 1;
			SET(IDMESH_SACL_A_MARKER);
			takes_val = 0;
		} else if (kind == IDMESH_SACL_KIND_RULE && !del &&
			   !parse_action(k, &s->action)) {
			if (IDM_HAS(s, IDMESH_SACL_A_ACTION)) {
				snprintf(err, errlen, "allow or deny, once");
				return -1;
			}
			SET(IDMESH_SACL_A_ACTION);
			takes_val = 0;
		} else if (!val) {
			snprintf(err, errlen, "unknown word \"%s\" or no value after it", k);
			return -1;
		} else if (kind == IDMESH_SACL_KIND_CLIENT && !strcmp(k, "dev") &&
			   !IDM_HAS(s, IDMESH_SACL_A_ADDR)) {
			s->dev = val;
			SET(IDMESH_SACL_A_IFINDEX);
		} else if (kind == IDMESH_SACL_KIND_CLIENT && !strcmp(k, "lid") &&
			   s->dev) {
			if (idm_parse_u32("lid", val, 0, IDMESH_SACL_LID_MAX,
					  &s->lid, err, errlen))
				return -1;
			SET(IDMESH_SACL_A_LID);
		} else if ((kind == IDMESH_SACL_KIND_CLIENT ||
			    kind == IDMESH_SACL_KIND_SERVER) &&
			   !strcmp(k, "id") && !del) {
			if (idm_parse_u64("id", val, &s->id, err, errlen))
				return -1;
			SET(IDMESH_SACL_A_ID);
		} else if (kind == IDMESH_SACL_KIND_SERVER && !strcmp(k, "proto")) {
			if (idm_sacl_parse_proto(val, &s->proto, err, errlen))
				return -1;
			SET(IDMESH_SACL_A_PROTO);
		} else if (kind == IDMESH_SACL_KIND_SERVER && !strcmp(k, "port")) {
			if (idm_parse_u32("port", val, 1, 65535, &s->port, err,
					  errlen))
				return -1;
			SET(IDMESH_SACL_A_PORT);
		} else if (kind == IDMESH_SACL_KIND_RULE && !strcmp(k, "client")) {
			if (idm_parse_id_prefix("client", val, &s->client, &s->cbits,
						err, errlen))
				return -1;
			SET(IDMESH_SACL_A_CLIENT_ID);
			if (s->cbits < 64)
				SET(IDMESH_SACL_A_CLIENT_BITS);
		} else if (kind == IDMESH_SACL_KIND_RULE && !strcmp(k, "server")) {
			if (idm_parse_id_prefix("server", val, &s->server, &s->sbits,
						err, errlen))
				return -1;
			SET(IDMESH_SACL_A_SERVER_ID);
			if (s->sbits < 64)
				SET(IDMESH_SACL_A_SERVER_BITS);
		} else if (kind == IDMESH_SACL_KIND_RULE && !strcmp(k, "priority") &&
			   !del) {
			if (idm_sacl_parse_priority(val, &s->priority, err, errlen))
				return -1;
			SET(IDMESH_SACL_A_PRIORITY);
		} else if (kind == IDMESH_SACL_KIND_RULE && !strcmp(k, "dscp") &&
			   !del) {
			if (idm_parse_u32("dscp", val, 0, IDMESH_SACL_DSCP_MAX,
					  &s->dscp, err, errlen))
				return -1;
			SET(IDMESH_SACL_A_DSCP);
		} else {
			snprintf(err, errlen, "unknown word \"%s\"", k);
			return -1;
		}
		i += takes_val;
	}
	switch (kind) {
	case IDMESH_SACL_KIND_CLIENT:
		if (!IDM_HAS(s, IDMESH_SACL_A_ADDR) &&
		    (!s->dev || !IDM_HAS(s, IDMESH_SACL_A_LID))) {
			snprintf(err, errlen,
				 "a client is ADDR, or dev DEV lid LID");
			return -1;
		}
		/* fall through */
	case IDMESH_SACL_KIND_SERVER:
		if (!del && !IDM_HAS(s, IDMESH_SACL_A_ID)) {
			snprintf(err, errlen, "a %s needs its SACL id", kind_name[kind]);
			return -1;
		}
		break;
	case IDMESH_SACL_KIND_RULE:
		if (!IDM_HAS(s, IDMESH_SACL_A_CLIENT_ID) ||
		    !IDM_HAS(s, IDMESH_SACL_A_SERVER_ID)) {
			snprintf(err, errlen, "a rule needs client ID and server ID");
			return -1;
		}
		break;
	}
	return 0;
}

int idm_parse_sacl_set(int argc, char **argv, struct idm_sacl_spec *s,
		       char *err, size_t errlen)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->kind = IDMESH_SACL_KIND_SETTINGS;
	if (!argc) {
		snprintf(err, errlen, "nothing to set");
		return -1;
	}
	for (i = 0; i < argc; i += 2) {
		const char *k = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!val) {
			snprintf(err, errlen, "no value after \"%s\"", k);
			return -1;
		}
		if (!strcmp(k, "option-type")) {
			if (idm_parse_u32("option-type", val, 0, 255, &s->opt_type,
					  err, errlen)) {
				/* strtoull base 10 there: allow 0x too. */
				uint64_t v;

				if (idm_parse_u64("option-type", val, &v, err, errlen))
					return -1;
				if (v > 255) {
					snprintf(err, errlen,
						 "option-type %s is not one byte", val);
					return -1;
				}
				s->opt_type = v;
			}
			SET(IDMESH_SACL_A_OPT_TYPE);
		} else if (!strcmp(k, "ipv4-option-type")) {
			if (idm_parse_u32("ipv4-option-type", val, 0, 255,
					  &s->opt_type4, err, errlen))
				return -1;
			SET(IDMESH_SACL_A_OPT_TYPE4);
		} else if (!strcmp(k, "default")) {
			if (parse_action(val, &s->def_action)) {
				snprintf(err, errlen,
					 "default \"%s\" is not allow or deny", val);
				return -1;
			}
			SET(IDMESH_SACL_A_DEFAULT);
		} else if (!strcmp(k, "marker")) {
			if (parse_onoff(val, &s->marker)) {
				snprintf(err, errlen, "marker \"%s\" is not on or off",
					 val);
				return -1;
			}
			SET(IDMESH_SACL_A_MARKER);
		} else {
			snprintf(err, errlen, "unknown setting \"%s\"", k);
			return -1;
		}
	}
	return 0;
}
