/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmesh-cni, the CNI plugin (cni.c): what its parts share. The error
 * codes are the CNI specification's (1.1, "Error" section); 100 and up
 * are the plugin's own.
 */
#ifndef IDMESH_CNI_H
#define IDMESH_CNI_H

#include <stddef.h>
#include <json-c/json.h>

enum {
	IDM_CNI_ERR_VERSION = 1,	/* incompatible CNI version */
	IDM_CNI_ERR_FIELD = 2,		/* unsupported field in the config */
	IDM_CNI_ERR_CONTAINER = 3,	/* container unknown or gone */
	IDM_CNI_ERR_ENV = 4,		/* invalid necessary environment variables */
	IDM_CNI_ERR_IO = 5,		/* I/O failure */
	IDM_CNI_ERR_DECODE = 6,		/* failed to decode content */
	IDM_CNI_ERR_CONFIG = 7,		/* invalid network config */
	IDM_CNI_ERR_AGAIN = 11,		/* try again later */
	IDM_CNI_ERR_UNAVAILABLE = 50,	/* STATUS: the plugin is not available */
	IDM_CNI_ERR_LINK = 100,		/* the kernel refused the pod's link */
	IDM_CNI_ERR_CHECK = 101,	/* CHECK: the attachment is not as made */
	IDM_CNI_ERR_MASQ = 102,		/* ipMasq: nftables refused the rule */
};

struct idm_cni_err {
	int code;
	char msg[512];
	char details[512];
};

void idm_cni_set_err(struct idm_cni_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One call of another plugin. */
struct idm_cni_call {
	const char *type;		/* its name, found in CNI_PATH */
	const char *command;		/* ADD, DEL, CHECK, ... */
	const char *container_id, *ifname;	/* NULL: ours */
	const char *conf;		/* standard input */
};

/* Its result (ADD), {} (DEL, CHECK), or NULL with its error in e. */
json_object *idm_cni_exec(const struct idm_cni_call *call, struct idm_cni_err *e);

#endif
