/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IDMESH_SIPHASH_H
#define IDMESH_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 of data under a 128-bit key (bytes k0..k15). */
uint64_t idm_siphash(const uint8_t key[16], const void *data, size_t len);

#endif
