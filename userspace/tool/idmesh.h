/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between the idmesh tool's objects. */
#ifndef IDMESH_TOOL_H
#define IDMESH_TOOL_H

#include "cli.h"
#include "json.h"

#ifndef IDMESH_VERSION
#define IDMESH_VERSION "unknown"
#endif

/* Exit statuses: 0 success, 1 the operation failed, 2 bad command line. */
#define EXIT_USAGE 2

struct idm_object {
	const char *name;
	const char *summary;
	int (*run)(const struct idm_opts *o, int argc, char **argv);
	void (*help)(FILE *f);
};

int idm_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

int cmd_version(const struct idm_opts *o, int argc, char **argv);
void help_version(FILE *f);
int cmd_link(const struct idm_opts *o, int argc, char **argv);
void help_link(FILE *f);
int cmd_stats(const struct idm_opts *o, int argc, char **argv);
void help_stats(FILE *f);
int cmd_vip(const struct idm_opts *o, int argc, char **argv);
void help_vip(FILE *f);
int cmd_backend(const struct idm_opts *o, int argc, char **argv);
void help_backend(FILE *f);
int cmd_sacl(const struct idm_opts *o, int argc, char **argv);
void help_sacl(FILE *f);
int cmd_apply(const struct idm_opts *o, int argc, char **argv);
void help_apply(FILE *f);
int cmd_export(const struct idm_opts *o, int argc, char **argv);
void help_export(FILE *f);
int cmd_k8s(const struct idm_opts *o, int argc, char **argv);
void help_k8s(FILE *f);
int cmd_sim(const struct idm_opts *o, int argc, char **argv);
void help_sim(FILE *f);
int cmd_policy(const struct idm_opts *o, int argc, char **argv);
void help_policy(FILE *f);
int cmd_config(const struct idm_opts *o, int argc, char **argv);
void help_config(FILE *f);

#endif
