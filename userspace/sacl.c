// SPDX-License-Identifier: GPL-2.0
/* idmesh sacl: the identity gateway (SACL IDs in an IPv6 or IPv4 option). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netlink/attr.h>

#include "idmesh.h"
#include "nl.h"
#include "print.h"
#include "intent.h"
#include "sacl.h"

void help_sacl(FILE *f)
{
	fprintf(f,
		"Usage: idmesh [-n NETNS] sacl set [option-type T] [ipv4-option-type T4]\n"
		"                                  [default { allow | deny }] [marker { on | off }]\n"
		"       idmesh [-n NETNS] sacl port { add | del } DEV [marker]\n"
		"       idmesh [-n NETNS] sacl client { add | del } { ADDR | dev DEV lid LID } id ID\n"
		"       idmesh [-n NETNS] sacl server { add | del } ADDR [proto P [port N]] id ID\n"
		"       idmesh [-n NETNS] sacl rule { add | del } client ID[/BITS] server ID[/BITS]\n"
		"                                  [allow | deny] [priority P] [dscp D]\n"
		"       idmesh [-n NETNS] sacl trust { add | del } { dev DEV | PREFIX }\n"
		"       idmesh [-j [-p]] [-s] [-n NETNS] sacl show [ports | clients | servers | rules | trust]\n"
		"The SACL gateway, IPv4 and IPv6 alike (ADDR is either). A packet from\n"
		"a workload-facing port (DEV) gets an option with the SACL IDs of its\n"
		"client (by source ADDR, or by the LID a marker sent in the hop limit\n"
		"or TTL on a marker port) and of its server (by destination ADDR, P, N;\n"
		"most specific first): an IPv6 Hop-by-Hop option, or an IPv4 option\n"
		"(20 bytes more, within the header's 40 bytes of options). A packet\n"
		"towards a port is allowed or denied by the rule for (client ID,\n"
		"server ID), else by the default (allow), gets the rule's skb priority\n"
		"and DSCP, and loses the option. Replies pass and are tagged through\n"
		"connection tracking; so do the replies of connections a workload\n"
		"opens to addresses with no server entry (they leave untagged).\n"
		"Forwarded packets with the option that are not for a port get the\n"
		"rule's priority and DSCP. Tags from outside the ports are believed\n"
		"from any device until \"trust\" names where they may come from: a\n"
		"device (the underlay, a remote link) or a source PREFIX (ADDR[/LEN]);\n"
		"then a tag from anywhere else is dropped (counted as untrusted).\n"
		"IDs: 1..2^64-1 (decimal or 0x...); ID/BITS: every ID whose first BITS\n"
		"bits are ID's (the most specific rule wins). LID 0..%u. T: IPv6 option\n"
		"type with action bits 00 (2..0x3f, default 0x%02x). T4: IPv4 option\n"
		"type, one of RFC 4727's 30, 94, 158, 222 (default %u). \"marker on\"\n"
		"in a workload's namespace writes each socket's UID %% 128 + 100 into\n"
		"the hop limit (TTL).\n",
		IDMESH_SACL_LID_MAX, IDMESH_SACL_OPT_TYPE_DEFAULT,
		IDMESH_SACL_OPT_TYPE4_DEFAULT);
}

static int sacl_put(struct nl_msg *msg, void *arg)
{
	const struct idm_sacl_spec *s = arg;
	struct nlattr *nest;

	if (!s)
		return 0;
	nest = nla_nest_start(msg, IDMESH_A_SACL);
	if (!nest)
		return -1;
	if (s->kind != IDMESH_SACL_KIND_SETTINGS &&
	    nla_put_u8(msg, IDMESH_SACL_A_KIND, s->kind))
		return -1;
#define PUT(a, call) if (IDM_HAS(s, a) && (call)) return -1
	PUT(IDMESH_SACL_A_IFINDEX, nla_put_u32(msg, IDMESH_SACL_A_IFINDEX, s->ifindex));
	PUT(IDMESH_SACL_A_ADDR, s->addr.family == AF_INET ?
	    nla_put(msg, IDMESH_SACL_A_ADDR4, 4, s->addr.bytes) :
	    nla_put(msg, IDMESH_SACL_A_ADDR, 16, s->addr.bytes));
	PUT(IDMESH_SACL_A_LID, nla_put_u8(msg, IDMESH_SACL_A_LID, s->lid));
	PUT(IDMESH_SACL_A_ID, nla_put_u64(msg, IDMESH_SACL_A_ID, s->id));
	PUT(IDMESH_SACL_A_CLIENT_ID, nla_put_u64(msg, IDMESH_SACL_A_CLIENT_ID, s->client));
	PUT(IDMESH_SACL_A_SERVER_ID, nla_put_u64(msg, IDMESH_SACL_A_SERVER_ID, s->server));
	PUT(IDMESH_SACL_A_PROTO, nla_put_u8(msg, IDMESH_SACL_A_PROTO, s->proto));
	PUT(IDMESH_SACL_A_PORT, nla_put_u16(msg, IDMESH_SACL_A_PORT, s->port));
	PUT(IDMESH_SACL_A_ACTION, nla_put_u8(msg, IDMESH_SACL_A_ACTION, s->action));
	PUT(IDMESH_SACL_A_PRIORITY, nla_put_u32(msg, IDMESH_SACL_A_PRIORITY, s->priority));
	PUT(IDMESH_SACL_A_DSCP, nla_put_u8(msg, IDMESH_SACL_A_DSCP, s->dscp));
	PUT(IDMESH_SACL_A_MARKER, nla_put_u8(msg, IDMESH_SACL_A_MARKER, s->marker));
	PUT(IDMESH_SACL_A_OPT_TYPE, nla_put_u8(msg, IDMESH_SACL_A_OPT_TYPE, s->opt_type));
	PUT(IDMESH_SACL_A_OPT_TYPE4, nla_put_u8(msg, IDMESH_SACL_A_OPT_TYPE4, s->opt_type4));
	PUT(IDMESH_SACL_A_DEFAULT, nla_put_u8(msg, IDMESH_SACL_A_DEFAULT, s->def_action));
	PUT(IDMESH_SACL_A_CLIENT_BITS, nla_put_u8(msg, IDMESH_SACL_A_CLIENT_BITS, s->cbits));
	PUT(IDMESH_SACL_A_SERVER_BITS, nla_put_u8(msg, IDMESH_SACL_A_SERVER_BITS, s->sbits));
	PUT(IDMESH_SACL_A_PREFIX_LEN, nla_put_u8(msg, IDMESH_SACL_A_PREFIX_LEN, s->plen));
#undef PUT
	nla_nest_end(msg, nest);
	return 0;
}

static int sacl_request(const struct idm_opts *o, uint8_t cmd,
			struct idm_sacl_spec *s)
{
	struct idm_nl nl;
	int err;

	if (idm_nl_open(&nl, o->netns))
		return 1;
	/* Names are looked up in the namespace the socket is in. */
	if (s->dev) {
		s->ifindex = if_nametoindex(s->dev);
		if (!s->ifindex) {
			fprintf(stderr, "Error: cannot find device \"%s\"\n", s->dev);
			idm_nl_close(&nl);
			return 1;
		}
	}
	err = idm_nl_request(&nl, cmd, sacl_put, s, NULL, NULL);
	idm_nl_close(&nl);
	return err ? 1 : 0;
}

/* What the dump reports: one entry per message, kept in order. */
struct sacl_entry {
	int kind;
	uint32_t ifindex, lid, proto, port, action, priority, dscp;
	int has_priority, has_dscp, has_addr;
	uint32_t marker, opt_type, opt_type4, def_action, cbits, sbits, plen;
	int has_plen;
	char addr[INET6_ADDRSTRLEN];
	uint64_t id, client, server;
	uint64_t c[IDMESH_SACL_A_MAX + 1];	/* counters by attribute */
};

struct sacl_list {
	struct sacl_entry *e;
	size_t n;
};

static int sacl_reply(struct nlattr **top, struct nlattr *head, int len,
		      void *arg)
{
	struct nlattr *tb[IDMESH_SACL_A_MAX + 1];
	struct sacl_list *l = arg;
	struct sacl_entry *e;
	int i;

	if (!top[IDMESH_A_SACL] ||
	    nla_parse_nested(tb, IDMESH_SACL_A_MAX, top[IDMESH_A_SACL], NULL))
		return -1;
	l->e = realloc(l->e, (l->n + 1) * sizeof(*l->e));
	if (!l->e)
		return -1;
	e = &l->e[l->n++];
	memset(e, 0, sizeof(*e));
	e->kind = idm_nla_u8(tb[IDMESH_SACL_A_KIND]);
	e->ifindex = idm_nla_u32(tb[IDMESH_SACL_A_IFINDEX]);
	e->lid = idm_nla_u8(tb[IDMESH_SACL_A_LID]);
	e->proto = idm_nla_u8(tb[IDMESH_SACL_A_PROTO]);
	e->port = tb[IDMESH_SACL_A_PORT] ? nla_get_u16(tb[IDMESH_SACL_A_PORT]) : 0;
	e->action = idm_nla_u8(tb[IDMESH_SACL_A_ACTION]);
	e->has_priority = !!tb[IDMESH_SACL_A_PRIORITY];
	e->priority = idm_nla_u32(tb[IDMESH_SACL_A_PRIORITY]);
	e->has_dscp = !!tb[IDMESH_SACL_A_DSCP];
	e->dscp = idm_nla_u8(tb[IDMESH_SACL_A_DSCP]);
	e->marker = idm_nla_u8(tb[IDMESH_SACL_A_MARKER]);
	e->opt_type = idm_nla_u8(tb[IDMESH_SACL_A_OPT_TYPE]);
	e->opt_type4 = idm_nla_u8(tb[IDMESH_SACL_A_OPT_TYPE4]);
	e->has_plen = !!tb[IDMESH_SACL_A_PREFIX_LEN];
	e->plen = idm_nla_u8(tb[IDMESH_SACL_A_PREFIX_LEN]);
	e->def_action = idm_nla_u8(tb[IDMESH_SACL_A_DEFAULT]);
	e->cbits = tb[IDMESH_SACL_A_CLIENT_BITS] ? idm_nla_u8(tb[IDMESH_SACL_A_CLIENT_BITS]) : 64;
	e->sbits = tb[IDMESH_SACL_A_SERVER_BITS] ? idm_nla_u8(tb[IDMESH_SACL_A_SERVER_BITS]) : 64;
	if (tb[IDMESH_SACL_A_ADDR] && nla_len(tb[IDMESH_SACL_A_ADDR]) == 16) {
		inet_ntop(AF_INET6, nla_data(tb[IDMESH_SACL_A_ADDR]), e->addr,
			  sizeof(e->addr));
		e->has_addr = 1;
	} else if (tb[IDMESH_SACL_A_ADDR4] && nla_len(tb[IDMESH_SACL_A_ADDR4]) == 4) {
		inet_ntop(AF_INET, nla_data(tb[IDMESH_SACL_A_ADDR4]), e->addr,
			  sizeof(e->addr));
		e->has_addr = 1;
	}
	e->id = idm_nla_u64(tb[IDMESH_SACL_A_ID]);
	e->client = idm_nla_u64(tb[IDMESH_SACL_A_CLIENT_ID]);
	e->server = idm_nla_u64(tb[IDMESH_SACL_A_SERVER_ID]);
	for (i = IDMESH_SACL_A_HITS; i <= IDMESH_SACL_A_MARKED; i++)
		e->c[i] = idm_nla_u64(tb[i]);
	e->c[IDMESH_SACL_A_NO_ROOM] = idm_nla_u64(tb[IDMESH_SACL_A_NO_ROOM]);
	e->c[IDMESH_SACL_A_UNTRUSTED] = idm_nla_u64(tb[IDMESH_SACL_A_UNTRUSTED]);
	return 0;
}

static void dev_name(uint32_t ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "if%u", ifindex);
}

/* The settings' counters, in the order they are printed. */
static const struct {
	int attr;
	const char *name;
} counters[] = {
	{ IDMESH_SACL_A_TAGGED, "tagged" },
	{ IDMESH_SACL_A_STRIPPED, "stripped" },
	{ IDMESH_SACL_A_REPLIES, "replies" },
	{ IDMESH_SACL_A_TRANSIT, "transit" },
	{ IDMESH_SACL_A_NO_CLIENT, "no-client" },
	{ IDMESH_SACL_A_NO_SERVER, "no-server" },
	{ IDMESH_SACL_A_FORGED, "forged" },
	{ IDMESH_SACL_A_MALFORMED, "malformed" },
	{ IDMESH_SACL_A_TOO_BIG, "too-big" },
	{ IDMESH_SACL_A_NO_ROOM, "no-room" },
	{ IDMESH_SACL_A_UNTRUSTED, "untrusted" },
	{ IDMESH_SACL_A_MARKED, "marked" },
	{ IDMESH_SACL_A_HITS, "default-hits" },
	{ IDMESH_SACL_A_DROPS, "default-drops" },
};

#define N_COUNTERS (sizeof(counters) / sizeof(counters[0]))

/* JSON keys: the names with '_' for '-'. */
static void json_key(const char *name, char *out, size_t len)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++)
		out[i] = name[i] == '-' ? '_' : name[i];
	out[i] = '\0';
}

static void print_settings(const struct idm_opts *o,
			   const struct sacl_entry *e)
{
	char key[32];
	size_t i;

	print_uint(PRINT_ANY, "option_type", "sacl option-type 0x%02x",
		   e->opt_type);
	print_uint(PRINT_ANY, "ipv4_option_type", " ipv4-option-type %u",
		   e->opt_type4);
	print_string(PRINT_ANY, "default", " default %s",
		     idm_word_name(idm_action_words, e->def_action));
	print_bool(PRINT_JSON, "marker", NULL, e->marker);
	print_text(" marker %s\n", e->marker ? "on" : "off");
	if (!o->stats)
		return;
	print_open_obj("stats");
	print_text("   ");
	for (i = 0; i < N_COUNTERS; i++) {
		json_key(counters[i].name, key, sizeof(key));
		print_text(" %s", counters[i].name);
		print_u64(PRINT_ANY, key, " %llu", e->c[counters[i].attr]);
	}
	print_text("\n");
	print_close_obj();
}

/* A group of IDs (a prefix) in hex, where its bits show. */
static void print_ids(const char *key, uint64_t id, uint32_t bits)
{
	char bkey[32];

	print_u64(PRINT_JSON, key, NULL, id);
	if (bits < 64) {
		snprintf(bkey, sizeof(bkey), "%s_bits", key);
		print_text(" %s 0x%016" PRIx64, key, id);
		print_uint(PRINT_ANY, bkey, "/%u", bits);
	} else {
		print_text(" %s %" PRIu64, key, id);
	}
}

static void print_rule(const struct idm_opts *o, const struct sacl_entry *e)
{
	print_text("rule");
	print_ids("client", e->client, e->cbits);
	print_ids("server", e->server, e->sbits);
	print_string(PRINT_ANY, "action", " %s", idm_word_name(idm_action_words, e->action));
	/* As given: a tc class id "MAJ:MIN" (hex) when it has a major. */
	if (e->has_priority)
		print_uint(PRINT_JSON, "priority", NULL, e->priority);
	if (e->has_priority && e->priority >> 16)
		print_text(" priority %x:%x", e->priority >> 16,
			   e->priority & 0xffff);
	else if (e->has_priority)
		print_text(" priority %u", e->priority);
	if (e->has_dscp)
		print_uint(PRINT_ANY, "dscp", " dscp %u", e->dscp);
	print_text("\n");
	if (o->stats) {
		print_open_obj("stats");
		print_u64(PRINT_ANY, "hits", "    hits %llu",
			  e->c[IDMESH_SACL_A_HITS]);
		print_u64(PRINT_ANY, "drops", " drops %llu\n",
			  e->c[IDMESH_SACL_A_DROPS]);
		print_close_obj();
	}
}

static void print_entry(const struct idm_opts *o, const struct sacl_entry *e)
{
	char dev[IF_NAMESIZE];

	print_open_obj(e->kind == IDMESH_SACL_KIND_SETTINGS ? "settings" : NULL);
	switch (e->kind) {
	case IDMESH_SACL_KIND_SETTINGS:
		print_settings(o, e);
		break;
	case IDMESH_SACL_KIND_PORT:
		dev_name(e->ifindex, dev);
		print_string(PRINT_ANY, "dev", "port %s", dev);
		print_bool(PRINT_JSON, "marker", NULL, e->marker);
		print_text("%s\n", e->marker ? " marker" : "");
		break;
	case IDMESH_SACL_KIND_CLIENT:
		print_text("client");
		if (e->has_addr) {
			print_string(PRINT_ANY, "addr", " %s", e->addr);
		} else {
			dev_name(e->ifindex, dev);
			print_string(PRINT_ANY, "dev", " dev %s", dev);
			print_uint(PRINT_ANY, "lid", " lid %u", e->lid);
		}
		print_u64(PRINT_ANY, "id", " id %llu\n", e->id);
		break;
	case IDMESH_SACL_KIND_SERVER:
		print_string(PRINT_ANY, "addr", "server %s", e->addr);
		if (e->proto) {
			const char *p = idm_proto_name(e->proto);

			if (p)
				print_string(PRINT_ANY, "proto", " proto %s", p);
			else
				print_uint(PRINT_ANY, "proto", " proto %u", e->proto);
		}
		if (e->port)
			print_uint(PRINT_ANY, "port", " port %u", e->port);
		print_u64(PRINT_ANY, "id", " id %llu\n", e->id);
		break;
	case IDMESH_SACL_KIND_RULE:
		print_rule(o, e);
		break;
	case IDMESH_SACL_KIND_TRUST:
		if (e->has_addr) {
			char p[INET6_ADDRSTRLEN + 4];

			snprintf(p, sizeof(p), "%s/%u", e->addr, e->plen);
			print_string(PRINT_ANY, "prefix", "trust %s\n", p);
		} else {
			dev_name(e->ifindex, dev);
			print_string(PRINT_ANY, "dev", "trust dev %s\n", dev);
		}
		break;
	}
	print_close_obj();
}

static const char *const list_name[] = {
	[IDMESH_SACL_KIND_PORT] = "ports",
	[IDMESH_SACL_KIND_CLIENT] = "clients",
	[IDMESH_SACL_KIND_SERVER] = "servers",
	[IDMESH_SACL_KIND_RULE] = "rules",
	[IDMESH_SACL_KIND_TRUST] = "trust",
};

/*
 * Text: one line per entry, in the kernel's order (settings, then each
 * kind). JSON: {"settings": {...}, "ports": [...], ...}; with one table
 * asked for, that table's array alone.
 */
static void print_sacl(const struct idm_opts *o, const struct sacl_list *l,
		       int only)
{
	int kind;
	size_t i;

	print_start(o->json, o->pretty);
	if (only) {
		print_open_arr(NULL);
		for (i = 0; i < l->n; i++)
			print_entry(o, &l->e[i]);
		print_close_arr();
		print_end();
		return;
	}
	print_open_obj(NULL);
	for (i = 0; i < l->n && l->e[i].kind == IDMESH_SACL_KIND_SETTINGS; i++)
		print_entry(o, &l->e[i]);
	for (kind = IDMESH_SACL_KIND_PORT; kind <= IDMESH_SACL_KIND_TRUST; kind++) {
		print_open_arr(list_name[kind]);
		for (i = 0; i < l->n; i++)
			if (l->e[i].kind == kind)
				print_entry(o, &l->e[i]);
		print_close_arr();
	}
	print_close_obj();
	print_end();
}

static int sacl_show(const struct idm_opts *o, int argc, char **argv)
{
	struct idm_sacl_spec only = { .kind = 0 };
	struct sacl_list l = { 0 };
	struct idm_nl nl;
	int err, kind;

	if (argc > 1)
		return idm_usage_error("unknown word \"%s\"", argv[1]);
	if (argc == 1) {
		for (kind = IDMESH_SACL_KIND_PORT; kind <= IDMESH_SACL_KIND_TRUST; kind++)
			if (idm_matches(argv[0], list_name[kind]))
				only.kind = kind;
		if (!only.kind)
			return idm_usage_error("\"%s\" is not ports, clients, servers, rules or trust",
					       argv[0]);
		only.has = 1ull << IDMESH_SACL_A_KIND;
	}
	if (idm_nl_open(&nl, o->netns))
		return 1;
	err = idm_nl_dump(&nl, IDMESH_CMD_SACL_GET, sacl_put,
			  only.kind ? &only : NULL, sacl_reply, &l);
	idm_nl_close(&nl);
	if (!err)
		print_sacl(o, &l, only.kind);
	free(l.e);
	return err ? 1 : 0;
}

static int sacl_entry(const struct idm_opts *o, int kind, int argc,
		      char **argv)
{
	struct idm_sacl_spec s;
	char err[256];
	int del;

	if (argc < 1)
		return idm_usage_error("%s: add or del?", list_name[kind]);
	if (idm_matches(argv[0], "add"))
		del = 0;
	else if (idm_matches(argv[0], "delete"))
		del = 1;
	else
		return idm_usage_error("unknown command \"%s\": add or del", argv[0]);
	if (idm_parse_sacl_entry(argc - 1, argv + 1, kind, del, &s, err,
				 sizeof(err)))
		return idm_usage_error("%s", err);
	return sacl_request(o, del ? IDMESH_CMD_SACL_DEL : IDMESH_CMD_SACL_NEW,
			    &s);
}

int cmd_sacl(const struct idm_opts *o, int argc, char **argv)
{
	static const char *const objs[] = { "port", "client", "server", "rule",
					    "trust" };
	struct idm_sacl_spec s;
	char err[256];
	int k;

	if (argc < 1 || idm_matches(argv[0], "show") || idm_matches(argv[0], "list"))
		return sacl_show(o, argc ? argc - 1 : 0, argv + 1);
	if (idm_matches(argv[0], "set")) {
		if (idm_parse_sacl_set(argc - 1, argv + 1, &s, err, sizeof(err)))
			return idm_usage_error("%s", err);
		return sacl_request(o, IDMESH_CMD_SACL_SET, &s);
	}
	if (idm_matches(argv[0], "help")) {
		help_sacl(stdout);
		return 0;
	}
	for (k = 0; k < 5; k++)
		if (!strcmp(argv[0], objs[k]))
			return sacl_entry(o, IDMESH_SACL_KIND_PORT + k, argc - 1,
					  argv + 1);
	return idm_usage_error("unknown command \"%s\"; try \"idmesh sacl help\"",
			       argv[0]);
}

/* The namespace's tables as entries (idmesh apply's "current state"). */
int idm_sacl_read(struct idm_nl *nl, struct idm_sstate *st)
{
	struct sacl_list l = { 0 };
	struct idm_sent *s;
	size_t i;

	memset(st, 0, sizeof(*st));
	if (idm_nl_dump(nl, IDMESH_CMD_SACL_GET, sacl_put, NULL, sacl_reply, &l)) {
		free(l.e);
		return -1;
	}
	for (i = 0; i < l.n; i++) {
		const struct sacl_entry *e = &l.e[i];

		if (e->kind == IDMESH_SACL_KIND_SETTINGS) {
			st->has_default = 1;
			st->def_action = e->def_action;
			continue;
		}
		/* Trusted sources are not the intent's (identity.rst). */
		if (e->kind == IDMESH_SACL_KIND_TRUST)
			continue;
		st->e = realloc(st->e, (st->n + 1) * sizeof(*st->e));
		if (!st->e) {
			free(l.e);
			return -1;
		}
		s = &st->e[st->n++];
		memset(s, 0, sizeof(*s));
		s->kind = e->kind;
		if (e->ifindex)
			dev_name(e->ifindex, s->dev);
		s->marker = e->marker;
		s->has_addr = e->has_addr;
		if (e->has_addr)
			idm_addr46_pton(e->addr, &s->addr);
		s->lid = e->lid;
		s->proto = e->proto;
		s->port = e->port;
		s->id = e->id;
		s->client = e->client;
		s->server = e->server;
		s->action = e->action;
		s->has_priority = e->has_priority;
		s->priority = e->priority;
		s->has_dscp = e->has_dscp;
		s->dscp = e->dscp;
		s->cbits = e->cbits;
		s->sbits = e->sbits;
	}
	free(l.e);
	return 0;
}

#define SETA(a) (s.has |= 1ull << (a))

/* Add or remove one entry; the kernel's refusal is printed. */
int idm_sacl_change(struct idm_nl *nl, int add, const struct idm_sent *e)
{
	struct idm_sacl_spec s = { .kind = e->kind };

	if (e->kind == IDMESH_SACL_KIND_PORT ||
	    (e->kind == IDMESH_SACL_KIND_CLIENT && !e->has_addr)) {
		s.ifindex = if_nametoindex(e->dev);
		if (!s.ifindex) {
			fprintf(stderr, "Error: cannot find device \"%s\"\n", e->dev);
			return -1;
		}
		SETA(IDMESH_SACL_A_IFINDEX);
	}
	if (e->has_addr && IN6_IS_ADDR_V4MAPPED(&e->addr)) {
		s.addr.family = AF_INET;
		s.addr.len = 4;
		memcpy(s.addr.bytes, &e->addr.s6_addr[12], 4);
		SETA(IDMESH_SACL_A_ADDR);
	} else if (e->has_addr) {
		s.addr.family = AF_INET6;
		s.addr.len = 16;
		memcpy(s.addr.bytes, &e->addr, 16);
		SETA(IDMESH_SACL_A_ADDR);
	}
	switch (e->kind) {
	case IDMESH_SACL_KIND_PORT:
		if (add && e->marker) {
			s.marker = 1;
			SETA(IDMESH_SACL_A_MARKER);
		}
		break;
	case IDMESH_SACL_KIND_CLIENT:
	case IDMESH_SACL_KIND_SERVER:
		if (e->kind == IDMESH_SACL_KIND_CLIENT && !e->has_addr) {
			s.lid = e->lid;
			SETA(IDMESH_SACL_A_LID);
		}
		if (e->proto) {
			s.proto = e->proto;
			SETA(IDMESH_SACL_A_PROTO);
		}
		if (e->port) {
			s.port = e->port;
			SETA(IDMESH_SACL_A_PORT);
		}
		if (add) {
			s.id = e->id;
			SETA(IDMESH_SACL_A_ID);
		}
		break;
	case IDMESH_SACL_KIND_RULE:
		s.client = e->client;
		s.server = e->server;
		SETA(IDMESH_SACL_A_CLIENT_ID);
		SETA(IDMESH_SACL_A_SERVER_ID);
		if (e->cbits && e->cbits < 64) {
			s.cbits = e->cbits;
			SETA(IDMESH_SACL_A_CLIENT_BITS);
		}
		if (e->sbits && e->sbits < 64) {
			s.sbits = e->sbits;
			SETA(IDMESH_SACL_A_SERVER_BITS);
		}
		if (!add)
			break;
		s.action = e->action;
		SETA(IDMESH_SACL_A_ACTION);
		if (e->has_priority) {
			s.priority = e->priority;
			SETA(IDMESH_SACL_A_PRIORITY);
		}
		if (e->has_dscp) {
			s.dscp = e->dscp;
			SETA(IDMESH_SACL_A_DSCP);
		}
		break;
	}
	return idm_nl_request(nl, add ? IDMESH_CMD_SACL_NEW : IDMESH_CMD_SACL_DEL,
			      sacl_put, &s, NULL, NULL);
}

int idm_sacl_set_default(struct idm_nl *nl, uint32_t action)
{
	struct idm_sacl_spec s = { .kind = IDMESH_SACL_KIND_SETTINGS };

	s.def_action = action;
	SETA(IDMESH_SACL_A_DEFAULT);
	return idm_nl_request(nl, IDMESH_CMD_SACL_SET, sacl_put, &s, NULL, NULL);
}
