// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the JSON writer behind "idmesh -j", and the print layer on it. */
#include <stdlib.h>

#include "json.h"
#include "print.h"
#include "tap.h"

static char *render(void (*fn)(struct json *j), int pretty)
{
	static char buf[4096];
	struct json j;
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	json_init(&j, f, pretty);
	fn(&j);
	fclose(f);
	return buf;
}

static void doc_nested(struct json *j)
{
	json_obj_open(j, NULL);
	json_obj_open(j, "tool");
	json_str(j, "version", "0.1.0");
	json_obj_close(j);
	json_arr_open(j, "features");
	json_str(j, NULL, "netns");
	json_str(j, NULL, "config");
	json_arr_close(j);
	json_uint(j, "big", 18446744073709551615ULL);
	json_int(j, "neg", -5);
	json_bool(j, "on", 1);
	json_arr_open(j, "empty");
	json_arr_close(j);
	json_obj_close(j);
	json_end(j);
}

static void doc_escapes(struct json *j)
{
	json_obj_open(j, NULL);
	json_str(j, "s", "a\"b\\c\nd\te\x01");
	json_obj_close(j);
	json_end(j);
}

static void doc_empty(struct json *j)
{
	json_obj_open(j, NULL);
	json_obj_close(j);
	json_end(j);
}

/* A link as "link show" prints it: one call per field for both outputs. */
static char *render_link(int json)
{
	static char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	print_start_to(f, json, 0);
	print_open_arr(NULL);
	print_open_obj(NULL);
	print_int(PRINT_ANY, "ifindex", "%d:", 7);
	print_string(PRINT_ANY, "name", " %s:", "pod0");
	print_string(PRINT_JSON, "mode", NULL, "pair");
	print_uint(PRINT_ANY, "mtu", " mtu %u", 1500);
	print_bool(PRINT_JSON, "up", NULL, 1);
	print_text(" %s\n", "up");
	print_open_obj("stats");
	print_u64(PRINT_ANY, "rx_bytes", "    rx: bytes %llu\n", 18446744073709551615ULL);
	print_close_obj();
	print_open_arr("peers");
	print_string(PRINT_ANY, NULL, " %s", "eth0");
	print_close_arr();
	print_close_obj();
	print_close_arr();
	print_end();
	fclose(f);
	return buf;
}

int main(void)
{
	TAP_STREQ(render(doc_nested, 0),
		  "{\"tool\":{\"version\":\"0.1.0\"},\"features\":[\"netns\",\"config\"],"
		  "\"big\":18446744073709551615,\"neg\":-5,\"on\":true,\"empty\":[]}\n",
		  "compact nested document");
	TAP_STREQ(render(doc_nested, 1),
		  "{\n  \"tool\": {\n    \"version\": \"0.1.0\"\n  },\n"
		  "  \"features\": [\n    \"netns\",\n    \"config\"\n  ],\n"
		  "  \"big\": 18446744073709551615,\n  \"neg\": -5,\n  \"on\": true,\n"
		  "  \"empty\": []\n}\n",
		  "pretty nested document");
	TAP_STREQ(render(doc_escapes, 0),
		  "{\"s\":\"a\\\"b\\\\c\\nd\\te\\u0001\"}\n",
		  "quotes, backslashes and control characters are escaped");
	TAP_STREQ(render(doc_empty, 1), "{}\n", "empty object");
	TAP_STREQ(render_link(0),
		  "7: pod0: mtu 1500 up\n    rx: bytes 18446744073709551615\n eth0",
		  "print layer, text: each field's format, JSON-only fields left out");
	TAP_STREQ(render_link(1),
		  "[{\"ifindex\":7,\"name\":\"pod0\",\"mode\":\"pair\",\"mtu\":1500,"
		  "\"up\":true,\"stats\":{\"rx_bytes\":18446744073709551615},"
		  "\"peers\":[\"eth0\"]}]\n",
		  "print layer, JSON: the same calls, keys and values, text left out");
	return tap_done();
}
