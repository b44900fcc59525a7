// SPDX-License-Identifier: GPL-2.0
/* idmesh vip / backend: Maglev-hashed virtual services. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netlink/attr.h>

#include "idmesh.h"
#include "nl.h"
#include "print.h"
#include "vip.h"

void help_vip(FILE *f)
{
	fprintf(f,
		"Usage: idmesh [-n NETNS] vip add ADDR [port PORT] proto { tcp | udp | sctp }\n"
		"                                 [table-size M] [mode { nat | tunnel }]\n"
		"                                 [affinity SECONDS]\n"
		"       idmesh [-n NETNS] vip set ADDR [port PORT] proto PROTO\n"
		"                                 affinity { SECONDS | none }\n"
		"       idmesh [-n NETNS] vip del ADDR [port PORT] proto PROTO\n"
		"       idmesh [-j [-p]] [-s] [-n NETNS] vip show [ADDR [port PORT] proto PROTO]\n"
		"       idmesh [-j [-p]] [-n NETNS] vip table ADDR [port PORT] proto PROTO\n"
		"A virtual service: flows to ADDR (one PORT, or every port when none is\n"
		"given) are spread over its backends by Maglev consistent hashing, and\n"
		"keep their backend while they live. M is a prime, %u..%u (default\n"
		"%u). mode nat (default) rewrites the destination to the backend and\n"
		"the source of replies back to the VIP; mode tunnel forwards packets\n"
		"unchanged along the route to the backend, which must leave through a\n"
		"point-to-point device (an idmesh link or another tunnel); the backend\n"
		"holds the VIP and replies directly. A backend no route leads to (or\n"
		"whose route's device is down) is shown \"down\": it owns no slot\n"
		"until its route comes back. affinity pins a client address: its\n"
		"new connections go to the backend its last one went to, while it\n"
		"opens one within SECONDS (1..%u; none or 0: no affinity) of the last\n"
		"and that backend owns slots, as a Service's sessionAffinity ClientIP.\n"
		"\"vip set\" changes it; flows go on. See \"idmesh backend help\".\n",
		IDMESH_TABLE_SIZE_MIN, IDMESH_TABLE_SIZE_MAX,
		IDMESH_TABLE_SIZE_DEFAULT, IDMESH_AFFINITY_MAX);
}

void help_backend(FILE *f)
{
	fprintf(f,
		"Usage: idmesh [-n NETNS] backend { add | set | del } VIP [port PORT] proto PROTO\n"
		"                                 backend ADDR [port PORT] [weight W]\n"
		"       idmesh [-n NETNS] backend replace VIP [port PORT] proto PROTO\n"
		"                                 [backend ADDR [port PORT] [weight W]]...\n"
		"A backend of the VIP: ADDR (same family as the VIP) and, in NAT mode,\n"
		"the PORT to rewrite to (default: the port the client used). W is\n"
		"0..%u (default %u): shares of the table are proportional to the\n"
		"weights; 0 drains the backend (no new flows, its flows stay).\n"
		"\"set\" changes the weight; \"del\" moves the backend's flows.\n"
		"\"replace\" makes the backends (none: no backend) the VIP's whole set\n"
		"in one table build: backends that stay keep their flows.\n",
		IDMESH_WEIGHT_MAX, IDMESH_WEIGHT_DEFAULT);
}

static int vip_change(const struct idm_opts *o, uint8_t cmd,
		      const struct idm_vip_req *r)
{
	struct idm_nl nl;
	int err;

	if (idm_nl_open(&nl, o->netns))
		return 1;
	err = idm_nl_request(&nl, cmd, idm_vip_put, (void *)r, NULL, NULL);
	idm_nl_close(&nl);
	return err ? 1 : 0;
}

static const char *mode_name(uint32_t mode)
{
	return mode == IDMESH_VIP_MODE_TUNNEL ? "tunnel" : "nat";
}

static void print_proto(const char *key, uint32_t proto)
{
	const char *name = idm_proto_name(proto);

	if (name)
		print_string(PRINT_ANY, key, " proto %s", name);
	else
		print_uint(PRINT_ANY, key, " proto %u", proto);
}

static void print_backend(const struct idm_opts *o, const struct idm_vip_info *v,
			  const struct idm_be_info *b)
{
	/* Share of the table, in hundredths of a percent. */
	unsigned long long share = v->table_size ?
		(unsigned long long)b->slots * 10000 / v->table_size : 0;

	print_open_obj(NULL);
	print_string(PRINT_ANY, "addr", "    backend %s", b->addr);
	if (b->port)
		print_uint(PRINT_ANY, "port", " port %u", b->port);
	print_uint(PRINT_ANY, "weight", " weight %u", b->weight);
	print_uint(PRINT_ANY, "slots", " slots %u", b->slots);
	print_text(" (%llu.%02llu%%)", share / 100, share % 100);
	print_uint(PRINT_ANY, "flows", " flows %u", b->flows);
	print_bool(PRINT_JSON, "down", NULL, b->down);
	print_text("%s\n", b->down ? " down" : "");
	if (o->stats) {
		print_open_obj("stats");
		print_u64(PRINT_ANY, "packets", "        packets %llu", b->packets);
		print_u64(PRINT_ANY, "bytes", " bytes %llu", b->bytes);
		print_uint(PRINT_ANY, "downs", " downs %u\n", b->downs);
		print_close_obj();
	}
	print_close_obj();
}

static void print_vip(const struct idm_opts *o, const struct idm_vip_info *v)
{
	size_t k;

	print_open_obj(NULL);
	print_string(PRINT_ANY, "addr", "vip %s", v->addr);
	if (v->port)
		print_uint(PRINT_ANY, "port", " port %u", v->port);
	print_proto("proto", v->proto);
	print_string(PRINT_ANY, "mode", " mode %s", mode_name(v->mode));
	print_uint(PRINT_ANY, "table_size", " table-size %u", v->table_size);
	if (v->affinity)
		print_uint(PRINT_ANY, "affinity", " affinity %u", v->affinity);
	print_uint(PRINT_ANY, "flows", " flows %u", v->flows);
	if (v->affinity)
		print_uint(PRINT_ANY, "clients", " clients %u", v->clients);
	print_text("\n");
	if (o->stats) {
		print_open_obj("stats");
		print_u64(PRINT_ANY, "packets", "    packets %llu", v->packets);
		print_u64(PRINT_ANY, "bytes", " bytes %llu", v->bytes);
		print_u64(PRINT_ANY, "no_backend", " no-backend %llu",
			  v->no_backend);
		print_u64(PRINT_ANY, "no_route", " no-route %llu", v->no_route);
		print_u64(PRINT_FP, NULL, " build-time %lluus",
			  v->build_ns / 1000);
		print_u64(PRINT_JSON, "build_ns", NULL, v->build_ns);
		print_uint(PRINT_ANY, "builds", " builds %u\n", v->builds);
		print_close_obj();
	}
	print_open_arr("backends");
	for (k = 0; k < v->nbe; k++)
		print_backend(o, v, &v->be[k]);
	print_close_arr();
	print_close_obj();
}

static void print_vips(const struct idm_opts *o, const struct idm_vip_list *l)
{
	size_t i;

	print_start(o->json, o->pretty);
	print_open_arr(NULL);
	for (i = 0; i < l->n; i++)
		print_vip(o, &l->v[i]);
	print_close_arr();
	print_end();
}

static int vip_dump(const struct idm_opts *o, uint8_t cmd,
		    const struct idm_vip_spec *only, struct idm_vip_list *l)
{
	struct idm_nl nl;
	int err;

	memset(l, 0, sizeof(*l));
	if (idm_nl_open(&nl, o->netns))
		return -1;
	err = idm_vip_dump(&nl, cmd, only, l);
	idm_nl_close(&nl);
	return err;
}

static int vip_show(const struct idm_opts *o, int argc, char **argv)
{
	struct idm_vip_spec v;
	struct idm_vip_list l;
	char err[256];
	int used;

	if (argc > 0) {
		if (idm_parse_vip(argc, argv, IDM_VIP_ID, &v, &used, err,
				  sizeof(err)))
			return idm_usage_error("%s", err);
		if (used < argc)
			return idm_usage_error("unknown word \"%s\"", argv[used]);
	}
	if (vip_dump(o, IDMESH_CMD_VIP_GET, argc ? &v : NULL, &l)) {
		idm_vip_list_free(&l);
		return 1;
	}
	print_vips(o, &l);
	idm_vip_list_free(&l);
	return 0;
}

static int vip_table(const struct idm_opts *o, int argc, char **argv)
{
	struct idm_vip_spec v;
	struct idm_vip_list l;
	const struct idm_vip_info *vi;
	char err[256];
	size_t s, k;
	int used;

	if (idm_parse_vip(argc, argv, IDM_VIP_ID, &v, &used, err, sizeof(err)))
		return idm_usage_error("%s", err);
	if (used < argc)
		return idm_usage_error("unknown word \"%s\"", argv[used]);
	if (vip_dump(o, IDMESH_CMD_TABLE_GET, &v, &l) || l.n != 1) {
		idm_vip_list_free(&l);
		return 1;
	}
	vi = &l.v[0];
	for (s = 0; s < l.nslots; s++)
		if (l.slots[s] >= vi->nbe) {
			fprintf(stderr, "Error: malformed answer from the kernel\n");
			idm_vip_list_free(&l);
			return 1;
		}
	print_start(o->json, o->pretty);
	print_open_obj(NULL);
	print_open_arr("backends");
	for (k = 0; k < vi->nbe; k++) {
		const struct idm_be_info *b = &vi->be[k];

		print_open_obj(NULL);
		print_uint(PRINT_ANY, "index", "# backend %u", b->index);
		print_string(PRINT_ANY, "addr", " %s", b->addr);
		if (b->port)
			print_uint(PRINT_ANY, "port", " port %u", b->port);
		print_text("\n");
		print_close_obj();
	}
	print_close_arr();
	/* One line per slot: slot number, index of the owner. */
	print_open_arr("slots");
	for (s = 0; s < l.nslots; s++) {
		print_text("%zu", s);
		print_uint(PRINT_ANY, NULL, " %u\n", l.slots[s]);
	}
	print_close_arr();
	print_close_obj();
	print_end();
	idm_vip_list_free(&l);
	return 0;
}

int cmd_vip(const struct idm_opts *o, int argc, char **argv)
{
	struct idm_vip_spec v;
	struct idm_vip_req r = { .vip = &v };
	char err[256];
	int used, add, set;

	if (argc == 0 || idm_matches(argv[0], "show") || idm_matches(argv[0], "list"))
		return vip_show(o, argc ? argc - 1 : 0, argv + 1);
	if (idm_matches(argv[0], "table"))
		return vip_table(o, argc - 1, argv + 1);
	add = idm_matches(argv[0], "add");
	set = !add && idm_matches(argv[0], "set");
	if (!add && !set && !idm_matches(argv[0], "delete"))
		return idm_usage_error("unknown command \"vip %s\"; try \"idmesh vip help\"",
				       argv[0]);
	if (idm_parse_vip(argc - 1, argv + 1,
			  add ? IDM_VIP_NEW : set ? IDM_VIP_SET : IDM_VIP_ID, &v,
			  &used, err, sizeof(err)))
		return idm_usage_error("%s", err);
	if (used < argc - 1)
		return idm_usage_error("unknown word \"%s\"", argv[used + 1]);
	return vip_change(o, add ? IDMESH_CMD_VIP_NEW :
			  set ? IDMESH_CMD_VIP_SET : IDMESH_CMD_VIP_DEL, &r);
}

/* "backend replace VIP ... [backend ADDR [port P] [weight W]]...": argv at
 * the first "backend" word, or at the end (no backend). */
static int backend_replace(const struct idm_opts *o,
			   const struct idm_vip_spec *v, int argc, char **argv)
{
	struct idm_vip_req r = { .vip = v };
	struct idm_backend_spec *set;
	char err[256];
	int i = 0, j, rc;

	set = calloc(argc / 2 + 1, sizeof(*set));
	if (!set) {
		fprintf(stderr, "Error: out of memory\n");
		return 1;
	}
	while (i < argc) {
		for (j = i + 1; j < argc && strcmp(argv[j], "backend"); j++)
			;
		if (idm_parse_backend(j - i - 1, argv + i + 1, &set[r.nbe], err,
				      sizeof(err))) {
			free(set);
			return idm_usage_error("%s", err);
		}
		r.nbe++;
		i = j;
	}
	r.be = set;
	rc = vip_change(o, IDMESH_CMD_BACKEND_REPLACE, &r);
	free(set);
	return rc;
}

int cmd_backend(const struct idm_opts *o, int argc, char **argv)
{
	struct idm_backend_spec b;
	struct idm_vip_spec v;
	struct idm_vip_req r = { .vip = &v, .be = &b, .nbe = 1 };
	char err[256];
	uint8_t cmd;
	int used;

	if (argc == 0)
		return idm_usage_error("\"backend\" needs a command; try \"idmesh backend help\"");
	if (idm_matches(argv[0], "add"))
		cmd = IDMESH_CMD_BACKEND_NEW;
	else if (idm_matches(argv[0], "set"))
		cmd = IDMESH_CMD_BACKEND_SET;
	else if (idm_matches(argv[0], "delete"))
		cmd = IDMESH_CMD_BACKEND_DEL;
	else if (idm_matches(argv[0], "replace"))
		cmd = IDMESH_CMD_BACKEND_REPLACE;
	else
		return idm_usage_error("unknown command \"backend %s\"; try \"idmesh backend help\"",
				       argv[0]);
	if (idm_parse_vip(argc - 1, argv + 1, IDM_VIP_ID, &v, &used, err,
			  sizeof(err)))
		return idm_usage_error("%s", err);
	if (cmd == IDMESH_CMD_BACKEND_REPLACE)
		return backend_replace(o, &v, argc - 1 - used, argv + 1 + used);
	if (used >= argc - 1)
		return idm_usage_error("name the backend: \"... backend ADDR [port PORT] [weight W]\"");
	if (idm_parse_backend(argc - 2 - used, argv + 2 + used, &b, err,
			      sizeof(err)))
		return idm_usage_error("%s", err);
	return vip_change(o, cmd, &r);
}
