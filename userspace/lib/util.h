/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by the library and its programs (util.c). */
#ifndef IDMESH_UTIL_H
#define IDMESH_UTIL_H

/* The number of elements of an array (not a pointer). */
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#include <stddef.h>

struct json_object;

/*
 * The whole of a file ("-": standard input), NUL-terminated after its len
 * bytes; NULL with errno set.
 */
char *idm_read_file(const char *path, size_t *len);

/* realloc of n items of size (at least one), or exit(1) with a message. */
void *xrealloc(void *p, size_t n, size_t size);
/* strdup, or exit(1) with a message. */
char *xstrdup(const char *s);

/*
 * Member key of a JSON object; NULL when o is not an object, has no such
 * member, or it is null.
 */
struct json_object *idm_json_at(struct json_object *o, const char *key);
/* The same member's text when it is a string, else NULL. */
const char *idm_json_str(struct json_object *o, const char *key);

#endif
