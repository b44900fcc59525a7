// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: backends that cannot be reached. Every second while a namespace
 * has VIPs, and at once when one of its devices goes down, up or away,
 * each backend's address is looked up in the routing table: no route, or a
 * route through a device that is down or has no carrier, and the backend
 * is down. A VIP whose backends changed state gets one table build in
 * which those that are down own no slot (as with weight 0: their flows
 * stay, new flows go to the others); when a route comes back, so does the
 * backend. Runs in process context under the namespace's lock.
 */
#include <linux/kernel.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/workqueue.h>
#include <net/route.h>
#include <net/ip6_route.h>
#include <net/ipv6_stubs.h>

#include "idmesh.h"
#include "lb.h"

#define IDM_HEALTH_PERIOD	HZ

static bool idm_dev_ok(const struct net_device *dev)
{
	return netif_running(dev) && netif_carrier_ok(dev);
}

/* A route to the address that leaves through a device that is up. */
static bool idm_reachable(struct net *net, u8 family,
			  const union nf_inet_addr *a)
{
	bool ok;

	if (family == AF_INET) {
		struct flowi4 fl4 = { .daddr = a->ip };
		struct rtable *rt;

		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt))
			return false;
		ok = idm_dev_ok(rt->dst.dev);
		ip_rt_put(rt);
	} else {
		struct flowi6 fl6 = { .daddr = a->in6 };
		struct dst_entry *dst;

		dst = ipv6_stub->ipv6_dst_lookup_flow(net, NULL, &fl6, NULL);
		if (IS_ERR(dst))
			return false;
		ok = !dst->error && idm_dev_ok(dst->dev);
		dst_release(dst);
	}
	return ok;
}

/* One VIP's backends checked; a table build if any changed state. */
static void idm_vip_check(struct net *net, struct idm_lb *lb,
			  struct idm_vip *vip)
{
	struct idm_backend *be;
	bool changed = false;

	list_for_each_entry(be, &vip->backends, list) {
		be->flipped = be->down == idm_reachable(net, vip->family,
							 &be->addr);
		be->down ^= be->flipped;
		changed |= be->flipped;
	}
	if (!changed)
		return;
	if (idm_vip_reweigh(lb, vip)) {
		/* No memory for the table: as before, try on the next round. */
		list_for_each_entry(be, &vip->backends, list)
			be->down ^= be->flipped;
		return;
	}
	list_for_each_entry(be, &vip->backends, list)
		be->downs += be->flipped && be->down;
}

static void idm_lb_health_work(struct work_struct *work)
{
	struct idm_lb *lb = container_of(to_delayed_work(work), struct idm_lb,
					 health);
	struct idm_vip *vip;

	mutex_lock(lb->lock);
	list_for_each_entry(vip, &lb->vips, list)
		idm_vip_check(lb->net, lb, vip);
	if (lb->nvips)
		queue_delayed_work(system_power_efficient_wq, &lb->health,
				   IDM_HEALTH_PERIOD);
	mutex_unlock(lb->lock);
}

void idm_lb_health_init(struct idm_lb *lb)
{
	INIT_DELAYED_WORK(&lb->health, idm_lb_health_work);
}

void idm_lb_health_start(struct idm_lb *lb)
{
	mod_delayed_work(system_power_efficient_wq, &lb->health, 0);
}

/* The namespace is going, its VIPs are gone: no round is left. */
void idm_lb_health_stop(struct idm_lb *lb)
{
	/*
	 * A device event (RTNL held) may have seen a VIP before they went:
	 * let it finish queueing its round, which is then cancelled.
	 */
	rtnl_lock();
	rtnl_unlock();
	cancel_delayed_work_sync(&lb->health);
}

void idm_lb_netdev_event(struct net_device *dev, unsigned long event)
{
	struct idm_lb *lb = &idm_pernet(dev_net(dev))->lb;

	switch (event) {
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
	case NETDEV_UNREGISTER:
		if (READ_ONCE(lb->nvips))
			idm_lb_health_start(lb);
		break;
	}
}
