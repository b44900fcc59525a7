// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "idmesh.h"

/* A global option: "-x" or "--x", or a prefix of its long name. */
static bool is_opt(const char *arg, const char *shortname, const char *longname)
{
	if (arg[0] != '-')
		return false;
	arg++;
	if (arg[0] == '-')
		arg++;
	if (strcmp(arg, shortname) == 0)
		return true;
	return strlen(arg) > 1 && idm_matches(arg, longname);
}

int idm_parse_global(int argc, char **argv, struct idm_opts *o,
		     char *err, size_t errlen)
{
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];

		if (is_opt(a, "j", "json")) {
			o->json = true;
		} else if (is_opt(a, "p", "pretty")) {
			o->pretty = true;
		} else if (is_opt(a, "s", "statistics") || is_opt(a, "s", "stats")) {
			o->stats = true;
		} else if (is_opt(a, "h", "help")) {
			o->help = true;
		} else if (is_opt(a, "n", "netns")) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				snprintf(err, errlen,
					 "option \"%s\" needs a network namespace name", a);
				return -1;
			}
			if (strchr(argv[i + 1], '/') || !strcmp(argv[i + 1], ".") ||
			    !strcmp(argv[i + 1], "..")) {
				snprintf(err, errlen,
					 "invalid network namespace name \"%s\"",
					 argv[i + 1]);
				return -1;
			}
			o->netns = argv[++i];
		} else if (is_opt(a, "b", "batch")) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				snprintf(err, errlen,
					 "option \"%s\" needs a file name", a);
				return -1;
			}
			o->batch = argv[++i];
		} else if (!strcmp(a, "--")) {
			i++;
			break;
		} else {
			snprintf(err, errlen,
				 "unknown option \"%s\"; try \"idmesh help\"", a);
			return -1;
		}
	}
	o->argc = argc - i;
	o->argv = argv + i;
	return 0;
}

int idm_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}
