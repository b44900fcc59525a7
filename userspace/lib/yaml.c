// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "yaml.h"

/* A plain scalar as the core schema reads it. */
static json_object *plain_scalar(const char *s)
{
	char *end;

	if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	    !strcmp(s, "NULL"))
		return NULL;
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
		return json_object_new_boolean(1);
	if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
		return json_object_new_boolean(0);
	if (strspn(s, "+-0123456789") == strlen(s) && strpbrk(s, "0123456789")) {
		long long v;

		errno = 0;
		v = strtoll(s, &end, 10);
		if (!*end && !errno)
			return json_object_new_int64(v);
	}
	if (strpbrk(s, "0123456789") && strspn(s, "+-.0123456789eE") == strlen(s)) {
		double d = strtod(s, &end);

		if (!*end)
			return json_object_new_double(d);
	}
	return json_object_new_string(s);
}

static int fail(const yaml_mark_t *m, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "line %zu, column %zu: %s", m->line + 1,
		 m->column + 1, what);
	return -1;
}

static int convert(yaml_document_t *doc, yaml_node_t *node, int depth,
		   json_object **out, char *err, size_t errlen)
{
	json_object *o, *v;
	yaml_node_item_t *it;
	yaml_node_pair_t *p;

	*out = NULL;
	if (depth > 64)
		return fail(&node->start_mark, err, errlen, "nested too deep");
	switch (node->type) {
	case YAML_SCALAR_NODE: {
		const char *s = (const char *)node->data.scalar.value;

		if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
			*out = plain_scalar(s);
		else
			*out = json_object_new_string(s);
		return 0;
	}
	case YAML_SEQUENCE_NODE:
		o = json_object_new_array();
		for (it = node->data.sequence.items.start;
		     it < node->data.sequence.items.top; it++) {
			if (convert(doc, yaml_document_get_node(doc, *it), depth + 1,
				    &v, err, errlen)) {
				json_object_put(o);
				return -1;
			}
			json_object_array_add(o, v);
		}
		*out = o;
		return 0;
	case YAML_MAPPING_NODE:
		o = json_object_new_object();
		for (p = node->data.mapping.pairs.start;
		     p < node->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(doc, p->key);

			if (k->type != YAML_SCALAR_NODE) {
				json_object_put(o);
				return fail(&k->start_mark, err, errlen,
					    "a key must be a string");
			}
			if (json_object_object_get_ex(o, (const char *)k->data.scalar.value,
						      NULL)) {
				json_object_put(o);
				return fail(&k->start_mark, err, errlen,
					    "a key given twice");
			}
			if (convert(doc, yaml_document_get_node(doc, p->value),
				    depth + 1, &v, err, errlen)) {
				json_object_put(o);
				return -1;
			}
			json_object_object_add(o, (const char *)k->data.scalar.value, v);
		}
		*out = o;
		return 0;
	default:
		return fail(&node->start_mark, err, errlen, "an empty node");
	}
}

/* Aliases would let a small file expand into a huge tree: refused. */
static int no_alias(const char *text, size_t len, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int ret = 0, done = 0;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done && !ret) {
		if (!yaml_parser_parse(&parser, &ev))
			break;		/* the loader says what is wrong */
		if (ev.type == YAML_ALIAS_EVENT)
			ret = fail(&ev.start_mark, err, errlen,
				   "aliases (*name) are not taken");
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return ret;
}

json_object *idm_yaml_parse_stream(const char *text, size_t len, char *err,
				   size_t errlen)
{
	json_object *docs, *out;
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	int ret = 0;

	if (no_alias(text, len, err, errlen))
		return NULL;
	docs = json_object_new_array();
	if (!docs || !yaml_parser_initialize(&parser)) {
		json_object_put(docs);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!ret) {
		if (!yaml_parser_load(&parser, &doc)) {
			ret = fail(&parser.problem_mark, err, errlen,
				   parser.problem ? parser.problem : "not YAML");
			break;
		}
		root = yaml_document_get_root_node(&doc);
		if (!root) {		/* the end of the stream */
			yaml_document_delete(&doc);
			break;
		}
		out = NULL;
		ret = convert(&doc, root, 0, &out, err, errlen);
		/* "---" with nothing after it: no object, nothing to keep. */
		if (!ret && out)
			json_object_array_add(docs, out);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	if (ret) {
		json_object_put(docs);
		return NULL;
	}
	return docs;
}

json_object *idm_yaml_parse(const char *text, size_t len, char *err,
			    size_t errlen)
{
	json_object *docs = idm_yaml_parse_stream(text, len, err, errlen);
	json_object *out = NULL;
	size_t n;

	if (!docs)
		return NULL;
	n = json_object_array_length(docs);
	if (n == 0)
		snprintf(err, errlen, "the document is empty");
	else if (n > 1)
		snprintf(err, errlen, "%zu documents (\"---\"); this takes one", n);
	else
		out = json_object_get(json_object_array_get_idx(docs, 0));
	json_object_put(docs);
	return out;
}
