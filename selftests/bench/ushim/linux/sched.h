/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IDM_USHIM_SCHED_H
#define IDM_USHIM_SCHED_H

/* Userspace is preempted anyway. */
static inline void cond_resched(void)
{
}

#endif
