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
	/* Per-namespace counters of packets no link claimed; unprivileged. */
	IDMESH_CMD_STATS_GET,

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
	/* u64: encapsulated packets for an id no link has, dropped */
	IDMESH_A_RX_UNKNOWN_ID,
	/* u64: encapsulated packets with a malformed header, dropped */
	IDMESH_A_RX_MALFORMED,
	IDMESH_A_PAD,

	__IDMESH_A_MAX,
};

#define IDMESH_A_MAX (__IDMESH_A_MAX - 1)

/*
 * rtnetlink link kind "idmesh": an L3 point-to-point device, either one end
 * of a local pair or a remote link carried in Geneve over UDP.
 * Attributes of IFLA_INFO_DATA:
 */
#define IDMESH_LINK_KIND	"idmesh"
#define IDMESH_DEFAULT_PORT	6081	/* IANA's Geneve port */
#define IDMESH_ID_MAX		0xffffff	/* ids are Geneve VNIs */

enum idmesh_link_mode {
	IDMESH_LINK_MODE_PAIR = 1,	/* a local pair, like veth, with no L2 */
	IDMESH_LINK_MODE_REMOTE,	/* Geneve/UDP to a link on another node */
};

enum {
	IFLA_IDMESH_UNSPEC,
	/* u8, enum idmesh_link_mode; reported, implied on creation */
	IFLA_IDMESH_MODE,
	/* nested: struct ifinfomsg then IFLA_* of the peer (create only) */
	IFLA_IDMESH_PEER,
	/* string: name of the peer device; reported */
	IFLA_IDMESH_PEER_NAME,
	/* u32: link id, 1..IDMESH_ID_MAX, carried as the Geneve VNI */
	IFLA_IDMESH_ID,
	/* binary, 4 (IPv4) or 16 (IPv6) bytes: the remote node's address */
	IFLA_IDMESH_REMOTE,
	/* binary, same family as REMOTE: the local address (optional) */
	IFLA_IDMESH_LOCAL,
	/* u16, network byte order: UDP port (default 6081) */
	IFLA_IDMESH_PORT,
	/* u32: ifindex of the underlay device to send through (optional) */
	IFLA_IDMESH_UNDERLAY,
	/* u32: largest MTU the underlay allows; reported */
	IFLA_IDMESH_MAX_MTU,

	__IFLA_IDMESH_MAX,
};

#define IFLA_IDMESH_MAX (__IFLA_IDMESH_MAX - 1)

/* Attributes of IFLA_INFO_XSTATS: u64 drop counters, by reason. */
enum {
	IFLA_IDMESH_XSTATS_UNSPEC,
	IFLA_IDMESH_XSTATS_PAD,
	IFLA_IDMESH_XSTATS_NO_PEER,	/* tx: peer missing or down */
	IFLA_IDMESH_XSTATS_BAD_PROTO,	/* not IPv4/IPv6, or header mismatch */
	IFLA_IDMESH_XSTATS_NO_ROUTE,	/* tx: no route to the remote */
	IFLA_IDMESH_XSTATS_TOO_BIG,	/* tx: above the path MTU, ICMP sent */
	IFLA_IDMESH_XSTATS_NOMEM,	/* out of memory */
	IFLA_IDMESH_XSTATS_BAD_SOURCE,	/* rx: outer source is not the remote */
	IFLA_IDMESH_XSTATS_BACKLOG,	/* rx queue full */
	IFLA_IDMESH_XSTATS_LOOP,	/* tx: route leads back into the link */

	__IFLA_IDMESH_XSTATS_MAX,
};

#define IFLA_IDMESH_XSTATS_MAX (__IFLA_IDMESH_XSTATS_MAX - 1)

#endif /* _UAPI_LINUX_IDMESH_H */
