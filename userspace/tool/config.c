// SPDX-License-Identifier: GPL-2.0
/* idmesh config: per network namespace settings. */
#include <stdio.h>
#include <string.h>
#include <netlink/attr.h>

#include "config.h"
#include "idmesh.h"
#include "nl.h"
#include "print.h"

void help_config(FILE *f)
{
	fprintf(f,
		"Usage: idmesh [-j [-p]] [-n NETNS] config show [hash-key]\n"
		"       idmesh [-n NETNS] config set SETTING VALUE...\n"
		"Settings of the current (or the named) network namespace:\n"
		"  flow-limit N         most Maglev flows tracked before the oldest\n"
		"                       is evicted, %u..%u (default %u)\n"
		"  sacl-flow-limit N    the same for the SACL gateway's connections,\n"
		"                       a budget of their own (default %u): a flood\n"
		"                       through one cannot evict the other's flows\n"
		"  sacl-port-flow-limit N  SACL connections charged to one port (its\n"
		"                       client's, else its server's) before it evicts\n"
		"                       its own oldest, never another port's\n"
		"                       (default %u)\n"
		"  timeout-tcp-syn S    idle seconds before a flow is forgotten:\n"
		"  timeout-tcp S        TCP before the handshake completes, TCP\n"
		"  timeout-tcp-fin S    established, TCP after FIN or RST, UDP,\n"
		"  timeout-udp S        SCTP; %u..%u (defaults %u, %u, %u, %u, %u)\n"
		"  timeout-sctp S\n"
		"  hash-key HEX         the key (%u bytes, %u hex digits) of the hash that\n"
		"                       picks a new flow's Maglev slot; random until set.\n"
		"                       Nodes behind one VIP with the same key and\n"
		"                       backends send a flow to the same backend.\n"
		"                       \"config show hash-key\" shows it (a caller\n"
		"                       with CAP_NET_ADMIN only).\n"
		"\"set\" needs CAP_NET_ADMIN; a rejected change changes nothing.\n",
		IDMESH_FLOW_LIMIT_MIN, IDMESH_FLOW_LIMIT_MAX,
		IDMESH_FLOW_LIMIT_DEFAULT, IDMESH_FLOW_LIMIT_DEFAULT,
		IDMESH_SACL_PORT_FLOW_LIMIT_DEFAULT, IDMESH_TIMEOUT_MIN, IDMESH_TIMEOUT_MAX,
		IDMESH_TIMEOUT_TCP_SYN_DEFAULT, IDMESH_TIMEOUT_TCP_DEFAULT,
		IDMESH_TIMEOUT_TCP_FIN_DEFAULT, IDMESH_TIMEOUT_UDP_DEFAULT,
		IDMESH_TIMEOUT_SCTP_DEFAULT, IDMESH_HASH_KEY_LEN,
		2 * IDMESH_HASH_KEY_LEN);
}

static int config_show(const struct idm_opts *o, int argc, char **argv)
{
	struct idm_config c = { 0 };
	struct idm_nl nl;
	bool key = false;
	size_t i;
	int err;

	/* The key is a secret: shown only when asked for (as wg's). */
	if (argc == 1 && !strcmp(argv[0], "hash-key"))
		key = true;
	else if (argc > 0)
		return idm_usage_error("\"config show\" takes no arguments but \"hash-key\", got \"%s\"",
				       argv[0]);
	if (idm_nl_open(&nl, o->netns))
		return 1;
	err = idm_config_get(&nl, &c);
	idm_nl_close(&nl);
	if (err)
		return 1;

	if (key && !c.has_key) {
		fprintf(stderr, "Error: the hash key is shown only to a caller with CAP_NET_ADMIN\n");
		return 1;
	}
	print_start(o->json, o->pretty);
	print_open_obj(NULL);
	for (i = 0; i < IDM_N_SETTINGS && !key; i++) {
		if (!c.has[i])
			continue;
		print_text("%s", idm_settings[i].name);
		print_uint(PRINT_ANY, idm_settings[i].json, " %u\n", c.val[i]);
	}
	if (key) {
		char hex[2 * IDMESH_HASH_KEY_LEN + 1];

		idm_hex_format(c.key, sizeof(c.key), hex);
		print_string(PRINT_ANY, "hash_key", "hash-key %s\n", hex);
	}
	print_close_obj();
	print_end();
	return 0;
}

static int config_set(const struct idm_opts *o, int argc, char **argv)
{
	struct idm_config c = { 0 };
	struct idm_nl nl;
	char err[256];
	uint64_t seen = 0;
	const char *val;
	size_t t;
	int i;

	if (argc == 0)
		return idm_usage_error("\"config set\" needs a setting, e.g. \"flow-limit %u\"",
				       IDMESH_FLOW_LIMIT_DEFAULT);
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "hash-key")) {
			if (idm_kv_once(&seen, IDM_N_SETTINGS, argv[i], err,
					sizeof(err)) ||
			    !(val = idm_kv_value(argc, argv, &i, err, sizeof(err))) ||
			    idm_parse_hex("hash-key", val, c.key, sizeof(c.key),
					  err, sizeof(err)))
				return idm_usage_error("%s", err);
			c.has_key = 1;
			continue;
		}
		for (t = 0; t < IDM_N_SETTINGS; t++)
			if (!strcmp(argv[i], idm_settings[t].name))
				break;
		if (t == IDM_N_SETTINGS)
			return idm_usage_error("unknown setting \"%s\"; try \"idmesh config help\"",
					       argv[i]);
		if (idm_kv_once(&seen, t, idm_settings[t].name, err, sizeof(err)) ||
		    !(val = idm_kv_value(argc, argv, &i, err, sizeof(err))))
			return idm_usage_error("%s", err);
		/* Range-checked by the kernel, whose text is printed. */
		if (idm_parse_u32(idm_settings[t].name, val, 0, UINT32_MAX,
				  &c.val[t], err, sizeof(err)))
			return idm_usage_error("%s", err);
		c.has[t] = 1;
	}
	if (idm_nl_open(&nl, o->netns))
		return 1;
	i = idm_config_set(&nl, &c);
	idm_nl_close(&nl);
	return i ? 1 : 0;
}

int cmd_config(const struct idm_opts *o, int argc, char **argv)
{
	if (argc == 0 || idm_matches(argv[0], "show") || idm_matches(argv[0], "list"))
		return config_show(o, argc ? argc - 1 : 0, argv + 1);
	if (idm_matches(argv[0], "set"))
		return config_set(o, argc - 1, argv + 1);
	return idm_usage_error("unknown command \"config %s\"; try \"idmesh config help\"",
			       argv[0]);
}

/* idmesh stats: per-namespace counters of packets no link claimed. */

void help_stats(FILE *f)
{
	fprintf(f,
		"Usage: idmesh [-j [-p]] [-n NETNS] stats show\n"
		"Encapsulated packets that arrived on a remote links' UDP port of\n"
		"this namespace and were dropped: for an id no link has\n"
		"(unknown-id), or with a header that does not parse (malformed).\n"
		"Flows the load balancer tracks now (flows), and so far: forgotten\n"
		"to make room (evicted), after their timeout (expired), and new\n"
		"flows that could not be tracked and were dropped (failed); the\n"
		"same for the SACL gateway's connections (sacl-flows), which have\n"
		"a budget of their own (config's sacl-flow-limit).\n");
}

/* The counters, in the order they are shown; a line starts at each "". */
static const struct {
	const char *name, *json;
	int attr, u32, newline;
} counters[] = {
	{ "rx unknown-id", "rx_unknown_id", IDMESH_A_RX_UNKNOWN_ID, 0, 0 },
	{ "malformed", "rx_malformed", IDMESH_A_RX_MALFORMED, 0, 0 },
	{ "flows", "flows", IDMESH_A_FLOWS, 1, 1 },
	{ "evicted", "flows_evicted", IDMESH_A_FLOWS_EVICTED, 0, 0 },
	{ "expired", "flows_expired", IDMESH_A_FLOWS_EXPIRED, 0, 0 },
	{ "failed", "flows_failed", IDMESH_A_FLOWS_FAILED, 0, 0 },
	{ "sacl-flows", "sacl_flows", IDMESH_A_SACL_FLOWS, 1, 1 },
	{ "evicted", "sacl_flows_evicted", IDMESH_A_SACL_FLOWS_EVICTED, 0, 0 },
	{ "expired", "sacl_flows_expired", IDMESH_A_SACL_FLOWS_EXPIRED, 0, 0 },
	{ "failed", "sacl_flows_failed", IDMESH_A_SACL_FLOWS_FAILED, 0, 0 },
};

#define N_COUNTERS (sizeof(counters) / sizeof(counters[0]))

static int stats_reply(struct nlattr **tb, struct nlattr *head, int len,
		       void *arg)
{
	unsigned long long *v = arg;
	size_t i;

	for (i = 0; i < N_COUNTERS; i++)
		v[i] = counters[i].u32 ? idm_nla_u32(tb[counters[i].attr]) :
					 idm_nla_u64(tb[counters[i].attr]);
	return 0;
}

int cmd_stats(const struct idm_opts *o, int argc, char **argv)
{
	unsigned long long v[N_COUNTERS] = { 0 };
	struct idm_nl nl;
	size_t i;
	int err;

	if (argc > 0 && !idm_matches(argv[0], "show"))
		return idm_usage_error("unknown command \"stats %s\"; try \"idmesh stats help\"",
				       argv[0]);
	if (argc > 1)
		return idm_usage_error("\"stats show\" takes no arguments");
	if (idm_nl_open(&nl, o->netns))
		return 1;
	err = idm_nl_request(&nl, IDMESH_CMD_STATS_GET, NULL, NULL,
			     stats_reply, v);
	idm_nl_close(&nl);
	if (err)
		return 1;
	print_start(o->json, o->pretty);
	print_open_obj(NULL);
	for (i = 0; i < N_COUNTERS; i++) {
		print_text("%s%s", i && counters[i].newline ? "\n" :
			   i ? " " : "", counters[i].name);
		print_u64(PRINT_ANY, counters[i].json, " %llu", v[i]);
	}
	print_text("\n");
	print_close_obj();
	print_end();
	return 0;
}
