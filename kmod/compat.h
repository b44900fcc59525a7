/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmesh: what differs between the kernels the module builds for (Debian's
 * 6.1 and 6.12). Kbuild probes the kernel's headers and defines
 * IDM_HAVE_* for what they have, so backports are followed too.
 */
#ifndef _IDMESH_COMPAT_H
#define _IDMESH_COMPAT_H

#include <linux/netdevice.h>
#include <net/genetlink.h>
/* 6.5 moved the GSO helpers out of skbuff.h. */
#ifdef IDM_HAVE_NET_GSO_H
#include <net/gso.h>
#endif

/* 6.12 turned these two feature bits into flags of struct net_device. */
static inline void idm_dev_set_lltx(struct net_device *dev)
{
#ifdef IDM_HAVE_DEV_LLTX
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

static inline void idm_dev_set_netns_immutable(struct net_device *dev)
{
#if defined(IDM_HAVE_DEV_NETNS_IMMUTABLE)
	dev->netns_immutable = true;
#elif defined(IDM_HAVE_DEV_NETNS_LOCAL)
	dev->netns_local = true;
#else
	dev->features |= NETIF_F_NETNS_LOCAL;
#endif
}

/* 6.2 moved a dump's parsed attributes into a struct genl_info. */
static inline struct nlattr **idm_dump_attrs(struct netlink_callback *cb)
{
#ifdef IDM_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

#endif /* _IDMESH_COMPAT_H */
