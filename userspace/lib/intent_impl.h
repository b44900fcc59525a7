/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the three parts of "idmesh apply"'s intent code share, and no one
 * else: intent_parse.c (the file into a struct idm_intent),
 * intent_derive.c (Services, SACL IDs, rules) and intent_state.c (the
 * tables a node should hold, and the changes that get it there).
 */
#ifndef IDMESH_INTENT_IMPL_H
#define IDMESH_INTENT_IMPL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "intent.h"
#include "util.h"

static inline int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* The parser's place in the file, for messages: "workloads[2].labels". */
struct ctx {
	const char *file;
	char *err;
	size_t errlen;
};

#define PATH_MAX_LEN 256

/* Paths for messages: "path.key", "path[i]" (cut when too long). */
void idm_subpath(char *out, const char *path, const char *key);
void idm_subidx(char *out, const char *path, size_t i);
/* "string", "array", ...: the JSON type of o, for messages. */
const char *idm_json_type_name(json_object *o);
/* Checks of a JSON value at path, each a message and -1 when it fails. */
int idm_want_type(struct ctx *c, const char *path, json_object *o,
		  json_type t, const char *what);
int idm_known_keys(struct ctx *c, const char *path, json_object *o,
		   const char *const *keys);
int idm_get_string(struct ctx *c, const char *path, json_object *o,
		   const char **out);
int idm_get_uint(struct ctx *c, const char *path, json_object *o,
		 uint32_t min, uint32_t max, uint32_t *out);
/* An IPv4 or IPv6 address. */
int idm_get_addr(struct ctx *c, const char *path, json_object *o,
		 struct idm_addr *a);

/* JSON if text starts with "{", else YAML; NULL with the reason in c->err. */
json_object *idm_parse_text(struct ctx *c, const char *text, size_t len);

/* "FILE: PATH: message" into c->err; returns -1. */
int idm_intent_fail(struct ctx *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The intent's "vips" (intent_vip.c). */
int idm_intent_parse_vips(struct ctx *c, json_object *o, struct idm_intent *in);
void idm_intent_free_vips(struct idm_intent *in);

/*
 * The intent's "pairs", "remote-links" or "external-links" (key), and
 * "hash-key".
 */
int idm_intent_parse_links(struct ctx *c, const char *key, json_object *o,
			   struct idm_intent *in);
int idm_intent_parse_hash_key(struct ctx *c, json_object *o, struct idm_intent *in);
/* "masquerade": pod CIDRs (no host bits set), each once. */
int idm_intent_parse_masq(struct ctx *c, json_object *o, struct idm_intent *in);
/* "ipsec": {"secrets": [64 hex digits, ...]}, at most 4, each once. */
int idm_intent_parse_ipsec(struct ctx *c, json_object *o, struct idm_intent *in);
void idm_intent_free_links(struct idm_intent *in);
/* The intent's "sacl-entries" (intent_sacl.c). */
int idm_intent_parse_sacl(struct ctx *c, json_object *o, struct idm_intent *in);

/* "allow" or "deny". */
int idm_intent_get_action(struct ctx *c, const char *path, json_object *o,
			  uint32_t *out);
/* A non-empty array of distinct strings (each a "what"), copied. */
int idm_intent_parse_strings(struct ctx *c, const char *path, json_object *o,
			     char ***out, size_t *n, const char *what);

/*
 * The intent's "policies", and a workload's "named-ports" (intent_policy.c);
 * the rules and peers the policies give, once Services have their IDs.
 */
int idm_intent_parse_policies(struct ctx *c, json_object *o, struct idm_intent *in);
int idm_intent_parse_named(struct ctx *c, const char *path, json_object *o,
			   struct idm_workload *w);
int idm_intent_derive_rules(struct ctx *c, struct idm_intent *in);
void idm_intent_free_policies(struct idm_intent *in);

/* A structured field's bits: from the label's value, or its absence. */
uint64_t idm_field_hash(const uint8_t *key, const char *lkey, const char *value);
/* The SACL ID of a Service with these labels (intent_id.c). */
uint64_t idm_service_id(const struct idm_intent *in, const struct idm_labels *l);

/* Labels by key (qsort, bsearch). */
int idm_label_cmp(const void *a, const void *b);
/* A label's value, or NULL. */
const char *idm_label_get(const struct idm_labels *l, const char *key);
void idm_labels_free(struct idm_labels *l);
/* Does key count for Services (the intent's service_keys, or all)? */
bool idm_is_service_key(const struct idm_intent *in, const char *key);

#endif
