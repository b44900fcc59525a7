/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmesh: what differs between the 6.1 and 6.12 LTS kernels.
 */
#ifndef _IDMESH_COMPAT_H
#define _IDMESH_COMPAT_H

#include <linux/version.h>
#include <linux/netdevice.h>

/* 6.12 turned these two feature bits into flags of struct net_device. */
static inline void idmesh_dev_set_lltx(struct net_device *dev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

static inline void idmesh_dev_set_netns_immutable(struct net_device *dev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	dev->netns_immutable = true;
#else
	dev->features |= NETIF_F_NETNS_LOCAL;
#endif
}

#endif /* _IDMESH_COMPAT_H */
