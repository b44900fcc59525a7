/* SPDX-License-Identifier: GPL-2.0 */
/* idmesh config: the namespace's settings, for other commands (config.c). */
#ifndef IDMESH_CONFIG_H
#define IDMESH_CONFIG_H

#include <stdint.h>
#include <linux/idmesh.h>

struct idm_nl;

/*
 * The namespace's flow hash key: 0, 1 when the kernel does not show it
 * (the caller lacks CAP_NET_ADMIN), or -1 with the reason printed.
 */
int idm_hash_key_get(struct idm_nl *nl, uint8_t key[IDMESH_HASH_KEY_LEN]);
/* Set it: 0, or -1 with the kernel's reason printed. */
int idm_hash_key_set(struct idm_nl *nl, const uint8_t key[IDMESH_HASH_KEY_LEN]);

#endif
