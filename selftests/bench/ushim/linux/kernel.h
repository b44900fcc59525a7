/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IDM_USHIM_KERNEL_H
#define IDM_USHIM_KERNEL_H

#include <linux/types.h>

#define max(a, b) ((a) > (b) ? (a) : (b))

#endif
