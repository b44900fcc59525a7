/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IDM_USHIM_MATH64_H
#define IDM_USHIM_MATH64_H

#include <linux/types.h>

static inline u64 div_u64(u64 a, u32 b)
{
	return a / b;
}

#endif
