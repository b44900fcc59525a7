/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IDM_USHIM_SIPHASH_H
#define IDM_USHIM_SIPHASH_H

#include <linux/types.h>
#include <stddef.h>

#include "../../../../userspace/lib/siphash.h"

/* The kernel's siphash(): SipHash-2-4, the key as two little-endian u64. */
typedef struct {
	u64 key[2];
} siphash_key_t;

static inline u64 siphash(const void *data, size_t len,
			  const siphash_key_t *key)
{
	u8 k[16];
	int i;

	for (i = 0; i < 16; i++)
		k[i] = key->key[i / 8] >> (8 * (i % 8));
	return idm_siphash(k, data, len);
}

#endif
