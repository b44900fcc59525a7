/* SPDX-License-Identifier: GPL-2.0 */
/* Command line parsing for the idmesh tool; no netlink in here. */
#ifndef IDMESH_CLI_H
#define IDMESH_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct idm_opts {
	bool json;
	bool pretty;
	bool help;
	bool stats;
	const char *netns;
	/* -b FILE: one command per line ("-": standard input). */
	const char *batch;
	/* What follows the global options: OBJECT COMMAND [ARGS]. */
	int argc;
	char **argv;
};

/*
 * Parse the global options. Returns 0, or -1 with a message in err
 * (the caller prints it and exits with status 2).
 */
int idm_parse_global(int argc, char **argv, struct idm_opts *o,
		     char *err, size_t errlen);

/* Is arg a non-empty prefix of word (the way ip abbreviates)? */
bool idm_matches(const char *arg, const char *word);

/*
 * Parse an unsigned decimal number in [min, max]. Returns 0, or -1 with a
 * message naming what in err.
 */
int idm_parse_u32(const char *what, const char *s, uint32_t min, uint32_t max,
		  uint32_t *out, char *err, size_t errlen);

#endif
