// SPDX-License-Identifier: GPL-2.0
/* idmesh version: the tool's and the loaded module's versions. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netlink/attr.h>

#include "idmesh.h"
#include "nl.h"
#include "print.h"

#define MAX_FEATURES 64

struct version_info {
	char module[64];
	char features[MAX_FEATURES][32];
	int n_features;
	int family_version;
};

void help_version(FILE *f)
{
	fprintf(f,
		"Usage: idmesh [-j [-p]] version\n"
		"Prints the version of this tool, then the version, the netlink\n"
		"family version and the features of the loaded kernel module.\n"
		"Fails, after printing the tool's version, when the module is not\n"
		"loaded.\n");
}

static int version_reply(struct nlattr **tb, struct nlattr *head, int len,
			 void *arg)
{
	struct version_info *v = arg;
	struct nlattr *a;
	int rem;

	if (!tb[IDMESH_A_VERSION])
		return -EBADMSG;
	nla_strlcpy(v->module, tb[IDMESH_A_VERSION], sizeof(v->module));
	nla_for_each_attr(a, head, len, rem) {
		if (nla_type(a) != IDMESH_A_FEATURE || v->n_features >= MAX_FEATURES)
			continue;
		nla_strlcpy(v->features[v->n_features++], a,
			    sizeof(v->features[0]));
	}
	return 0;
}

/* The module's part, when it answered. */
static void print_module(const struct version_info *v)
{
	int i;

	print_open_obj("module");
	print_string(PRINT_ANY, "version", "idmesh module %s", v->module);
	print_string(PRINT_ANY, "family", ", netlink family \"%s\"",
		     IDMESH_GENL_NAME);
	print_int(PRINT_ANY, "family_version", " version %d\n",
		  v->family_version);
	print_text("features:");
	print_open_arr("features");
	for (i = 0; i < v->n_features; i++)
		print_string(PRINT_ANY, NULL, " %s", v->features[i]);
	print_close_arr();
	print_text("\n");
	print_close_obj();
}

int cmd_version(const struct idm_opts *o, int argc, char **argv)
{
	struct version_info v = { 0 };
	struct idm_nl nl;
	int err;

	if (argc > 0)
		return idm_usage_error("\"idmesh version\" takes no arguments, got \"%s\"",
				       argv[0]);
	print_start(o->json, o->pretty);
	print_open_obj(NULL);
	print_open_obj("tool");
	print_string(PRINT_ANY, "version", "idmesh tool %s\n", IDMESH_VERSION);
	print_close_obj();
	/* The tool's own version comes first, whatever happens next. */
	fflush(stdout);
	err = idm_nl_open(&nl, o->netns);
	if (!err) {
		err = idm_nl_request(&nl, IDMESH_CMD_VERSION_GET, NULL, NULL,
				     version_reply, &v);
		v.family_version = nl.version;
		idm_nl_close(&nl);
		if (!err)
			print_module(&v);
	}
	print_close_obj();
	print_end();
	return err ? 1 : 0;
}
