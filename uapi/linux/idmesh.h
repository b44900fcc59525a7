/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * idmesh: user-kernel ABI of the "idmesh" generic netlink family.
 *
 * Kept in step with Documentation/netlink/specs/idmesh.yaml; the
 * host-side check in "make check" compares the two.
 */
#ifndef _UAPI_LINUX_IDMESH_H
#define _UAPI_LINUX_IDMESH_H

#define IDMESH_GENL_NAME	"idmesh"
#define IDMESH_GENL_VERSION	1

/* Bounds of the per-namespace flow-limit setting (entries). */
#define IDMESH_FLOW_LIMIT_MIN		64
#define IDMESH_FLOW_LIMIT_MAX		(16 * 1024 * 1024)
#define IDMESH_FLOW_LIMIT_DEFAULT	65536

enum idmesh_cmd {
	IDMESH_CMD_UNSPEC,
	/* Module version and feature list; unprivileged. */
	IDMESH_CMD_VERSION_GET,
	/* Per network namespace settings; get is unprivileged. */
	IDMESH_CMD_CONFIG_GET,
	/* Change settings; needs CAP_NET_ADMIN. */
	IDMESH_CMD_CONFIG_SET,

	__IDMESH_CMD_MAX,
};

#define IDMESH_CMD_MAX (__IDMESH_CMD_MAX - 1)

enum idmesh_attr {
	IDMESH_A_UNSPEC,
	/* string: version of the loaded module, e.g. "0.1.0" */
	IDMESH_A_VERSION,
	/* string, repeated: one capability of the loaded module each */
	IDMESH_A_FEATURE,
	/* u32: most flows a namespace tracks before evicting the oldest */
	IDMESH_A_FLOW_LIMIT,

	__IDMESH_A_MAX,
};

#define IDMESH_A_MAX (__IDMESH_A_MAX - 1)

#endif /* _UAPI_LINUX_IDMESH_H */
