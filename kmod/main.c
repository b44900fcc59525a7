// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: point-to-point links, workload identity tagging and Maglev
 * forwarding for container nodes. Module entry points and per network
 * namespace state.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/init.h>
#include <net/genetlink.h>
#include <uapi/linux/idmesh.h>

#include "idmesh.h"
#include "link.h"

unsigned int idm_net_id __read_mostly;

static int __net_init idm_net_init(struct net *net)
{
	struct idm_net *in = idm_pernet(net);
	int err;

	in->net = net;
	mutex_init(&in->lock);
	INIT_LIST_HEAD(&in->socks);
	INIT_LIST_HEAD(&in->remote_links);
	atomic64_set(&in->rx_unknown_id, 0);
	atomic64_set(&in->rx_malformed, 0);
	err = idm_flow_init(&in->flows);
	if (err)
		return err;
	err = idm_lb_net_init(&in->lb, net, &in->lock, &in->flows);
	if (err)
		goto err_flows;
	idm_lb_health_init(&in->lb);
	err = idm_sacl_net_init(in);
	if (err)
		goto err_lb;
	return 0;

err_lb:
	idm_lb_health_stop(&in->lb);
	idm_lb_net_exit(&in->lb);
err_flows:
	idm_flow_destroy(&in->flows);
	return err;
}

/*
 * Nothing here waits for RCU callbacks, nor takes RTNL, for a namespace
 * that never had a VIP: pod churn must not queue dying namespaces behind
 * grace periods. The callbacks touch no per-namespace memory; the module
 * waits for them once, when it goes (idm_exit()).
 */
static void __net_exit idm_net_exit(struct net *net)
{
	struct idm_net *in = idm_pernet(net);
	bool had_vips;

	/* Tables emptied and hooks off first: no packet adds flows. */
	mutex_lock(&in->lock);
	idm_sacl_flush(&in->sacl);
	idm_sacl_hooks_sync(net, &in->sacl, NULL);
	idm_lb_flush(&in->lb);
	idm_lb_hooks_sync(net, &in->lb, NULL);
	had_vips = in->lb.had_vips;
	mutex_unlock(&in->lock);
	idm_sacl_net_exit(in);
	if (had_vips)
		idm_lb_health_stop(&in->lb);
	idm_lb_net_exit(&in->lb);
	idm_flow_destroy(&in->flows);
	/* The namespace's links went with its devices, before this runs. */
	WARN_ON_ONCE(!list_empty(&in->remote_links));
	WARN_ON_ONCE(!list_empty(&in->socks));
	mutex_destroy(&in->lock);
}

static struct pernet_operations idm_net_ops = {
	.init = idm_net_init,
	.exit = idm_net_exit,
	.id = &idm_net_id,
	.size = sizeof(struct idm_net),
};

/*
 * The module's one netdev notifier: each feature that keeps state about
 * devices hears of their events, in this order (RTNL held).
 */
static int idm_netdev_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	idm_remote_netdev_event(dev, event);
	idm_sacl_netdev_event(dev, event);
	idm_lb_netdev_event(dev, event);
	return NOTIFY_DONE;
}

static struct notifier_block idm_netdev_notifier = {
	.notifier_call = idm_netdev_event,
};

static int __init idm_init(void)
{
	int err;

	err = register_pernet_subsys(&idm_net_ops);
	if (err)
		return err;

	err = idm_link_init();
	if (err)
		goto err_pernet;

	err = register_netdevice_notifier(&idm_netdev_notifier);
	if (err)
		goto err_link;

	err = idm_genl_init();
	if (err)
		goto err_notifier;

	pr_info("version %s loaded\n", IDM_VERSION);
	return 0;

err_notifier:
	unregister_netdevice_notifier(&idm_netdev_notifier);
err_link:
	idm_link_exit();
err_pernet:
	unregister_pernet_subsys(&idm_net_ops);
	return err;
}

/*
 * Unregistering the notifier replays a device's going down and away for
 * every device (ports forgotten, a health round queued): before the links
 * go, harmless; the namespaces' exit then empties and stops everything.
 */
static void __exit idm_exit(void)
{
	idm_genl_exit();
	unregister_netdevice_notifier(&idm_netdev_notifier);
	idm_link_exit();
	unregister_pernet_subsys(&idm_net_ops);
	/* The namespaces' RCU callbacks run this module's code. */
	rcu_barrier();
}

module_init(idm_init);
module_exit(idm_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("idmesh developers");
MODULE_DESCRIPTION("idmesh: point-to-point links, identity tagging, Maglev forwarding");
MODULE_VERSION(IDM_VERSION);
MODULE_ALIAS_GENL_FAMILY(IDMESH_GENL_NAME);
