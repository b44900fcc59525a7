/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What kmod/maglev.c needs of the kernel's headers, for userspace: the
 * reference build of "make bench-maglev" compiles the module's own pure
 * code with these, so the two builds run the same algorithm.
 */
#ifndef IDM_USHIM_TYPES_H
#define IDM_USHIM_TYPES_H

#include <stdbool.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef uint16_t __be16;

#define __aligned(x) __attribute__((aligned(x)))

#endif
