// SPDX-License-Identifier: GPL-2.0
/* idmesh vip / backend: Maglev-hashed virtual services. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netlink/attr.h>

#include "idmesh.h"
#include "nl.h"
#include "vip.h"

void help_vip(FILE *f)
{
	fprintf(f,
		"Usage: idmesh [-n NETNS] vip add ADDR [port PORT] proto { tcp | udp | sctp }\n"
		"                                 [table-size M] [mode { nat | tunnel }]\n"
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
		"holds the VIP and replies directly. See \"idmesh backend help\".\n",
		IDMESH_TABLE_SIZE_MIN, IDMESH_TABLE_SIZE_MAX,
		IDMESH_TABLE_SIZE_DEFAULT);
}

void help_backend(FILE *f)
{
	fprintf(f,
		"Usage: idmesh [-n NETNS] backend { add | set | del } VIP [port PORT] proto PROTO\n"
		"                                 backend ADDR [port PORT] [weight W]\n"
		"A backend of the VIP: ADDR (same family as the VIP) and, in NAT mode,\n"
		"the PORT to rewrite to (default: the port the client used). W is\n"
		"0..%u (default %u): shares of the table are proportional to the\n"
		"weights; 0 drains the backend (no new flows, its flows stay).\n"
		"\"set\" changes the weight; \"del\" moves the backend's flows.\n",
		IDMESH_WEIGHT_MAX, IDMESH_WEIGHT_DEFAULT);
}

static int put_addr(struct nl_msg *msg, int a4, int a6,
		    const struct idm_addr *a)
{
	return a->family == AF_INET ? nla_put(msg, a4, 4, a->bytes) :
	       nla_put(msg, a6, 16, a->bytes);
}

struct vip_req {
	const struct idm_vip_spec *vip;
	const struct idm_backend_spec *be;
	int new;
};

static int vip_put(struct nl_msg *msg, void *arg)
{
	const struct vip_req *r = arg;
	struct nlattr *nest;

	if (!r->vip)
		return 0;
	nest = nla_nest_start(msg, IDMESH_A_VIP);
	if (!nest ||
	    put_addr(msg, IDMESH_VIP_A_ADDR4, IDMESH_VIP_A_ADDR6, &r->vip->addr) ||
	    nla_put_u8(msg, IDMESH_VIP_A_PROTO, r->vip->proto) ||
	    (r->vip->port && nla_put_u16(msg, IDMESH_VIP_A_PORT, r->vip->port)) ||
	    (r->vip->table_size &&
	     nla_put_u32(msg, IDMESH_VIP_A_TABLE_SIZE, r->vip->table_size)) ||
	    (r->vip->mode && nla_put_u8(msg, IDMESH_VIP_A_MODE, r->vip->mode)))
		return -1;
	nla_nest_end(msg, nest);
	if (!r->be)
		return 0;
	nest = nla_nest_start(msg, IDMESH_A_BACKEND);
	if (!nest ||
	    put_addr(msg, IDMESH_BACKEND_A_ADDR4, IDMESH_BACKEND_A_ADDR6,
		     &r->be->addr) ||
	    (r->be->port && nla_put_u16(msg, IDMESH_BACKEND_A_PORT, r->be->port)) ||
	    (r->be->has_weight &&
	     nla_put_u32(msg, IDMESH_BACKEND_A_WEIGHT, r->be->weight)))
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

static int vip_change(const struct idm_opts *o, uint8_t cmd,
		      const struct vip_req *r)
{
	struct idm_nl nl;
	int err;

	if (idm_nl_open(&nl, o->netns))
		return 1;
	err = idm_nl_request(&nl, cmd, vip_put, (void *)r, NULL, NULL);
	idm_nl_close(&nl);
	return err ? 1 : 0;
}

/* What a dump reports. */
struct be_info {
	char addr[INET6_ADDRSTRLEN];
	uint32_t port, weight, index, slots, flows;
	uint64_t packets, bytes;
};

struct vip_info {
	char addr[INET6_ADDRSTRLEN];
	uint32_t port, proto, mode, table_size, flows;
	uint64_t packets, bytes, no_backend, no_route, build_ns;
	struct be_info *be;
	size_t nbe;
};

struct vip_list {
	struct vip_info *v;
	size_t n;
	/* table dump */
	uint16_t *slots;
	size_t nslots;
	int failed;
};

static void addr_str(const struct nlattr *a4, const struct nlattr *a6,
		     char *out)
{
	out[0] = '\0';
	if (a4 && nla_len(a4) == 4)
		inet_ntop(AF_INET, nla_data(a4), out, INET6_ADDRSTRLEN);
	else if (a6 && nla_len(a6) == 16)
		inet_ntop(AF_INET6, nla_data(a6), out, INET6_ADDRSTRLEN);
}

static uint64_t get_u64(const struct nlattr *a)
{
	return a && nla_len(a) == 8 ? nla_get_u64((struct nlattr *)a) : 0;
}

static uint32_t get_u32(const struct nlattr *a)
{
	return a && nla_len(a) == 4 ? nla_get_u32((struct nlattr *)a) : 0;
}

static int parse_backend(struct nlattr *nest, struct be_info *b)
{
	struct nlattr *tb[IDMESH_BACKEND_A_MAX + 1];

	if (nla_parse_nested(tb, IDMESH_BACKEND_A_MAX, nest, NULL))
		return -1;
	memset(b, 0, sizeof(*b));
	addr_str(tb[IDMESH_BACKEND_A_ADDR4], tb[IDMESH_BACKEND_A_ADDR6], b->addr);
	b->port = tb[IDMESH_BACKEND_A_PORT] ? nla_get_u16(tb[IDMESH_BACKEND_A_PORT]) : 0;
	b->weight = get_u32(tb[IDMESH_BACKEND_A_WEIGHT]);
	b->index = get_u32(tb[IDMESH_BACKEND_A_INDEX]);
	b->slots = get_u32(tb[IDMESH_BACKEND_A_SLOTS]);
	b->flows = get_u32(tb[IDMESH_BACKEND_A_FLOWS]);
	b->packets = get_u64(tb[IDMESH_BACKEND_A_PACKETS]);
	b->bytes = get_u64(tb[IDMESH_BACKEND_A_BYTES]);
	return 0;
}

static int vip_reply(struct nlattr **top, struct nlattr *head, int len,
		     void *arg)
{
	struct nlattr *tb[IDMESH_VIP_A_MAX + 1], *a;
	struct vip_list *l = arg;
	struct vip_info cur, *v;
	int rem;

	if (top[IDMESH_A_TABLE_SLOTS] && top[IDMESH_A_TABLE_OFFSET]) {
		uint32_t off = nla_get_u32(top[IDMESH_A_TABLE_OFFSET]);
		size_t cnt = nla_len(top[IDMESH_A_TABLE_SLOTS]) / 2;

		if (off != l->nslots)
			return -1;	/* chunks come in order */
		l->slots = realloc(l->slots, (l->nslots + cnt) * 2);
		if (!l->slots)
			return -1;
		memcpy(l->slots + l->nslots, nla_data(top[IDMESH_A_TABLE_SLOTS]),
		       cnt * 2);
		l->nslots += cnt;
		return 0;
	}
	if (!top[IDMESH_A_VIP] ||
	    nla_parse_nested(tb, IDMESH_VIP_A_MAX, top[IDMESH_A_VIP], NULL))
		return -1;
	memset(&cur, 0, sizeof(cur));
	addr_str(tb[IDMESH_VIP_A_ADDR4], tb[IDMESH_VIP_A_ADDR6], cur.addr);
	cur.port = tb[IDMESH_VIP_A_PORT] ? nla_get_u16(tb[IDMESH_VIP_A_PORT]) : 0;
	cur.proto = tb[IDMESH_VIP_A_PROTO] ? nla_get_u8(tb[IDMESH_VIP_A_PROTO]) : 0;
	cur.mode = tb[IDMESH_VIP_A_MODE] ? nla_get_u8(tb[IDMESH_VIP_A_MODE]) : 0;
	cur.table_size = get_u32(tb[IDMESH_VIP_A_TABLE_SIZE]);
	cur.flows = get_u32(tb[IDMESH_VIP_A_FLOWS]);
	cur.packets = get_u64(tb[IDMESH_VIP_A_PACKETS]);
	cur.bytes = get_u64(tb[IDMESH_VIP_A_BYTES]);
	cur.no_backend = get_u64(tb[IDMESH_VIP_A_NO_BACKEND]);
	cur.no_route = get_u64(tb[IDMESH_VIP_A_NO_ROUTE]);
	cur.build_ns = get_u64(tb[IDMESH_VIP_A_BUILD_NS]);

	/* A VIP with many backends comes in several messages. */
	v = l->n ? &l->v[l->n - 1] : NULL;
	if (!v || strcmp(v->addr, cur.addr) || v->port != cur.port ||
	    v->proto != cur.proto) {
		l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
		if (!l->v)
			return -1;
		v = &l->v[l->n++];
		*v = cur;
	}
	nla_for_each_nested(a, top[IDMESH_A_VIP], rem) {
		if (nla_type(a) != IDMESH_VIP_A_BACKEND)
			continue;
		v->be = realloc(v->be, (v->nbe + 1) * sizeof(*v->be));
		if (!v->be || parse_backend(a, &v->be[v->nbe]))
			return -1;
		v->nbe++;
	}
	return 0;
}

static void vip_list_free(struct vip_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].be);
	free(l->v);
	free(l->slots);
}

static const char *mode_name(uint32_t mode)
{
	return mode == IDMESH_VIP_MODE_TUNNEL ? "tunnel" : "nat";
}

static void print_proto(struct json *j, const char *key, uint32_t proto)
{
	const char *name = idm_proto_name(proto);

	if (j) {
		if (name)
			json_str(j, key, name);
		else
			json_uint(j, key, proto);
	} else if (name) {
		printf(" proto %s", name);
	} else {
		printf(" proto %u", proto);
	}
}

static void print_vips(const struct idm_opts *o, const struct vip_list *l)
{
	size_t i, k;
	struct json j;

	if (o->json) {
		json_init(&j, stdout, o->pretty);
		json_arr_open(&j, NULL);
	}
	for (i = 0; i < l->n; i++) {
		const struct vip_info *v = &l->v[i];

		if (!o->json) {
			printf("vip %s", v->addr);
			if (v->port)
				printf(" port %u", v->port);
			print_proto(NULL, NULL, v->proto);
			printf(" mode %s table-size %u flows %u\n",
			       mode_name(v->mode), v->table_size, v->flows);
			if (o->stats)
				printf("    packets %llu bytes %llu no-backend %llu no-route %llu build-time %lluus\n",
				       (unsigned long long)v->packets,
				       (unsigned long long)v->bytes,
				       (unsigned long long)v->no_backend,
				       (unsigned long long)v->no_route,
				       (unsigned long long)v->build_ns / 1000);
		} else {
			json_obj_open(&j, NULL);
			json_str(&j, "addr", v->addr);
			if (v->port)
				json_uint(&j, "port", v->port);
			print_proto(&j, "proto", v->proto);
			json_str(&j, "mode", mode_name(v->mode));
			json_uint(&j, "table_size", v->table_size);
			json_uint(&j, "flows", v->flows);
			if (o->stats) {
				json_obj_open(&j, "stats");
				json_uint(&j, "packets", v->packets);
				json_uint(&j, "bytes", v->bytes);
				json_uint(&j, "no_backend", v->no_backend);
				json_uint(&j, "no_route", v->no_route);
				json_uint(&j, "build_ns", v->build_ns);
				json_obj_close(&j);
			}
			json_arr_open(&j, "backends");
		}
		for (k = 0; k < v->nbe; k++) {
			const struct be_info *b = &v->be[k];
			/* Share of the table, in hundredths of a percent. */
			unsigned long long share = v->table_size ?
				(unsigned long long)b->slots * 10000 / v->table_size : 0;

			if (!o->json) {
				printf("    backend %s", b->addr);
				if (b->port)
					printf(" port %u", b->port);
				printf(" weight %u slots %u (%llu.%02llu%%) flows %u\n",
				       b->weight, b->slots, share / 100, share % 100,
				       b->flows);
				if (o->stats)
					printf("        packets %llu bytes %llu\n",
					       (unsigned long long)b->packets,
					       (unsigned long long)b->bytes);
				continue;
			}
			json_obj_open(&j, NULL);
			json_str(&j, "addr", b->addr);
			if (b->port)
				json_uint(&j, "port", b->port);
			json_uint(&j, "weight", b->weight);
			json_uint(&j, "slots", b->slots);
			json_uint(&j, "flows", b->flows);
			if (o->stats) {
				json_obj_open(&j, "stats");
				json_uint(&j, "packets", b->packets);
				json_uint(&j, "bytes", b->bytes);
				json_obj_close(&j);
			}
			json_obj_close(&j);
		}
		if (o->json) {
			json_arr_close(&j);
			json_obj_close(&j);
		}
	}
	if (o->json) {
		json_arr_close(&j);
		json_end(&j);
	}
}

static int vip_dump(const struct idm_opts *o, uint8_t cmd,
		    const struct idm_vip_spec *only, struct vip_list *l)
{
	struct vip_req r = { .vip = only };
	struct idm_nl nl;
	int err;

	memset(l, 0, sizeof(*l));
	if (idm_nl_open(&nl, o->netns))
		return -1;
	err = idm_nl_dump(&nl, cmd, vip_put, &r, vip_reply, l);
	idm_nl_close(&nl);
	return err;
}

static int vip_show(const struct idm_opts *o, int argc, char **argv)
{
	struct idm_vip_spec v;
	struct vip_list l;
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
		vip_list_free(&l);
		return 1;
	}
	print_vips(o, &l);
	vip_list_free(&l);
	return 0;
}

static int vip_table(const struct idm_opts *o, int argc, char **argv)
{
	struct idm_vip_spec v;
	struct vip_list l;
	const struct vip_info *vi;
	char err[256];
	struct json j;
	size_t s, k;
	int used;

	if (idm_parse_vip(argc, argv, IDM_VIP_ID, &v, &used, err, sizeof(err)))
		return idm_usage_error("%s", err);
	if (used < argc)
		return idm_usage_error("unknown word \"%s\"", argv[used]);
	if (vip_dump(o, IDMESH_CMD_TABLE_GET, &v, &l) || l.n != 1) {
		vip_list_free(&l);
		return 1;
	}
	vi = &l.v[0];
	for (s = 0; s < l.nslots; s++)
		if (l.slots[s] >= vi->nbe) {
			fprintf(stderr, "Error: malformed answer from the kernel\n");
			vip_list_free(&l);
			return 1;
		}
	if (o->json) {
		json_init(&j, stdout, o->pretty);
		json_obj_open(&j, NULL);
		json_arr_open(&j, "backends");
	}
	for (k = 0; k < vi->nbe; k++) {
		const struct be_info *b = &vi->be[k];

		if (!o->json) {
			printf("# backend %u %s", b->index, b->addr);
			if (b->port)
				printf(" port %u", b->port);
			printf("\n");
			continue;
		}
		json_obj_open(&j, NULL);
		json_uint(&j, "index", b->index);
		json_str(&j, "addr", b->addr);
		if (b->port)
			json_uint(&j, "port", b->port);
		json_obj_close(&j);
	}
	if (o->json) {
		json_arr_close(&j);
		json_arr_open(&j, "slots");
		for (s = 0; s < l.nslots; s++)
			json_uint(&j, NULL, l.slots[s]);
		json_arr_close(&j);
		json_obj_close(&j);
		json_end(&j);
	} else {
		/* One line per slot: slot number, index of the owner. */
		for (s = 0; s < l.nslots; s++)
			printf("%zu %u\n", s, l.slots[s]);
	}
	vip_list_free(&l);
	return 0;
}

int cmd_vip(const struct idm_opts *o, int argc, char **argv)
{
	struct idm_vip_spec v;
	struct vip_req r = { .vip = &v };
	char err[256];
	int used, add;

	if (argc == 0 || idm_matches(argv[0], "show") || idm_matches(argv[0], "list"))
		return vip_show(o, argc ? argc - 1 : 0, argv + 1);
	if (idm_matches(argv[0], "table"))
		return vip_table(o, argc - 1, argv + 1);
	add = idm_matches(argv[0], "add");
	if (!add && !idm_matches(argv[0], "delete"))
		return idm_usage_error("unknown command \"vip %s\"; try \"idmesh vip help\"",
				       argv[0]);
	if (idm_parse_vip(argc - 1, argv + 1, add ? IDM_VIP_NEW : IDM_VIP_ID, &v,
			  &used, err, sizeof(err)))
		return idm_usage_error("%s", err);
	if (used < argc - 1)
		return idm_usage_error("unknown word \"%s\"", argv[used + 1]);
	return vip_change(o, add ? IDMESH_CMD_VIP_NEW : IDMESH_CMD_VIP_DEL, &r);
}

int cmd_backend(const struct idm_opts *o, int argc, char **argv)
{
	struct idm_backend_spec b;
	struct idm_vip_spec v;
	struct vip_req r = { .vip = &v, .be = &b };
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
	else
		return idm_usage_error("unknown command \"backend %s\"; try \"idmesh backend help\"",
				       argv[0]);
	if (idm_parse_vip(argc - 1, argv + 1, IDM_VIP_ID, &v, &used, err,
			  sizeof(err)))
		return idm_usage_error("%s", err);
	if (used >= argc - 1)
		return idm_usage_error("name the backend: \"... backend ADDR [port PORT] [weight W]\"");
	if (idm_parse_backend(argc - 2 - used, argv + 2 + used, &b, err,
			      sizeof(err)))
		return idm_usage_error("%s", err);
	return vip_change(o, cmd, &r);
}
