// SPDX-License-Identifier: GPL-2.0
/* Small helpers every program of the library's shares: files, memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "util.h"

char *idm_read_file(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t cap = 4096, n = 0, r;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap);
	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *b = realloc(buf, cap *= 2);

			if (!b)
				free(buf);
			buf = b;
		}
	}
	if (buf && ferror(f)) {
		free(buf);
		buf = NULL;
	}
	if (f != stdin)
		fclose(f);
	/* Always room for it: the buffer grows when a read fills it. */
	if (buf)
		buf[n] = '\0';
	*len = n;
	return buf;
}

void *xrealloc(void *p, size_t n, size_t size)
{
	void *q = realloc(p, (n ? n : 1) * size);

	if (!q) {
		fprintf(stderr, "idmesh: out of memory\n");
		exit(1);
	}
	return q;
}

char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		fprintf(stderr, "idmesh: out of memory\n");
		exit(1);
	}
	return d;
}

json_object *idm_json_at(json_object *o, const char *key)
{
	json_object *x;

	return o && json_object_is_type(o, json_type_object) &&
	       json_object_object_get_ex(o, key, &x) &&
	       !json_object_is_type(x, json_type_null) ? x : NULL;
}

const char *idm_json_str(json_object *o, const char *key)
{
	json_object *x = idm_json_at(o, key);

	return x && json_object_is_type(x, json_type_string) ?
	       json_object_get_string(x) : NULL;
}
