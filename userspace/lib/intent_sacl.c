// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh apply: the intent's "sacl-entries", SACL entries given as the
 * words "idmesh sacl KIND add" takes (what "idmesh export" writes for a
 * node's tables), kept beside those the workloads and policies give.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <linux/idmesh.h>

#include "intent.h"
#include "intent_impl.h"
#include "sacl.h"

static const struct idm_word kinds[] = {
	{ "port", IDMESH_SACL_KIND_PORT },
	{ "client", IDMESH_SACL_KIND_CLIENT },
	{ "server", IDMESH_SACL_KIND_SERVER },
	{ "rule", IDMESH_SACL_KIND_RULE },
	{ "peer", IDMESH_SACL_KIND_PEER },
	{ NULL, 0 },
};

/* The entry a "sacl KIND add" command line asks for. */
static void sent_of(const struct idm_sacl_spec *s, struct idm_sacl_row *e)
{
	memset(e, 0, sizeof(*e));
	e->kind = s->kind;
	if (s->dev)
		snprintf(e->dev, sizeof(e->dev), "%s", s->dev);
	e->marker = s->marker;
	if (IDM_HAS(s, IDMESH_SACL_A_ADDR6)) {
		idm_addr46(&s->addr, &e->addr);
		e->has_addr = true;
	}
	e->lid = s->lid;
	e->proto = s->proto;
	e->port = s->port;
	e->id = s->id;
	e->client = s->client;
	e->server = s->server;
	e->cbits = s->kind == IDMESH_SACL_KIND_RULE ? s->cbits : 0;
	e->sbits = s->kind == IDMESH_SACL_KIND_RULE ? s->sbits : 0;
	e->dir = s->kind != IDMESH_SACL_KIND_RULE ? 0 :
		 s->dir ? s->dir : IDMESH_SACL_INGRESS;
	e->nranges = s->nranges;
	memcpy(e->ranges, s->ranges, s->nranges * sizeof(*s->ranges));
	/* A peer without /LEN: the address alone. */
	if (s->kind == IDMESH_SACL_KIND_PEER)
		e->plen = IDM_HAS(s, IDMESH_SACL_A_PREFIX_LEN) ? s->plen :
			  s->addr.family == AF_INET ? 32 : 128;
	e->action = s->action;
	e->has_priority = IDM_HAS(s, IDMESH_SACL_A_PRIORITY);
	e->priority = s->priority;
	e->has_dscp = IDM_HAS(s, IDMESH_SACL_A_DSCP);
	e->dscp = s->dscp;
}

int idm_intent_parse_sacl(struct ctx *c, json_object *o, struct idm_intent *in)
{
	char sub[PATH_MAX_LEN], why[256], *words, *argv[32], *tok, *save;
	struct idm_sacl_spec s;
	const char *line;
	uint32_t kind;
	size_t i;
	int argc;

	if (idm_want_type(c, "sacl-entries", o, json_type_array, "an array"))
		return -1;
	in->nraw = json_object_array_length(o);
	in->raw = xrealloc(NULL, in->nraw, sizeof(*in->raw));
	in->has_raw = true;
	for (i = 0; i < in->nraw; i++) {
		idm_subidx(sub, "sacl-entries", i);
		if (idm_get_string(c, sub, json_object_array_get_idx(o, i), &line))
			return -1;
		words = xstrdup(line);
		argc = 0;
		for (tok = strtok_r(words, " \t", &save); tok && argc < 32;
		     tok = strtok_r(NULL, " \t", &save))
			argv[argc++] = tok;
		if (!argc || idm_parse_word(argv[0], kinds, &kind)) {
			free(words);
			return idm_intent_fail(c, sub, "\"%s\" is not a port, client, server, rule or peer",
					       line);
		}
		if (idm_parse_sacl_entry(argc - 1, argv + 1, (int)kind, 0, &s, why,
					 sizeof(why))) {
			free(words);
			return idm_intent_fail(c, sub, "%s", why);
		}
		if ((kind == IDMESH_SACL_KIND_CLIENT || kind == IDMESH_SACL_KIND_SERVER ||
		     kind == IDMESH_SACL_KIND_PEER) && !IDM_HAS(&s, IDMESH_SACL_A_ID)) {
			free(words);
			return idm_intent_fail(c, sub, "needs an id");
		}
		sent_of(&s, &in->raw[i]);
		free(words);
	}
	return 0;
}
