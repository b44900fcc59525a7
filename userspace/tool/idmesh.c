// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: configure the idmesh kernel module.
 *
 *   idmesh [-j] [-p] [-n NETNS] OBJECT COMMAND [ARGS]
 *   idmesh [-n NETNS] -b FILE
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/idmesh.h>

#include "idmesh.h"

static int cmd_help(const struct idm_opts *o, int argc, char **argv);
static void help_help(FILE *f);

static const struct idm_object objects[] = {
	{ "version", "show the tool's and the module's versions",
	  cmd_version, help_version },
	{ "link", "local pairs and remote links", cmd_link, help_link },
	{ "vip", "Maglev-hashed virtual services", cmd_vip, help_vip },
	{ "backend", "backends of a virtual service", cmd_backend,
	  help_backend },
	{ "sacl", "identity gateway: SACL IDs in an IPv6 option", cmd_sacl,
	  help_sacl },
	{ "apply", "make the node what an intent says, as a diff",
	  cmd_apply, help_apply },
	{ "export", "print the node's state as an intent", cmd_export,
	  help_export },
	{ "k8s", "a node's intent from Kubernetes objects",
	  cmd_k8s, help_k8s },
	{ "policy", "which policy allows a connection, what each counted",
	  cmd_policy, help_policy },
	{ "sim", "entry counts of identity vs addresses (Acila 7.1)",
	  cmd_sim, help_sim },
	{ "config", "show or change this namespace's settings",
	  cmd_config, help_config },
	{ "stats", "packets that arrived for no link", cmd_stats, help_stats },
	{ "help", "show help for an object", cmd_help, help_help },
};

#define N_OBJECTS (sizeof(objects) / sizeof(objects[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: idmesh [OPTIONS] OBJECT { COMMAND | help }\n"
		"OPTIONS := { -j[son] | -p[retty] | -s[tatistics] | -n[etns] NAME |\n"
		"             -b[atch] FILE | -h[elp] }\n"
		"OBJECT := { ");
	for (i = 0; i < N_OBJECTS; i++)
		fprintf(f, "%s%s", objects[i].name, i + 1 < N_OBJECTS ? " | " : " }\n");
	fputc('\n', f);
	for (i = 0; i < N_OBJECTS; i++)
		fprintf(f, "  %-10s %s\n", objects[i].name, objects[i].summary);
	fprintf(f,
		"\nExit status: 0 on success, 1 when the operation failed,"
		" 2 on a bad command line.\n");
}

static const struct idm_object *find_object(const char *name)
{
	size_t i;

	for (i = 0; i < N_OBJECTS; i++)
		if (idm_matches(name, objects[i].name))
			return &objects[i];
	return NULL;
}

static void help_help(FILE *f)
{
	fprintf(f, "Usage: idmesh help [OBJECT]\n");
}

static int cmd_help(const struct idm_opts *o, int argc, char **argv)
{
	const struct idm_object *obj;

	if (argc == 0) {
		usage(stdout);
		return 0;
	}
	obj = find_object(argv[0]);
	if (!obj)
		return idm_usage_error("unknown object \"%s\"; try \"idmesh help\"",
				       argv[0]);
	obj->help(stdout);
	return 0;
}

/* One command: OBJECT COMMAND [ARGS], with the global options of o. */
static int run_one(const struct idm_opts *o, int argc, char **argv)
{
	const struct idm_object *obj;

	obj = find_object(argv[0]);
	if (!obj)
		return idm_usage_error("unknown object \"%s\"; try \"idmesh help\"",
				       argv[0]);
	if (argc > 1 && (!strcmp(argv[1], "help") || !strcmp(argv[1], "-h") ||
			 !strcmp(argv[1], "--help")) && obj->run != cmd_help) {
		obj->help(stdout);
		return 0;
	}
	return obj->run(o, argc - 1, argv + 1);
}

/* Words on a batch line: a VIP's whole backend set fits. */
#define BATCH_ARGS	(4 * IDMESH_BACKENDS_MAX + 16)

/*
 * -b FILE: each line a command without "idmesh" and its global options
 * ("#" starts a comment), run in order; the first that fails stops the
 * batch, as with "ip -batch": what ran before it stays applied.
 */
static int run_batch(const struct idm_opts *o)
{
	FILE *f = strcmp(o->batch, "-") ? fopen(o->batch, "r") : stdin;
	static char *argv[BATCH_ARGS];
	char *line = NULL;
	unsigned long lineno = 0;
	size_t cap = 0;
	int ret = 0;

	if (!f) {
		fprintf(stderr, "Error: cannot open \"%s\": %s\n", o->batch,
			strerror(errno));
		return EXIT_FAILURE;
	}
	while (getline(&line, &cap, f) >= 0) {
		char *hash = strchr(line, '#'), *save, *w;
		int argc = 0;

		lineno++;
		if (hash)
			*hash = '\0';
		for (w = strtok_r(line, " \t\r\n", &save); w;
		     w = strtok_r(NULL, " \t\r\n", &save)) {
			if (argc == BATCH_ARGS) {
				ret = idm_usage_error("too many words");
				break;
			}
			argv[argc++] = w;
		}
		if (!ret && argc)
			ret = run_one(o, argc, argv);
		if (ret) {
			fprintf(stderr, "Command failed %s:%lu\n", o->batch,
				lineno);
			break;
		}
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return ret;
}

int main(int argc, char **argv)
{
	struct idm_opts o;
	char err[256];

	if (idm_parse_global(argc, argv, &o, err, sizeof(err)))
		return idm_usage_error("%s", err);
	if (o.help) {
		usage(stdout);
		return 0;
	}
	if (o.batch) {
		if (o.argc)
			return idm_usage_error("-b takes no command of its own");
		return run_batch(&o);
	}
	if (o.argc == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return run_one(&o, o.argc, o.argv);
}
