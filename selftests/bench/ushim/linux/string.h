/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IDM_USHIM_STRING_H
#define IDM_USHIM_STRING_H

#include <string.h>

#endif
