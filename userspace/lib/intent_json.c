// SPDX-License-Identifier: GPL-2.0
/*
 * The intent parsers' shared checks of a JSON tree: typed fields with
 * messages that name the file and the path in it, and the text (JSON or
 * YAML) into the tree.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

#include "intent_impl.h"
#include "parse.h"
#include "yaml.h"

int idm_intent_fail(struct ctx *c, const char *path, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = snprintf(c->err, c->errlen, "%s: %s%s", c->file, path, *path ? ": " : "");
	if (n >= c->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A path too long for the buffer is cut (only messages show it). */
void idm_subpath(char *out, const char *path, const char *key)
{
	if (snprintf(out, PATH_MAX_LEN, "%s%s%s", path, *path ? "." : "",
		     key) >= PATH_MAX_LEN)
		out[PATH_MAX_LEN - 1] = '\0';
}

void idm_subidx(char *out, const char *path, size_t i)
{
	if (snprintf(out, PATH_MAX_LEN, "%s[%zu]", path, i) >= PATH_MAX_LEN)
		out[PATH_MAX_LEN - 1] = '\0';
}

const char *idm_json_type_name(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
	case json_type_int:
		return "a number";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "something else";
}

int idm_want_type(struct ctx *c, const char *path, json_object *o,
		     json_type t, const char *what)
{
	if (json_object_is_type(o, t))
		return 0;
	return idm_intent_fail(c, path, "expected %s, got %s", what, idm_json_type_name(o));
}

/* Every key of an object must be one of keys (NULL-terminated). */
int idm_known_keys(struct ctx *c, const char *path, json_object *o,
		      const char *const *keys)
{
	char sub[PATH_MAX_LEN];
	size_t i;

	json_object_object_foreach(o, k, v) {
		(void)v;
		for (i = 0; keys[i]; i++)
			if (!strcmp(k, keys[i]))
				break;
		if (!keys[i]) {
			idm_subpath(sub, path, k);
			return idm_intent_fail(c, sub, "unknown key");
		}
	}
	return 0;
}

int idm_get_string(struct ctx *c, const char *path, json_object *o,
		      const char **out)
{
	if (idm_want_type(c, path, o, json_type_string, "a string"))
		return -1;
	*out = json_object_get_string(o);
	if (!**out)
		return idm_intent_fail(c, path, "must not be empty");
	return 0;
}

int idm_get_uint(struct ctx *c, const char *path, json_object *o,
		    uint32_t min, uint32_t max, uint32_t *out)
{
	int64_t v;

	if (idm_want_type(c, path, o, json_type_int, "an integer"))
		return -1;
	errno = 0;
	v = json_object_get_int64(o);
	if (errno || v < min || v > max)
		return idm_intent_fail(c, path, "%s is out of range %u..%u",
			    json_object_to_json_string(o), min, max);
	*out = (uint32_t)v;
	return 0;
}

int idm_get_addr(struct ctx *c, const char *path, json_object *o,
		    struct idm_addr *a)
{
	const char *s;

	if (idm_get_string(c, path, o, &s))
		return -1;
	if (idm_parse_addr(s, a))
		return idm_intent_fail(c, path, "\"%s\" is not an IPv4 or IPv6 address", s);
	return 0;
}

/*
 * The intent's text: JSON when it starts with "{", otherwise YAML (which
 * the same checks then read as the same tree).
 */
json_object *idm_parse_text(struct ctx *c, const char *text, size_t len)
{
	struct json_tokener *tok;
	json_object *root;
	char yerr[256];
	size_t skip = strspn(text, " \t\r\n");

	if (skip < len && text[skip] != '{') {
		root = idm_yaml_parse(text, len, yerr, sizeof(yerr));
		if (!root)
			idm_intent_fail(c, "", "YAML: %s", yerr);
		return root;
	}
	tok = json_tokener_new();
	if (!tok) {
		idm_intent_fail(c, "", "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (!root || json_tokener_get_parse_end(tok) < len) {
		size_t at = json_tokener_get_parse_end(tok), line = 1, col = 1, i;
		enum json_tokener_error je = json_tokener_get_error(tok);

		for (i = 0; i < at && i < len; i++, col++)
			if (text[i] == '\n')
				line++, col = 0;
		if (root && je == json_tokener_success)
			idm_intent_fail(c, "", "line %zu, column %zu: text after the intent", line, col);
		else if (je == json_tokener_continue || je == json_tokener_success)
			idm_intent_fail(c, "", "the JSON ends too early");
		else
			idm_intent_fail(c, "", "line %zu, column %zu: %s", line, col,
			     json_tokener_error_desc(je));
		json_tokener_free(tok);
		json_object_put(root);
		return NULL;
	}
	json_tokener_free(tok);
	return root;
}

int idm_intent_get_action(struct ctx *c, const char *path, json_object *o,
			  uint32_t *out)
{
	const char *s;

	if (idm_get_string(c, path, o, &s))
		return -1;
	if (!strcmp(s, "allow"))
		*out = IDMESH_SACL_ALLOW;
	else if (!strcmp(s, "deny"))
		*out = IDMESH_SACL_DENY;
	else
		return idm_intent_fail(c, path, "\"%s\" is not allow or deny", s);
	return 0;
}

int idm_label_cmp(const void *a, const void *b)
{
	return strcmp(((const struct idm_label *)a)->key,
		      ((const struct idm_label *)b)->key);
}

const char *idm_label_get(const struct idm_labels *l, const char *key)
{
	struct idm_label k = { .key = (char *)key };
	struct idm_label *f = bsearch(&k, l->v, l->n, sizeof(*l->v), idm_label_cmp);

	return f ? f->value : NULL;
}

int idm_intent_parse_strings(struct ctx *c, const char *path, json_object *o,
			     char ***out, size_t *n, const char *what)
{
	char sub[PATH_MAX_LEN];
	const char *s;
	size_t i, j;

	if (idm_want_type(c, path, o, json_type_array, "an array of strings"))
		return -1;
	if (!json_object_array_length(o))
		return idm_intent_fail(c, path, "needs at least one %s", what);
	for (i = 0; i < json_object_array_length(o); i++) {
		idm_subidx(sub, path, i);
		if (idm_get_string(c, sub, json_object_array_get_idx(o, i), &s))
			return -1;
		for (j = 0; j < *n; j++)
			if (!strcmp((*out)[j], s))
				return idm_intent_fail(c, sub, "\"%s\" is listed twice", s);
		*out = xrealloc(*out, *n + 1, sizeof(**out));
		(*out)[(*n)++] = xstrdup(s);
	}
	return 0;
}

bool idm_is_service_key(const struct idm_intent *in, const char *key)
{
	size_t i;

	if (!in->has_service_keys)
		return true;
	for (i = 0; i < in->nservice_keys; i++)
		if (!strcmp(in->service_keys[i], key))
			return true;
	return false;
}
