// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the idmesh tool's command line parsing. */
#include <stdint.h>

#include "cli.h"
#include "tap.h"

#define ARGV(...) ((char *[]){ "idmesh", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "idmesh", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(o, err, ...) \
	idm_parse_global(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (o), (err), sizeof(err))

int main(void)
{
	struct idm_opts o;
	char err[256];
	uint32_t v;

	TAP_OK(PARSE(&o, err, "-j", "-p", "-n", "pod1", "config", "show") == 0 &&
	       o.json && o.pretty && o.netns && !strcmp(o.netns, "pod1") &&
	       o.argc == 2 && !strcmp(o.argv[0], "config"),
	       "-j -p -n NAME then OBJECT COMMAND");
	TAP_OK(PARSE(&o, err, "-json", "--pretty", "-netns", "x", "version") == 0 &&
	       o.json && o.pretty && !strcmp(o.netns, "x") && o.argc == 1,
	       "long option names, with one or two dashes");
	TAP_OK(PARSE(&o, err, "version") == 0 && !o.json && !o.pretty &&
	       !o.netns && o.argc == 1, "no options");
	TAP_OK(PARSE(&o, err, "-x", "version") == -1, "unknown option is refused");
	TAP_STREQ(err, "unknown option \"-x\"; try \"idmesh help\"",
		  "unknown option message");
	TAP_OK(PARSE(&o, err, "-n") == -1, "-n without a name is refused");
	TAP_STREQ(err, "option \"-n\" needs a network namespace name",
		  "-n without a name message");
	TAP_OK(PARSE(&o, err, "-n", "../etc", "version") == -1,
	       "a namespace name with a slash is refused");
	TAP_OK(PARSE(&o, err, "version", "-j") == 0 && !o.json && o.argc == 2,
	       "options after the object belong to the object");

	TAP_OK(idm_matches("ver", "version"), "prefix matches");
	TAP_OK(idm_matches("version", "version"), "whole word matches");
	TAP_OK(!idm_matches("versions", "version"), "longer word does not match");
	TAP_OK(!idm_matches("", "version"), "empty word does not match");

	TAP_OK(idm_parse_u32("n", "4096", 64, 100000, &v, err, sizeof(err)) == 0 &&
	       v == 4096, "number in range");
	TAP_OK(idm_parse_u32("n", "4294967295", 0, UINT32_MAX, &v, err,
			     sizeof(err)) == 0 && v == UINT32_MAX, "UINT32_MAX");
	TAP_OK(idm_parse_u32("n", "4294967296", 0, UINT32_MAX, &v, err,
			     sizeof(err)) == -1, "UINT32_MAX + 1 is refused");
	TAP_STREQ(err, "n 4294967296 is out of range [0, 4294967295]",
		  "out of range message");
	TAP_OK(idm_parse_u32("n", "-1", 0, 10, &v, err, sizeof(err)) == -1,
	       "negative is refused");
	TAP_OK(idm_parse_u32("n", "12ab", 0, 100, &v, err, sizeof(err)) == -1,
	       "trailing garbage is refused");
	TAP_STREQ(err, "n \"12ab\" is not a number", "not a number message");
	TAP_OK(idm_parse_u32("n", "", 0, 100, &v, err, sizeof(err)) == -1,
	       "empty is refused");
	return tap_done();
}
