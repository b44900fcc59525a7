/* SPDX-License-Identifier: GPL-2.0 */
/* A namespace's settings over generic netlink (config_nl.c). */
#ifndef IDMESH_CONFIG_H
#define IDMESH_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <linux/idmesh.h>

struct idm_nl;

/* The u32 settings, in the order they are shown. */
struct idm_setting {
	const char *name;	/* on the command line and in text */
	const char *json;	/* the JSON key */
	int attr;		/* IDMESH_A_* */
};

#define IDM_N_SETTINGS 8
extern const struct idm_setting idm_settings[IDM_N_SETTINGS];

/* Some of a namespace's settings: has[i] says whether val[i] is there. */
struct idm_config {
	uint32_t val[IDM_N_SETTINGS];
	int has[IDM_N_SETTINGS];
	/* The flow hash's key: shown to callers with CAP_NET_ADMIN only. */
	uint8_t key[IDMESH_HASH_KEY_LEN];
	int has_key;
};

/* Read all of them into c: 0, or -1 with the reason printed. */
int idm_config_get(struct idm_nl *nl, struct idm_config *c);
/* Set those c has, at once: 0, or -1 with the kernel's reason printed. */
int idm_config_set(struct idm_nl *nl, const struct idm_config *c);

/*
 * The namespace's flow hash key: 0, 1 when the kernel does not show it
 * (the caller lacks CAP_NET_ADMIN), or -1 with the reason printed.
 */
int idm_hash_key_get(struct idm_nl *nl, uint8_t key[IDMESH_HASH_KEY_LEN]);
/* Set it: 0, or -1 with the kernel's reason printed. */
int idm_hash_key_set(struct idm_nl *nl, const uint8_t key[IDMESH_HASH_KEY_LEN]);

#endif
