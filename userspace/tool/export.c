// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh export: the node's state as an intent. Applying what it prints
 * changes nothing: its links with their addresses and routes, its hash
 * key, its VIPs and backends, its default action and its SACL entries as
 * "sacl-entries" (the workloads and policies that made them are not in
 * the kernel).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/idmesh.h>

#include "apply_link.h"
#include "config.h"
#include "idmesh.h"
#include "intent.h"
#include "masq.h"
#include "nl.h"
#include "parse.h"
#include "print.h"
#include "sacl.h"
#include "vip.h"

void help_export(FILE *f)
{
	fprintf(f,
		"Usage: idmesh [-n NETNS] export\n"
		"Print this node's state as an intent (JSON) that \"idmesh apply\" takes:\n"
		"its local pairs and remote links with the addresses and routes of their\n"
		"ends, the flow hash key (to a caller with CAP_NET_ADMIN), the VIPs with\n"
		"their backends and weights, the SACL default action and the SACL\n"
		"entries (\"sacl-entries\", in the words of \"idmesh sacl KIND add\").\n"
		"Applying it changes nothing. A pair whose peer is in a namespace with\n"
		"no name under /run/netns cannot be named: then \"pairs\" is left out\n"
		"(and applying leaves the pairs as they are), with a warning.\n");
}

static void put_prefixes(const char *key, const struct idm_prefixes *ps)
{
	char p[INET6_ADDRSTRLEN + 8];
	size_t i;

	print_open_arr(key);
	for (i = 0; i < ps->n; i++) {
		idm_prefix_format(&ps->v[i], p, sizeof(p));
		print_string(PRINT_JSON, NULL, NULL, p);
	}
	print_close_arr();
}

/* The links of one kind: IDM_ILINK_PAIR, _REMOTE or _EXTERNAL. */
static void put_links(const struct idm_intent_link *v, size_t n, int kind)
{
	static const char *const key[] = { "pairs", "remote-links", "external-links" };
	char a[INET6_ADDRSTRLEN + 8];
	size_t i, k;

	print_open_arr(key[kind]);
	for (i = 0; i < n; i++) {
		const struct idm_intent_link *l = &v[i];

		if ((l->external ? IDM_ILINK_EXTERNAL : l->remote ? IDM_ILINK_REMOTE :
		     IDM_ILINK_PAIR) != kind)
			continue;
		print_open_obj(NULL);
		print_string(PRINT_JSON, "name", NULL, l->name);
		if (!l->remote) {
			print_string(PRINT_JSON, "peer", NULL, l->peer);
			if (l->netns)
				print_string(PRINT_JSON, "netns", NULL, l->netns);
		} else {
			if (l->external) {
				print_string(PRINT_JSON, "family", NULL,
					     l->external == 6 ? "inet6" : "inet");
			} else {
				inet_ntop(l->raddr.family, l->raddr.bytes, a, sizeof(a));
				print_string(PRINT_JSON, "remote", NULL, a);
			}
			if (l->laddr.family) {
				inet_ntop(l->laddr.family, l->laddr.bytes, a, sizeof(a));
				print_string(PRINT_JSON, "local", NULL, a);
			}
			print_uint(PRINT_JSON, "id", NULL, l->id);
			print_uint(PRINT_JSON, "port", NULL, l->port);
			if (l->dev)
				print_string(PRINT_JSON, "dev", NULL, l->dev);
		}
		print_uint(PRINT_JSON, "mtu", NULL, l->mtu);
		put_prefixes("addresses", &l->addrs[IDM_END_NODE]);
		put_prefixes("routes", &l->routes[IDM_END_NODE]);
		if (!l->remote) {
			put_prefixes("peer-addresses", &l->addrs[IDM_END_PEER]);
			put_prefixes("peer-routes", &l->routes[IDM_END_PEER]);
		}
		if (l->external) {
			print_open_arr("peers");
			for (k = 0; k < l->nxpeers; k++) {
				print_open_obj(NULL);
				idm_prefix_format(&l->xpeers[k].p, a, sizeof(a));
				print_string(PRINT_JSON, "prefix", NULL, a);
				inet_ntop(l->xpeers[k].remote.family, l->xpeers[k].remote.bytes,
					  a, sizeof(a));
				print_string(PRINT_JSON, "remote", NULL, a);
				print_close_obj();
			}
			print_close_arr();
		}
		print_close_obj();
	}
	print_close_arr();
}

static void put_vips(const struct idm_vip_list *l)
{
	size_t i, k;

	print_open_arr("vips");
	for (i = 0; i < l->n; i++) {
		const struct idm_vip_info *v = &l->v[i];

		print_open_obj(NULL);
		print_string(PRINT_JSON, "address", NULL, v->addr);
		print_uint(PRINT_JSON, "port", NULL, v->port);
		print_string(PRINT_JSON, "protocol", NULL, idm_proto_name(v->proto));
		print_string(PRINT_JSON, "mode", NULL,
			     v->mode == IDMESH_VIP_MODE_TUNNEL ? "tunnel" : "nat");
		print_uint(PRINT_JSON, "table-size", NULL, v->table_size);
		if (v->affinity)
			print_uint(PRINT_JSON, "affinity", NULL, v->affinity);
		print_open_arr("backends");
		for (k = 0; k < v->nbe; k++) {
			print_open_obj(NULL);
			print_string(PRINT_JSON, "address", NULL, v->be[k].addr);
			if (v->be[k].port)
				print_uint(PRINT_JSON, "port", NULL, v->be[k].port);
			print_uint(PRINT_JSON, "weight", NULL, v->be[k].weight);
			print_close_obj();
		}
		print_close_arr();
		print_close_obj();
	}
	print_close_arr();
}

/*
 * The intent's masquerade (masq.h), when it has one: left out when nft
 * cannot say (applying the export then leaves it alone).
 */
static void put_masq(void)
{
	struct idm_prefixes m;
	char why[512], b[64];
	size_t i;

	if (idm_masq_get("intent", &m, why, sizeof(why)))
		return;
	if (m.n) {
		print_open_arr("masquerade");
		for (i = 0; i < m.n; i++) {
			idm_prefix_format(&m.v[i], b, sizeof(b));
			print_string(PRINT_JSON, NULL, NULL, b);
		}
		print_close_arr();
	}
	free(m.v);
}

int cmd_export(const struct idm_opts *o, int argc, char **argv)
{
	uint8_t key[IDMESH_HASH_KEY_LEN];
	struct idm_vip_list vips = { 0 };
	struct idm_sacl_tables st = { 0 };
	struct idm_intent_link *links = NULL;
	struct idm_nl nl, rt;
	bool named = true;
	char buf[256];
	size_t nlinks = 0, i;
	int rc = 1, has_key;

	if (argc > 0)
		return idm_usage_error("\"export\" takes no arguments, got \"%s\"", argv[0]);
	if (idm_nl_open(&nl, o->netns))
		return 1;
	if (idm_rt_open(&rt, NULL))
		goto out_nl;
	if (idm_links_read(&nl, &rt, &links, &nlinks))
		goto out;
	has_key = idm_hash_key_get(&nl, key);
	if (has_key < 0 || idm_vip_dump(&nl, IDMESH_CMD_VIP_GET, NULL, &vips) ||
	    idm_sacl_read(&nl, &st))
		goto out;
	if (has_key > 0)
		fprintf(stderr, "Warning: the hash key is shown only to a caller with CAP_NET_ADMIN; left out\n");
	for (i = 0; i < nlinks; i++)
		if (!links[i].remote && links[i].netns && links[i].netns[0] == '(') {
			fprintf(stderr, "Warning: the peer of %s is in a namespace with no name; \"pairs\" left out\n",
				links[i].name);
			named = false;
		}
	print_start(true, true);
	print_open_obj(NULL);
	if (named)
		put_links(links, nlinks, IDM_ILINK_PAIR);
	put_links(links, nlinks, IDM_ILINK_REMOTE);
	put_links(links, nlinks, IDM_ILINK_EXTERNAL);
	if (!has_key) {
		char hex[2 * IDMESH_HASH_KEY_LEN + 1];

		idm_hex_format(key, sizeof(key), hex);
		print_string(PRINT_JSON, "hash-key", NULL, hex);
	}
	put_masq();
	put_vips(&vips);
	if (st.has_default)
		print_string(PRINT_JSON, "default", NULL,
			     idm_word_name(idm_action_words, st.def_action));
	print_open_arr("sacl-entries");
	for (i = 0; i < st.n; i++) {
		idm_sacl_row_format(&st.e[i], buf, sizeof(buf));
		print_string(PRINT_JSON, NULL, NULL, buf);
	}
	print_close_arr();
	print_close_obj();
	print_end();
	rc = 0;
out:
	for (i = 0; i < nlinks; i++)
		idm_intent_link_free(&links[i]);
	free(links);
	idm_vip_list_free(&vips);
	idm_sacl_tables_free(&st);
	idm_nl_close(&rt);
out_nl:
	idm_nl_close(&nl);
	return rc;
}
