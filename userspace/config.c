// SPDX-License-Identifier: GPL-2.0
/* idmesh config: per network namespace settings. */
#include <stdio.h>
#include <string.h>
#include <netlink/attr.h>

#include "idmesh.h"
#include "nl.h"

/* Settings after flow-limit: the flow timeouts, in seconds. */
static const struct {
	const char *name, *json;
	int attr;
	uint32_t def;
} timeouts[] = {
	{ "timeout-tcp-syn", "timeout_tcp_syn", IDMESH_A_TIMEOUT_TCP_SYN,
	  IDMESH_TIMEOUT_TCP_SYN_DEFAULT },
	{ "timeout-tcp", "timeout_tcp", IDMESH_A_TIMEOUT_TCP,
	  IDMESH_TIMEOUT_TCP_DEFAULT },
	{ "timeout-tcp-fin", "timeout_tcp_fin", IDMESH_A_TIMEOUT_TCP_FIN,
	  IDMESH_TIMEOUT_TCP_FIN_DEFAULT },
	{ "timeout-udp", "timeout_udp", IDMESH_A_TIMEOUT_UDP,
	  IDMESH_TIMEOUT_UDP_DEFAULT },
	{ "timeout-sctp", "timeout_sctp", IDMESH_A_TIMEOUT_SCTP,
	  IDMESH_TIMEOUT_SCTP_DEFAULT },
};

#define N_TIMEOUTS (sizeof(timeouts) / sizeof(timeouts[0]))

struct config {
	uint32_t flow_limit;
	int has_flow_limit;
	uint32_t timeout[N_TIMEOUTS];
	int has_timeout[N_TIMEOUTS];
};

void help_config(FILE *f)
{
	fprintf(f,
		"Usage: idmesh [-j [-p]] [-n NETNS] config show\n"
		"       idmesh [-n NETNS] config set SETTING VALUE...\n"
		"Settings of the current (or the named) network namespace:\n"
		"  flow-limit N         most flows tracked before the oldest is\n"
		"                       evicted, %u..%u (default %u)\n"
		"  timeout-tcp-syn S    idle seconds before a flow is forgotten:\n"
		"  timeout-tcp S        TCP before the handshake completes, TCP\n"
		"  timeout-tcp-fin S    established, TCP after FIN or RST, UDP,\n"
		"  timeout-udp S        SCTP; %u..%u (defaults %u, %u, %u, %u, %u)\n"
		"  timeout-sctp S\n"
		"\"set\" needs CAP_NET_ADMIN; a rejected change changes nothing.\n",
		IDMESH_FLOW_LIMIT_MIN, IDMESH_FLOW_LIMIT_MAX,
		IDMESH_FLOW_LIMIT_DEFAULT, IDMESH_TIMEOUT_MIN, IDMESH_TIMEOUT_MAX,
		IDMESH_TIMEOUT_TCP_SYN_DEFAULT, IDMESH_TIMEOUT_TCP_DEFAULT,
		IDMESH_TIMEOUT_TCP_FIN_DEFAULT, IDMESH_TIMEOUT_UDP_DEFAULT,
		IDMESH_TIMEOUT_SCTP_DEFAULT);
}

static int config_reply(struct nlattr **tb, struct nlattr *head, int len,
			void *arg)
{
	struct config *c = arg;
	size_t i;

	if (tb[IDMESH_A_FLOW_LIMIT]) {
		c->flow_limit = nla_get_u32(tb[IDMESH_A_FLOW_LIMIT]);
		c->has_flow_limit = 1;
	}
	for (i = 0; i < N_TIMEOUTS; i++)
		if (tb[timeouts[i].attr]) {
			c->timeout[i] = nla_get_u32(tb[timeouts[i].attr]);
			c->has_timeout[i] = 1;
		}
	return 0;
}

static int config_put(struct nl_msg *msg, void *arg)
{
	const struct config *c = arg;
	size_t i;

	if (c->has_flow_limit &&
	    nla_put_u32(msg, IDMESH_A_FLOW_LIMIT, c->flow_limit))
		return -1;
	for (i = 0; i < N_TIMEOUTS; i++)
		if (c->has_timeout[i] &&
		    nla_put_u32(msg, timeouts[i].attr, c->timeout[i]))
			return -1;
	return 0;
}

static int config_show(const struct idm_opts *o, int argc, char **argv)
{
	struct config c = { 0 };
	struct idm_nl nl;
	struct json j;
	size_t i;
	int err;

	if (argc > 0)
		return idm_usage_error("\"config show\" takes no arguments, got \"%s\"",
				       argv[0]);
	if (idm_nl_open(&nl, o->netns))
		return 1;
	err = idm_nl_request(&nl, IDMESH_CMD_CONFIG_GET, NULL, NULL,
			     config_reply, &c);
	idm_nl_close(&nl);
	if (err)
		return 1;

	if (!o->json) {
		if (c.has_flow_limit)
			printf("flow-limit %u\n", c.flow_limit);
		for (i = 0; i < N_TIMEOUTS; i++)
			if (c.has_timeout[i])
				printf("%s %u\n", timeouts[i].name, c.timeout[i]);
		return 0;
	}
	json_init(&j, stdout, o->pretty);
	json_obj_open(&j, NULL);
	if (c.has_flow_limit)
		json_uint(&j, "flow_limit", c.flow_limit);
	for (i = 0; i < N_TIMEOUTS; i++)
		if (c.has_timeout[i])
			json_uint(&j, timeouts[i].json, c.timeout[i]);
	json_obj_close(&j);
	json_end(&j);
	return 0;
}

static int config_set(const struct idm_opts *o, int argc, char **argv)
{
	struct config c = { 0 };
	struct idm_nl nl;
	char err[256];
	size_t t;
	int i;

	if (argc == 0)
		return idm_usage_error("\"config set\" needs a setting, e.g. \"flow-limit %u\"",
				       IDMESH_FLOW_LIMIT_DEFAULT);
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "flow-limit")) {
			if (c.has_flow_limit)
				return idm_usage_error("\"flow-limit\" given twice");
			if (i + 1 >= argc)
				return idm_usage_error("\"flow-limit\" needs a value");
			/* Range-checked by the kernel, whose text is printed. */
			if (idm_parse_u32("flow-limit", argv[++i], 0, UINT32_MAX,
					  &c.flow_limit, err, sizeof(err)))
				return idm_usage_error("%s", err);
			c.has_flow_limit = 1;
			continue;
		}
		for (t = 0; t < N_TIMEOUTS; t++)
			if (!strcmp(argv[i], timeouts[t].name))
				break;
		if (t < N_TIMEOUTS) {
			if (c.has_timeout[t])
				return idm_usage_error("\"%s\" given twice", timeouts[t].name);
			if (i + 1 >= argc)
				return idm_usage_error("\"%s\" needs a value", timeouts[t].name);
			if (idm_parse_u32(timeouts[t].name, argv[++i], 0, UINT32_MAX,
					  &c.timeout[t], err, sizeof(err)))
				return idm_usage_error("%s", err);
			c.has_timeout[t] = 1;
		} else {
			return idm_usage_error("unknown setting \"%s\"; try \"idmesh config help\"",
					       argv[i]);
		}
	}
	if (idm_nl_open(&nl, o->netns))
		return 1;
	i = idm_nl_request(&nl, IDMESH_CMD_CONFIG_SET, config_put, &c,
			   NULL, NULL);
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
		"flows that could not be tracked and were dropped (failed).\n");
}

struct stats {
	uint64_t unknown_id, malformed;
	uint64_t flows, evicted, expired, failed;
};

static int stats_reply(struct nlattr **tb, struct nlattr *head, int len,
		       void *arg)
{
	struct stats *s = arg;

	if (tb[IDMESH_A_RX_UNKNOWN_ID])
		s->unknown_id = nla_get_u64(tb[IDMESH_A_RX_UNKNOWN_ID]);
	if (tb[IDMESH_A_RX_MALFORMED])
		s->malformed = nla_get_u64(tb[IDMESH_A_RX_MALFORMED]);
	if (tb[IDMESH_A_FLOWS])
		s->flows = nla_get_u32(tb[IDMESH_A_FLOWS]);
	if (tb[IDMESH_A_FLOWS_EVICTED])
		s->evicted = nla_get_u64(tb[IDMESH_A_FLOWS_EVICTED]);
	if (tb[IDMESH_A_FLOWS_EXPIRED])
		s->expired = nla_get_u64(tb[IDMESH_A_FLOWS_EXPIRED]);
	if (tb[IDMESH_A_FLOWS_FAILED])
		s->failed = nla_get_u64(tb[IDMESH_A_FLOWS_FAILED]);
	return 0;
}

int cmd_stats(const struct idm_opts *o, int argc, char **argv)
{
	struct stats s = { 0 };
	struct idm_nl nl;
	struct json j;
	int err;

	if (argc > 0 && !idm_matches(argv[0], "show"))
		return idm_usage_error("unknown command \"stats %s\"; try \"idmesh stats help\"",
				       argv[0]);
	if (argc > 1)
		return idm_usage_error("\"stats show\" takes no arguments");
	if (idm_nl_open(&nl, o->netns))
		return 1;
	err = idm_nl_request(&nl, IDMESH_CMD_STATS_GET, NULL, NULL,
			     stats_reply, &s);
	idm_nl_close(&nl);
	if (err)
		return 1;
	if (!o->json) {
		printf("rx unknown-id %llu malformed %llu\n",
		       (unsigned long long)s.unknown_id,
		       (unsigned long long)s.malformed);
		printf("flows %llu evicted %llu expired %llu failed %llu\n",
		       (unsigned long long)s.flows,
		       (unsigned long long)s.evicted,
		       (unsigned long long)s.expired,
		       (unsigned long long)s.failed);
		return 0;
	}
	json_init(&j, stdout, o->pretty);
	json_obj_open(&j, NULL);
	json_uint(&j, "rx_unknown_id", s.unknown_id);
	json_uint(&j, "rx_malformed", s.malformed);
	json_uint(&j, "flows", s.flows);
	json_uint(&j, "flows_evicted", s.evicted);
	json_uint(&j, "flows_expired", s.expired);
	json_uint(&j, "flows_failed", s.failed);
	json_obj_close(&j);
	json_end(&j);
	return 0;
}
