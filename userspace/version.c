// SPDX-License-Identifier: GPL-2.0
/* idmesh version: the tool's and the loaded module's versions. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netlink/attr.h>

#include "idmesh.h"
#include "nl.h"

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

static void print_version(const struct idm_opts *o, const struct version_info *v)
{
	struct json j;
	int i;

	if (!o->json) {
		if (!v)
			return;
		printf("idmesh module %s, netlink family \"%s\" version %d\n",
		       v->module, IDMESH_GENL_NAME, v->family_version);
		printf("features:");
		for (i = 0; i < v->n_features; i++)
			printf(" %s", v->features[i]);
		printf("\n");
		return;
	}
	json_init(&j, stdout, o->pretty);
	json_obj_open(&j, NULL);
	json_obj_open(&j, "tool");
	json_str(&j, "version", IDMESH_VERSION);
	json_obj_close(&j);
	if (v) {
		json_obj_open(&j, "module");
		json_str(&j, "version", v->module);
		json_str(&j, "family", IDMESH_GENL_NAME);
		json_uint(&j, "family_version", v->family_version);
		json_arr_open(&j, "features");
		for (i = 0; i < v->n_features; i++)
			json_str(&j, NULL, v->features[i]);
		json_arr_close(&j);
		json_obj_close(&j);
	}
	json_obj_close(&j);
	json_end(&j);
}

int cmd_version(const struct idm_opts *o, int argc, char **argv)
{
	struct version_info v = { 0 };
	struct idm_nl nl;
	int err;

	if (argc > 0)
		return idm_usage_error("\"idmesh version\" takes no arguments, got \"%s\"",
				       argv[0]);
	if (!o->json) {
		/* The tool's own version comes first, whatever happens next. */
		printf("idmesh tool %s\n", IDMESH_VERSION);
		fflush(stdout);
	}
	if (idm_nl_open(&nl, o->netns)) {
		print_version(o, NULL);
		return 1;
	}
	err = idm_nl_request(&nl, IDMESH_CMD_VERSION_GET, NULL, NULL,
			     version_reply, &v);
	v.family_version = nl.version;
	idm_nl_close(&nl);
	print_version(o, err ? NULL : &v);
	return err ? 1 : 0;
}
