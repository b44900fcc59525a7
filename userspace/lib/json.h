/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal streaming JSON writer for the idmesh tool's -j output. */
#ifndef IDMESH_JSON_H
#define IDMESH_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	bool pretty;
	int depth;
	bool has_items[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f, bool pretty);
/* key is NULL inside arrays and at the top level. */
void json_obj_open(struct json *j, const char *key);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j, const char *key);
void json_arr_close(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_uint(struct json *j, const char *key, uint64_t val);
void json_int(struct json *j, const char *key, int64_t val);
void json_bool(struct json *j, const char *key, bool val);
/* Ends the document with a newline. */
void json_end(struct json *j);
/* Writes s as a JSON string literal, quotes included. */
void json_escape(FILE *f, const char *s);

#endif
