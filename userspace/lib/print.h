/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One print layer for text and -j JSON, after iproute2's json_print: a
 * show function makes one call per field, and the call prints the field
 * as text (fmt, with its value), as a JSON member (key, value), or both:
 *
 *	print_uint(PRINT_ANY, "mtu", " mtu %u", mtu);
 *
 * PRINT_FP prints only in text, PRINT_JSON only in JSON. Objects and
 * arrays are JSON's alone: in text their calls print nothing.
 */
#ifndef IDMESH_PRINT_H
#define IDMESH_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum print_type {
	PRINT_FP = 1,
	PRINT_JSON = 2,
	PRINT_ANY = PRINT_FP | PRINT_JSON,
};

/* Start a document on standard output: JSON when json, pretty or not. */
void print_start(bool json, bool pretty);
/* The same on f (tests). */
void print_start_to(FILE *f, bool json, bool pretty);
/* End it (JSON: the closing newline). */
void print_end(void);
bool print_is_json(void);

/* key is NULL inside arrays and at the top level. */
void print_open_obj(const char *key);
void print_close_obj(void);
void print_open_arr(const char *key);
void print_close_arr(void);

void print_string(enum print_type t, const char *key, const char *fmt,
		  const char *val);
void print_uint(enum print_type t, const char *key, const char *fmt,
		unsigned int val);
void print_int(enum print_type t, const char *key, const char *fmt, int val);
/* fmt takes an unsigned long long ("%llu"). */
void print_u64(enum print_type t, const char *key, const char *fmt,
	       uint64_t val);
/* Text: fmt with "true" or "false" unless fmt has no conversion. */
void print_bool(enum print_type t, const char *key, const char *fmt,
		bool val);
/* Text only, printf-like: labels, separators, the end of a line. */
void print_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
