// SPDX-License-Identifier: GPL-2.0
/* Command line parsing of "idmesh sacl"; no netlink. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/idmesh.h>

#include "sacl.h"

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

static const char *const kind_name[] = {
	[IDMESH_SACL_KIND_PORT] = "port",
	[IDMESH_SACL_KIND_CLIENT] = "client",
	[IDMESH_SACL_KIND_SERVER] = "server",
	[IDMESH_SACL_KIND_RULE] = "rule",
	[IDMESH_SACL_KIND_TRUST] = "trust",
	[IDMESH_SACL_KIND_PEER] = "peer",
};

#define SET(a) (s->has |= 1ull << (a))

/* "ADDR[/LEN]", a trusted source's or a peer's (what names it). */
static int parse_prefix(const char *what, const char *w, struct idm_sacl_spec *s,
			char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash;
	struct in6_addr a;
	size_t n;

	slash = strchr(w, '/');
	n = slash ? (size_t)(slash - w) : strlen(w);
	if (n >= sizeof(addr))
		n = sizeof(addr) - 1;
	memcpy(addr, w, n);
	addr[n] = '\0';
	if (idm_addr46_pton(addr, &a) || idm_parse_addr(addr, &s->addr)) {
		snprintf(err, errlen, "%s \"%s\" is not an IPv4 or IPv6 prefix",
			 what, w);
		return -1;
	}
	SET(IDMESH_SACL_A_ADDR6);
	if (!slash)
		return 0;
	if (idm_parse_u32("prefix length", slash + 1, 0,
			  s->addr.family == AF_INET ? 32 : 128, &s->plen, err,
			  errlen))
		return -1;
	SET(IDMESH_SACL_A_PREFIX_LEN);
	return 0;
}

/* "dev DEV", or "ADDR[/LEN]": a device or source prefix tags come from. */
static int parse_trust(int argc, char **argv, struct idm_sacl_spec *s,
		       char *err, size_t errlen)
{
	if (argc == 2 && !strcmp(argv[0], "dev")) {
		s->dev = argv[1];
		SET(IDMESH_SACL_A_IFINDEX);
		return 0;
	}
	if (argc != 1 || !strcmp(argv[0], "dev")) {
		snprintf(err, errlen, "trust is \"dev DEV\", or a prefix ADDR[/LEN]");
		return -1;
	}
	return parse_prefix("trust", argv[0], s, err, errlen);
}

/* "ADDR[/LEN] [id ID]": a peer (the ID is add's). */
static int parse_peer(int argc, char **argv, int del, struct idm_sacl_spec *s,
		      char *err, size_t errlen)
{
	if (argc < 1) {
		snprintf(err, errlen, "a peer needs a prefix ADDR[/LEN]");
		return -1;
	}
	if (parse_prefix("peer", argv[0], s, err, errlen))
		return -1;
	if (argc == 1 && del)
		return 0;
	if (del) {
		snprintf(err, errlen, "\"%s\" is for add only: del names the peer alone",
			 argv[1]);
		return -1;
	}
	if (argc != 3 || strcmp(argv[1], "id")) {
		snprintf(err, errlen, "a peer is ADDR[/LEN] id ID");
		return -1;
	}
	if (idm_parse_u64("id", argv[2], &s->id, err, errlen))
		return -1;
	SET(IDMESH_SACL_A_ID);
	return 0;
}

/* Words that set what an entry is, given to add but never to del. */
static bool add_only(int kind, const char *k)
{
	uint32_t action;

	switch (kind) {
	case IDMESH_SACL_KIND_PORT:
		return !strcmp(k, "marker");
	case IDMESH_SACL_KIND_CLIENT:
	case IDMESH_SACL_KIND_SERVER:
		return !strcmp(k, "id");
	case IDMESH_SACL_KIND_RULE:
		return !strcmp(k, "priority") || !strcmp(k, "dscp") ||
		       !strcmp(k, "ports") ||
		       !idm_parse_word(k, idm_action_words, &action);
	}
	return false;
}

int idm_parse_sacl_entry(int argc, char **argv, int kind, int del,
			 struct idm_sacl_spec *s, char *err, size_t errlen)
{
	int i = 0;

	memset(s, 0, sizeof(*s));
	s->kind = kind;
	if (kind == IDMESH_SACL_KIND_TRUST)
		return parse_trust(argc, argv, s, err, errlen);
	if (kind == IDMESH_SACL_KIND_PEER)
		return parse_peer(argc, argv, del, s, err, errlen);
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
		SET(IDMESH_SACL_A_ADDR6);
	}
	for (; i < argc; i++) {
		const char *k = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		int takes_val = 1;

		if (kind == IDMESH_SACL_KIND_PORT && !strcmp(k, "marker") && !del) {
			s->marker = 1;
			SET(IDMESH_SACL_A_MARKER);
			takes_val = 0;
		} else if (kind == IDMESH_SACL_KIND_RULE && !del &&
			   !idm_parse_word(k, idm_action_words, &s->action)) {
			if (IDM_HAS(s, IDMESH_SACL_A_ACTION)) {
				snprintf(err, errlen, "allow or deny, once");
				return -1;
			}
			SET(IDMESH_SACL_A_ACTION);
			takes_val = 0;
		} else if (kind == IDMESH_SACL_KIND_RULE &&
			   !idm_parse_word(k, idm_direction_words, &s->dir)) {
			if (IDM_HAS(s, IDMESH_SACL_A_DIRECTION)) {
				snprintf(err, errlen, "ingress or egress, once");
				return -1;
			}
			SET(IDMESH_SACL_A_DIRECTION);
			takes_val = 0;
		} else if (del && add_only(kind, k)) {
			snprintf(err, errlen,
				 "\"%s\" is for add only: del names the %s alone",
				 k, kind_name[kind]);
			return -1;
		} else if (!val) {
			snprintf(err, errlen, "unknown word \"%s\" or no value after it", k);
			return -1;
		} else if (kind == IDMESH_SACL_KIND_CLIENT && !strcmp(k, "dev") &&
			   !s->dev) {
			s->dev = val;
			SET(IDMESH_SACL_A_IFINDEX);
		} else if (kind == IDMESH_SACL_KIND_CLIENT && !strcmp(k, "lid") &&
			   s->dev && !IDM_HAS(s, IDMESH_SACL_A_ADDR6) &&
			   !IDM_HAS(s, IDMESH_SACL_A_LID)) {
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
			if (idm_parse_proto(val, true, &s->proto, err, errlen))
				return -1;
			SET(IDMESH_SACL_A_PROTO);
		} else if (kind == IDMESH_SACL_KIND_SERVER && !strcmp(k, "port")) {
			if (idm_parse_u32("port", val, 1, 65535, &s->port, err,
					  errlen))
				return -1;
			SET(IDMESH_SACL_A_PORT);
		} else if (kind == IDMESH_SACL_KIND_RULE && !strcmp(k, "client")) {
			/* "any": 0 bits, every ID and none; no ID is sent. */
			if (!strcmp(val, "any")) {
				s->client = 0;
				s->cbits = 0;
			} else if (idm_parse_id_prefix("client", val, &s->client,
						       &s->cbits, err, errlen)) {
				return -1;
			} else {
				SET(IDMESH_SACL_A_CLIENT_ID);
			}
			if (s->cbits < 64)
				SET(IDMESH_SACL_A_CLIENT_BITS);
		} else if (kind == IDMESH_SACL_KIND_RULE && !strcmp(k, "server")) {
			if (!strcmp(val, "any")) {
				s->server = 0;
				s->sbits = 0;
			} else if (idm_parse_id_prefix("server", val, &s->server,
						       &s->sbits, err, errlen)) {
				return -1;
			} else {
				SET(IDMESH_SACL_A_SERVER_ID);
			}
			if (s->sbits < 64)
				SET(IDMESH_SACL_A_SERVER_BITS);
		} else if (kind == IDMESH_SACL_KIND_RULE && !strcmp(k, "ports") &&
			   !del && !IDM_HAS(s, IDMESH_SACL_A_RANGE)) {
			if (idm_parse_ranges(val, s->ranges, &s->nranges,
					     IDMESH_SACL_RANGES_MAX, err, errlen))
				return -1;
			SET(IDMESH_SACL_A_RANGE);
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
		if (!IDM_HAS(s, IDMESH_SACL_A_ADDR6) &&
		    (!s->dev || !IDM_HAS(s, IDMESH_SACL_A_LID))) {
			snprintf(err, errlen,
				 "a client is ADDR dev DEV, or dev DEV lid LID");
			return -1;
		}
		if (!del && !IDM_HAS(s, IDMESH_SACL_A_ID)) {
			snprintf(err, errlen, "a client needs its SACL id");
			return -1;
		}
		/* Identity belongs to a port, not to an address alone. */
		if (!del && !s->dev) {
			snprintf(err, errlen,
				 "a client's address needs the port it is behind: client ADDR dev DEV id ID");
			return -1;
		}
		break;
	case IDMESH_SACL_KIND_SERVER:
		if (!del && !IDM_HAS(s, IDMESH_SACL_A_ID)) {
			snprintf(err, errlen, "a %s needs its SACL id", kind_name[kind]);
			return -1;
		}
		break;
	case IDMESH_SACL_KIND_RULE:
		if ((!IDM_HAS(s, IDMESH_SACL_A_CLIENT_ID) &&
		     !IDM_HAS(s, IDMESH_SACL_A_CLIENT_BITS)) ||
		    (!IDM_HAS(s, IDMESH_SACL_A_SERVER_ID) &&
		     !IDM_HAS(s, IDMESH_SACL_A_SERVER_BITS))) {
			snprintf(err, errlen, "a rule needs client ID and server ID");
			return -1;
		}
		if (s->dir == IDMESH_SACL_EGRESS &&
		    (IDM_HAS(s, IDMESH_SACL_A_PRIORITY) || IDM_HAS(s, IDMESH_SACL_A_DSCP))) {
			snprintf(err, errlen,
				 "an egress rule allows or denies: priority and dscp are an ingress rule's");
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
			if (idm_parse_word(val, idm_action_words, &s->def_action)) {
				snprintf(err, errlen,
					 "default \"%s\" is not allow or deny", val);
				return -1;
			}
			SET(IDMESH_SACL_A_DEFAULT);
		} else if (!strcmp(k, "marker")) {
			if (idm_parse_word(val, idm_onoff_words, &s->marker)) {
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
