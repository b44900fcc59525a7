/* SPDX-License-Identifier: GPL-2.0 */
/* Command line parsing for the idmesh tool; no netlink in here. */
#ifndef IDMESH_CLI_H
#define IDMESH_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

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

#endif
