// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh policy: which policy (a NetworkPolicy, as "idmesh k8s" names
 * it) allows or denies a connection, and what each policy's rules counted
 * on this node. From an intent, as apply reads it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/idmesh.h>

#include "idmesh.h"
#include "intent.h"
#include "nl.h"
#include "parse.h"
#include "print.h"
#include "sacl.h"

void help_policy(FILE *f)
{
	fprintf(f,
		"Usage: idmesh [-j [-p]] policy explain -f FILE SRC DST [PROTO/]PORT\n"
		"       idmesh [-j [-p]] [-n NETNS] policy show -f FILE\n"
		"FILE is an intent (\"idmesh k8s node\" writes one from a cluster's\n"
		"NetworkPolicies). explain: what the node's rules do with a new\n"
		"connection from SRC to DST (PROTO tcp, udp or sctp; default tcp):\n"
		"the IDs both addresses have (a workload's Service, a peer's prefix,\n"
		"or none), the egress rule judged on the client's node, the ingress\n"
		"rule on the server's, each with the policies that made it. To a VIP,\n"
		"each backend is judged, as after the VIP's NAT. show: each policy's\n"
		"rules with what they counted on this node (hits, drops).\n");
}

static const char *proto_of(uint8_t p)
{
	const char *n = idm_proto_name(p);

	return n ? n : "?";
}

static void print_id(const char *key, const struct idm_intent *in,
		     const char *addr, uint64_t id, const struct idm_workload *w,
		     const struct idm_peer *peer)
{
	char buf[INET6_ADDRSTRLEN + 8], hex[24];

	print_open_obj(key);
	print_string(PRINT_FP, NULL, "%s ", key);
	print_string(PRINT_ANY, "address", "%s:", addr);
	snprintf(hex, sizeof(hex), "0x%016" PRIx64, id);
	if (w) {
		print_string(PRINT_ANY, "workload", " workload %s,", w->name);
		print_string(PRINT_ANY, "id", " service %s", hex);
		print_string(PRINT_ANY, "service", " {%s}",
			     in->services[w->service].name);
	} else if (peer) {
		idm_prefix_format(&peer->p, buf, sizeof(buf));
		print_string(PRINT_ANY, "peer", " peer %s,", buf);
		print_string(PRINT_ANY, "id", " id %s", hex);
	} else {
		print_string(PRINT_FP, NULL, "%s", " no ID (any)");
	}
	print_text("\n");
	print_close_obj();
}

/* One direction's verdict: the rule and its policies, or the default. */
static uint32_t print_judged(const struct idm_intent *in, uint32_t dir,
			     uint64_t c, uint64_t s, uint8_t proto, uint16_t port)
{
	const char *key = dir == IDMESH_SACL_EGRESS ? "egress" : "ingress";
	int k = idm_intent_judge(in, dir, c, s, proto, port);
	uint32_t act;
	size_t i;

	print_open_obj(key);
	print_string(PRINT_FP, NULL, "%s:", key);
	if (k < 0) {
		act = dir == IDMESH_SACL_EGRESS || !in->has_default ?
		      IDMESH_SACL_ALLOW : in->def_action;
		print_string(PRINT_ANY, "action", " %s",
			     idm_word_name(idm_action_words, act));
		print_string(PRINT_ANY, "by", " (%s)\n",
			     dir == IDMESH_SACL_EGRESS ? "no egress rule" :
			     "no rule: the default");
		print_close_obj();
		return act;
	}
	{
		const struct idm_rule *r = &in->rules[k];
		char ports[IDMESH_SACL_RANGES_MAX * 20];

		act = r->action;
		print_string(PRINT_ANY, "action", " %s",
			     idm_word_name(idm_action_words, act));
		print_string(PRINT_FP, NULL, "%s", " by rule");
		print_string(PRINT_ANY, "client", r->c.kind == IDM_SIDE_SERVICES ?
			     " client {%s}" : " client %s", r->c.name);
		print_string(PRINT_ANY, "server", r->s.kind == IDM_SIDE_SERVICES ?
			     " server {%s}" : " server %s", r->s.name);
		if (r->nranges) {
			idm_format_ranges(r->ranges, r->nranges, ports, sizeof(ports));
			print_string(PRINT_ANY, "ports", " ports %s", ports);
		}
		print_open_arr("policies");
		for (i = 0; i < r->npolicies; i++)
			print_string(PRINT_ANY, NULL, i ? ", %s" : ", policy %s",
				     in->policies[r->from[i]].name);
		print_close_arr();
		print_text("\n");
	}
	print_close_obj();
	return act;
}

static uint32_t explain_pair(const struct idm_intent *in, const struct idm_addr *src,
			     const struct idm_addr *dst, uint8_t proto, uint16_t port)
{
	const struct idm_workload *cw, *sw;
	const struct idm_peer *cp, *sp;
	char cs[INET6_ADDRSTRLEN], ds[INET6_ADDRSTRLEN];
	uint64_t c, s, se;
	uint32_t e, i;

	inet_ntop(src->family, src->bytes, cs, sizeof(cs));
	inet_ntop(dst->family, dst->bytes, ds, sizeof(ds));
	c = idm_intent_addr_id(in, src, true, &cw, &cp);
	print_id("client", in, cs, c, cw, cp);
	/* At egress an address no workload has is its peer's; at ingress, none. */
	s = idm_intent_addr_id(in, dst, false, &sw, &sp);
	se = sw ? s : idm_intent_addr_id(in, dst, true, &sw, &sp);
	print_id("server", in, ds, se, sw, sp);
	e = print_judged(in, IDMESH_SACL_EGRESS, c, se, proto, port);
	i = print_judged(in, IDMESH_SACL_INGRESS, c, s, proto, port);
	return e == IDMESH_SACL_DENY || i == IDMESH_SACL_DENY ? IDMESH_SACL_DENY :
	       IDMESH_SACL_ALLOW;
}

static int load(const char *file, struct idm_intent *in)
{
	char err[512];

	if (idm_intent_load(file, in, err, sizeof(err))) {
		fprintf(stderr, "Error: %s\n", err);
		idm_intent_free(in);
		return -1;
	}
	return 0;
}

static int explain(const struct idm_opts *o, const char *file, char **argv)
{
	struct idm_addr src, dst;
	struct idm_intent in;
	uint32_t proto = IPPROTO_TCP, port, v = IDMESH_SACL_ALLOW;
	char err[160], *slash = strchr(argv[2], '/');
	size_t i, j;

	if (idm_parse_addr(argv[0], &src) || idm_parse_addr(argv[1], &dst))
		return idm_usage_error("\"%s\" is not an IPv4 or IPv6 address",
				       idm_parse_addr(argv[0], &src) ? argv[0] : argv[1]);
	if (slash) {
		*slash = '\0';
		if (idm_parse_proto(argv[2], false, &proto, err, sizeof(err)) ||
		    (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_SCTP))
			return idm_usage_error("\"%s\" is not tcp, udp or sctp", argv[2]);
	}
	if (idm_parse_u32("port", slash ? slash + 1 : argv[2], 1, 65535, &port, err,
			  sizeof(err)))
		return idm_usage_error("%s", err);
	if (load(file, &in))
		return 1;
	print_start(o->json, o->pretty);
	print_open_obj(NULL);
	print_string(PRINT_ANY, "protocol", "%s", proto_of((uint8_t)proto));
	print_uint(PRINT_ANY, "port", "/%u\n", port);
	for (i = 0; i < in.nvips; i++) {
		const struct idm_intent_vip *vp = &in.vips[i];

		if (memcmp(&vp->v.addr, &dst, sizeof(dst)) || vp->v.proto != proto ||
		    (vp->v.port && vp->v.port != port))
			continue;
		/* Judged after the VIP's NAT: at each backend. */
		print_string(PRINT_ANY, "vip", "%s: a VIP, judged at each backend\n", argv[1]);
		print_open_arr("backends");
		for (j = 0; j < vp->nbe; j++) {
			uint32_t bp = vp->be[j].port ? vp->be[j].port : port;

			print_open_obj(NULL);
			if (explain_pair(&in, &src, &vp->be[j].addr, (uint8_t)proto,
					 (uint16_t)bp) == IDMESH_SACL_DENY)
				v = IDMESH_SACL_DENY;
			print_close_obj();
		}
		print_close_arr();
		break;
	}
	if (i == in.nvips)
		v = explain_pair(&in, &src, &dst, (uint8_t)proto, (uint16_t)port);
	print_string(PRINT_ANY, "verdict", "verdict: %s\n", idm_word_name(idm_action_words, v));
	print_close_obj();
	print_end();
	idm_intent_free(&in);
	return 0;
}

/* The node's rule of a derived one's key, or NULL. */
static const struct idm_sacl_entry *node_rule(const struct idm_sacl_list *l,
					      const struct idm_rule *r)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct idm_sacl_entry *e = &l->e[i];

		if (e->kind == IDMESH_SACL_KIND_RULE && e->client == r->c.id &&
		    e->cbits == r->c.bits && e->server == r->s.id &&
		    e->sbits == r->s.bits && e->dir == r->dir)
			return e;
	}
	return NULL;
}

static bool rule_of(const struct idm_intent *in, const struct idm_rule *r,
		    const char *name)
{
	size_t i;

	for (i = 0; i < r->npolicies; i++)
		if (!strcmp(in->policies[r->from[i]].name, name))
			return true;
	return false;
}

static int show(const struct idm_opts *o, const char *file)
{
	struct idm_sacl_spec only = { .kind = IDMESH_SACL_KIND_RULE };
	struct idm_sacl_list l = { 0 };
	struct idm_intent in;
	struct idm_nl nl;
	size_t i, k, j;

	if (load(file, &in))
		return 1;
	if (idm_nl_open(&nl, o->netns) || idm_sacl_dump(&nl, &only, &l)) {
		free(l.e);
		idm_intent_free(&in);
		return 1;
	}
	idm_nl_close(&nl);
	print_start(o->json, o->pretty);
	print_open_arr(NULL);
	for (k = 0; k < in.npolicies; k++) {
		const char *name = in.policies[k].name;
		uint64_t hits = 0, drops = 0;

		/* One entry per name: a NetworkPolicy is several policies. */
		for (j = 0; j < k && strcmp(in.policies[j].name, name); j++)
			;
		if (j < k)
			continue;
		for (i = 0; i < in.nrules; i++) {
			const struct idm_sacl_entry *e = node_rule(&l, &in.rules[i]);

			if (e && rule_of(&in, &in.rules[i], name)) {
				hits += e->c[IDMESH_SACL_A_HITS];
				drops += e->c[IDMESH_SACL_A_DROPS];
			}
		}
		print_open_obj(NULL);
		print_string(PRINT_ANY, "name", "policy %s:", name);
		print_u64(PRINT_ANY, "hits", " hits %llu", hits);
		print_u64(PRINT_ANY, "drops", " drops %llu\n", drops);
		print_open_arr("rules");
		for (i = 0; i < in.nrules; i++) {
			const struct idm_rule *r = &in.rules[i];
			const struct idm_sacl_entry *e;

			if (!rule_of(&in, r, name))
				continue;
			e = node_rule(&l, r);
			print_open_obj(NULL);
			print_string(PRINT_ANY, "client", r->c.kind == IDM_SIDE_SERVICES ?
				     "    client {%s}" : "    client %s", r->c.name);
			print_string(PRINT_ANY, "server", r->s.kind == IDM_SIDE_SERVICES ?
				     " server {%s}" : " server %s", r->s.name);
			if (r->dir == IDMESH_SACL_EGRESS)
				print_string(PRINT_ANY, "direction", " %s", "egress");
			print_string(PRINT_ANY, "action", " %s",
				     idm_word_name(idm_action_words, r->action));
			if (e) {
				print_u64(PRINT_ANY, "hits", ": hits %llu", e->c[IDMESH_SACL_A_HITS]);
				print_u64(PRINT_ANY, "drops", " drops %llu",
					  e->c[IDMESH_SACL_A_DROPS]);
			} else {
				print_bool(PRINT_ANY, "missing", ": not on this node", true);
			}
			if (r->npolicies > 1)
				print_uint(PRINT_ANY, "shared", " (with %u other policies)",
					   (unsigned int)r->npolicies - 1);
			print_text("\n");
			print_close_obj();
		}
		print_close_arr();
		print_close_obj();
	}
	print_close_arr();
	print_end();
	free(l.e);
	idm_intent_free(&in);
	return 0;
}

int cmd_policy(const struct idm_opts *o, int argc, char **argv)
{
	const char *file = NULL;
	char *args[3];
	int i, n = 0, what = 0;

	if (argc < 1 || idm_matches(argv[0], "help")) {
		help_policy(argc < 1 ? stderr : stdout);
		return argc < 1 ? EXIT_USAGE : 0;
	}
	if (idm_matches(argv[0], "explain"))
		what = 1;
	else if (idm_matches(argv[0], "show"))
		what = 2;
	else
		return idm_usage_error("unknown word \"%s\"; try \"idmesh policy help\"", argv[0]);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "file")) {
			if (++i == argc)
				return idm_usage_error("-f needs a file");
			file = argv[i];
		} else if (what == 1 && n < 3) {
			args[n++] = argv[i];
		} else {
			return idm_usage_error("unknown word \"%s\"; try \"idmesh policy help\"",
					       argv[i]);
		}
	}
	if (!file)
		return idm_usage_error("policy %s needs -f FILE", what == 1 ? "explain" : "show");
	if (what == 1 && n != 3)
		return idm_usage_error("policy explain needs SRC DST [PROTO/]PORT");
	return what == 1 ? explain(o, file, args) : show(o, file);
}
