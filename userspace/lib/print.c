// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>

#include "json.h"
#include "print.h"

static struct json out;
static FILE *out_f;
static bool json_on;

void print_start_to(FILE *f, bool json, bool pretty)
{
	out_f = f;
	json_on = json;
	if (json)
		json_init(&out, f, pretty);
}

void print_start(bool json, bool pretty)
{
	print_start_to(stdout, json, pretty);
}

void print_end(void)
{
	if (json_on)
		json_end(&out);
	json_on = false;
}

bool print_is_json(void)
{
	return json_on;
}

void print_open_obj(const char *key)
{
	if (json_on)
		json_obj_open(&out, key);
}

void print_close_obj(void)
{
	if (json_on)
		json_obj_close(&out);
}

void print_open_arr(const char *key)
{
	if (json_on)
		json_arr_open(&out, key);
}

void print_close_arr(void)
{
	if (json_on)
		json_arr_close(&out);
}

/* Is this call for the output being written? */
static bool wanted(enum print_type t)
{
	return json_on ? (t & PRINT_JSON) : (t & PRINT_FP);
}

void print_string(enum print_type t, const char *key, const char *fmt,
		  const char *val)
{
	if (!wanted(t))
		return;
	if (json_on)
		json_str(&out, key, val);
	else
		fprintf(out_f, fmt, val);
}

void print_uint(enum print_type t, const char *key, const char *fmt,
		unsigned int val)
{
	if (!wanted(t))
		return;
	if (json_on)
		json_uint(&out, key, val);
	else
		fprintf(out_f, fmt, val);
}

void print_int(enum print_type t, const char *key, const char *fmt, int val)
{
	if (!wanted(t))
		return;
	if (json_on)
		json_int(&out, key, val);
	else
		fprintf(out_f, fmt, val);
}

void print_u64(enum print_type t, const char *key, const char *fmt,
	       uint64_t val)
{
	if (!wanted(t))
		return;
	if (json_on)
		json_uint(&out, key, val);
	else
		fprintf(out_f, fmt, (unsigned long long)val);
}

void print_bool(enum print_type t, const char *key, const char *fmt,
		bool val)
{
	if (!wanted(t))
		return;
	if (json_on)
		json_bool(&out, key, val);
	else
		fprintf(out_f, fmt, val ? "true" : "false");
}

void print_text(const char *fmt, ...)
{
	va_list ap;

	if (json_on)
		return;
	va_start(ap, fmt);
	vfprintf(out_f, fmt, ap);
	va_end(ap);
}
