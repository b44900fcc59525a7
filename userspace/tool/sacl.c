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
#include "sacl.h"

void help_sacl(FILE *f)
{
	fprintf(f,
		"Usage: idmesh [-n NETNS] sacl set [option-type T] [ipv4-option-type T4]\n"
		"                                  [default { allow | deny }] [marker { on | off }]\n"
		"       idmesh [-n NETNS] sacl port add DEV [marker]\n"
		"       idmesh [-n NETNS] sacl port del DEV\n"
		"       idmesh [-n NETNS] sacl client add { ADDR dev DEV | dev DEV lid LID } id ID\n"
		"       idmesh [-n NETNS] sacl client del { ADDR [dev DEV] | dev DEV lid LID }\n"
		"       idmesh [-n NETNS] sacl server add ADDR [proto P [port N]] id ID\n"
		"       idmesh [-n NETNS] sacl server del ADDR [proto P [port N]]\n"
		"       idmesh [-n NETNS] sacl rule add client { ID[/BITS] | any } server { ID[/BITS] | any }\n"
		"                                  [ingress | egress] [allow | deny] [ports RANGES]\n"
		"                                  [priority P] [dscp D]\n"
		"       idmesh [-n NETNS] sacl rule del client { ID[/BITS] | any } server { ID[/BITS] | any }\n"
		"                                  [ingress | egress]\n"
		"       idmesh [-n NETNS] sacl trust { add | del } { dev DEV | PREFIX }\n"
		"       idmesh [-n NETNS] sacl peer add PREFIX id ID\n"
		"       idmesh [-n NETNS] sacl peer del PREFIX\n"
		"       idmesh [-j [-p]] [-s] [-n NETNS] sacl show [ports | clients | servers | rules | trust | peers]\n"
		"The SACL gateway, IPv4 and IPv6 alike (ADDR is either). A packet from\n"
		"a workload-facing port (DEV) gets an option with the SACL IDs of its\n"
		"client (by source ADDR behind its port DEV, or by the LID a marker\n"
		"sent in the hop limit or TTL on a marker port) and of its server (by\n"
		"destination ADDR, P, N; most specific first): an IPv6 Hop-by-Hop\n"
		"option, or an IPv4 option\n"
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
		"An address client belongs to its port: a packet from a port whose\n"
		"source is another port's client address, or none of the port's own\n"
		"while it has some, is dropped (spoofed). A connection passes only\n"
		"between the ports it was tracked for; an ICMP error from or to a\n"
		"port only when it quotes such a connection (else: unrelated).\n"
		"IDs: 1..2^64-1 (decimal or 0x...); ID/BITS: every ID whose first BITS\n"
		"bits are ID's (the most specific rule wins); any: every ID and none\n"
		"(untagged, or an address no table knows). An egress rule is judged as\n"
		"a new connection leaves its client's port, before it is tagged (allow\n"
		"or deny; without one, it may). RANGES: PROTO[:PORT[-END]],... (tcp,\n"
		"udp, sctp): the rule applies to those connections only, and leaves\n"
		"the others to a less specific rule. A peer PREFIX (ADDR[/LEN]) gives\n"
		"addresses with no identity of their own one: a connection without\n"
		"the option from it (towards a port) has client ID, and one to it\n"
		"that no server names is judged at egress as server ID; the longest\n"
		"prefix wins. LID 0..%u. T: IPv6 option\n"
		"type with action bits 00 (2..0x3f, default 0x%02x). T4: IPv4 option\n"
		"type, one of RFC 4727's 30, 94, 158, 222 (default %u). \"marker on\"\n"
		"in a workload's namespace writes each socket's UID %% 128 + 100 into\n"
		"the hop limit (TTL).\n",
		IDMESH_SACL_LID_MAX, IDMESH_SACL_OPT_TYPE_DEFAULT,
		IDMESH_SACL_OPT_TYPE4_DEFAULT);
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
	err = idm_nl_request(&nl, cmd, idm_sacl_put, s, NULL, NULL);
	idm_nl_close(&nl);
	return err ? 1 : 0;
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
	{ IDMESH_SACL_A_SPOOFED, "spoofed" },
	{ IDMESH_SACL_A_UNRELATED, "unrelated" },
	{ IDMESH_SACL_A_SEGMENTED, "segmented" },
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
			   const struct idm_sacl_entry *e)
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
	/* Read-only (not a setting): with the counters in text. */
	print_string(PRINT_JSON, "path", NULL, idm_word_name(idm_path_words, e->path));
	if (!o->stats)
		return;
	print_text("    path %s", idm_word_name(idm_path_words, e->path));
	print_open_obj("stats");
	for (i = 0; i < N_COUNTERS; i++) {
		json_key(counters[i].name, key, sizeof(key));
		print_text(" %s", counters[i].name);
		print_u64(PRINT_ANY, key, " %llu", e->c[counters[i].attr]);
	}
	print_text("\n");
	print_close_obj();
}

/*
 * A group of IDs (a prefix) in hex, where its bits show; "any" for every
 * ID and none (JSON: 0 bits).
 */
static void print_ids(const char *key, uint64_t id, uint32_t bits)
{
	char bkey[32];

	print_u64(PRINT_JSON, key, NULL, id);
	if (!bits) {
		snprintf(bkey, sizeof(bkey), "%s_bits", key);
		print_uint(PRINT_JSON, bkey, NULL, 0);
		print_text(" %s any", key);
		return;
	}
	if (bits < 64) {
		snprintf(bkey, sizeof(bkey), "%s_bits", key);
		print_text(" %s 0x%016" PRIx64, key, id);
		print_uint(PRINT_ANY, bkey, "/%u", bits);
	} else {
		print_text(" %s %" PRIu64, key, id);
	}
}

static void print_rule(const struct idm_opts *o, const struct idm_sacl_entry *e)
{
	print_text("rule");
	print_ids("client", e->client, e->cbits);
	print_ids("server", e->server, e->sbits);
	print_string(PRINT_JSON, "direction", NULL,
		     idm_word_name(idm_direction_words, e->dir));
	if (e->dir == IDMESH_SACL_EGRESS)
		print_text(" egress");
	print_string(PRINT_ANY, "action", " %s", idm_word_name(idm_action_words, e->action));
	if (e->nranges) {
		char ports[IDMESH_SACL_RANGES_MAX * 20];

		idm_format_ranges(e->ranges, e->nranges, ports, sizeof(ports));
		print_string(PRINT_ANY, "ports", " ports %s", ports);
	}
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

static void print_entry(const struct idm_opts *o, const struct idm_sacl_entry *e)
{
	char dev[IF_NAMESIZE];

	print_open_obj(e->kind == IDMESH_SACL_KIND_SETTINGS ? "settings" : NULL);
	switch (e->kind) {
	case IDMESH_SACL_KIND_SETTINGS:
		print_settings(o, e);
		break;
	case IDMESH_SACL_KIND_PORT:
		idm_dev_name(e->ifindex, dev);
		print_string(PRINT_ANY, "dev", "port %s", dev);
		print_bool(PRINT_JSON, "marker", NULL, e->marker);
		print_text("%s\n", e->marker ? " marker" : "");
		if (o->stats) {
			print_open_obj("stats");
			print_uint(PRINT_ANY, "flows", "    flows %u", e->flows);
			print_u64(PRINT_ANY, "evicted", " evicted %llu\n",
				  e->c[IDMESH_SACL_A_EVICTED]);
			print_close_obj();
		}
		break;
	case IDMESH_SACL_KIND_CLIENT:
		print_text("client");
		if (e->has_addr)
			print_string(PRINT_ANY, "addr", " %s", e->addr);
		idm_dev_name(e->ifindex, dev);
		print_string(PRINT_ANY, "dev", " dev %s", dev);
		if (!e->has_addr)
			print_uint(PRINT_ANY, "lid", " lid %u", e->lid);
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
	case IDMESH_SACL_KIND_PEER: {
		char pfx[INET6_ADDRSTRLEN + 4];

		snprintf(pfx, sizeof(pfx), "%s/%u", e->addr, e->plen);
		print_string(PRINT_ANY, "prefix", "peer %s", pfx);
		print_u64(PRINT_ANY, "id", " id %llu\n", e->id);
		break;
	}
	case IDMESH_SACL_KIND_TRUST:
		if (e->has_addr) {
			char p[INET6_ADDRSTRLEN + 4];

			snprintf(p, sizeof(p), "%s/%u", e->addr, e->plen);
			print_string(PRINT_ANY, "prefix", "trust %s\n", p);
		} else {
			idm_dev_name(e->ifindex, dev);
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
	[IDMESH_SACL_KIND_PEER] = "peers",
};

/*
 * Text: one line per entry, in the kernel's order (settings, then each
 * kind). JSON: {"settings": {...}, "ports": [...], ...}; with one table
 * asked for, that table's array alone.
 */
static void print_sacl(const struct idm_opts *o, const struct idm_sacl_list *l,
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
	for (kind = IDMESH_SACL_KIND_PORT; kind <= IDMESH_SACL_KIND_PEER; kind++) {
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
	struct idm_sacl_list l = { 0 };
	struct idm_nl nl;
	int err, kind;

	if (argc > 1)
		return idm_usage_error("unknown word \"%s\"", argv[1]);
	if (argc == 1) {
		for (kind = IDMESH_SACL_KIND_PORT; kind <= IDMESH_SACL_KIND_PEER; kind++)
			if (idm_matches(argv[0], list_name[kind]))
				only.kind = kind;
		if (!only.kind)
			return idm_usage_error("\"%s\" is not ports, clients, servers, rules, trust or peers",
					       argv[0]);
		only.has = 1ull << IDMESH_SACL_A_KIND;
	}
	if (idm_nl_open(&nl, o->netns))
		return 1;
	err = idm_sacl_dump(&nl, only.kind ? &only : NULL, &l);
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
					    "trust", "peer" };
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
	for (k = 0; k < 6; k++)
		if (!strcmp(argv[0], objs[k]))
			return sacl_entry(o, IDMESH_SACL_KIND_PORT + k, argc - 1,
					  argv + 1);
	return idm_usage_error("unknown command \"%s\"; try \"idmesh sacl help\"",
			       argv[0]);
}

/* The namespace's tables as entries (idmesh apply's "current state"). */
