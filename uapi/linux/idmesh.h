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
/* SACL connections charged to one port (IDMESH_A_SACL_PORT_FLOW_LIMIT) */
#define IDMESH_SACL_PORT_FLOW_LIMIT_DEFAULT	16384

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
	/* Maglev virtual services (VIPs); changes need CAP_NET_ADMIN. */
	IDMESH_CMD_VIP_NEW,
	IDMESH_CMD_VIP_DEL,
	/* Dump: every VIP, or the one named by IDMESH_A_VIP; unprivileged. */
	IDMESH_CMD_VIP_GET,
	/* Backends of a VIP: IDMESH_A_VIP names it, IDMESH_A_BACKEND is one. */
	IDMESH_CMD_BACKEND_NEW,
	IDMESH_CMD_BACKEND_DEL,
	IDMESH_CMD_BACKEND_SET,
	/* Dump of a VIP's lookup table: the VIP, then slot chunks. */
	IDMESH_CMD_TABLE_GET,
	/*
	 * SACL identity gateway (IPv4 and IPv6). IDMESH_A_SACL carries a nest of
	 * enum idmesh_sacl_attr. SET changes the settings; NEW and DEL add
	 * and remove one entry of the table IDMESH_SACL_A_KIND names; GET
	 * dumps the settings and counters, then every entry (of one KIND if
	 * given); unprivileged.
	 */
	IDMESH_CMD_SACL_SET,
	IDMESH_CMD_SACL_NEW,
	IDMESH_CMD_SACL_DEL,
	IDMESH_CMD_SACL_GET,
	/*
	 * Replace the whole backend set of the VIP IDMESH_A_VIP names with
	 * the IDMESH_A_BACKEND nests (repeated; none: no backend), weights
	 * included, in one table build. Backends that stay keep their flows;
	 * the flows of those that go pick again. Needs CAP_NET_ADMIN.
	 */
	IDMESH_CMD_BACKEND_REPLACE,
	/*
	 * Change what can change of the VIP IDMESH_A_VIP names, while its
	 * flows go on: its session affinity (IDMESH_VIP_A_AFFINITY, needed).
	 * Needs CAP_NET_ADMIN.
	 */
	IDMESH_CMD_VIP_SET,
	/*
	 * The peers of an external remote link (IFLA_IDMESH_EXTERNAL):
	 * IDMESH_A_LINK_PEER, nested enum idmesh_link_peer_attr. NEW adds
	 * or replaces the peer of a prefix, DEL removes it (both need
	 * CAP_NET_ADMIN); GET dumps them, of one link (IFINDEX) or of every
	 * external link of the namespace.
	 */
	IDMESH_CMD_LINK_PEER_NEW,
	IDMESH_CMD_LINK_PEER_DEL,
	IDMESH_CMD_LINK_PEER_GET,

	__IDMESH_CMD_MAX,
};

#define IDMESH_CMD_MAX (__IDMESH_CMD_MAX - 1)

enum idmesh_attr {
	IDMESH_A_UNSPEC,
	/* string: version of the loaded module, e.g. "0.1.0" */
	IDMESH_A_VERSION,
	/* string, repeated: one capability of the loaded module each */
	IDMESH_A_FEATURE,
	/* u32: most Maglev flows a namespace tracks before evicting the
	 * oldest (SACL connections: IDMESH_A_SACL_FLOW_LIMIT)
	 */
	IDMESH_A_FLOW_LIMIT,
	/* u64: encapsulated packets for an id no link has, dropped */
	IDMESH_A_RX_UNKNOWN_ID,
	/* u64: encapsulated packets with a malformed header, dropped */
	IDMESH_A_RX_MALFORMED,
	IDMESH_A_PAD,
	/* u32 seconds: how long an idle flow keeps its backend, by state */
	IDMESH_A_TIMEOUT_TCP_SYN,	/* TCP, handshake not finished */
	IDMESH_A_TIMEOUT_TCP,		/* TCP, established */
	IDMESH_A_TIMEOUT_TCP_FIN,	/* TCP, FIN or RST seen */
	IDMESH_A_TIMEOUT_UDP,
	IDMESH_A_TIMEOUT_SCTP,
	/* u32: Maglev flows tracked now; u64: evicted / expired so far */
	IDMESH_A_FLOWS,
	IDMESH_A_FLOWS_EVICTED,
	IDMESH_A_FLOWS_EXPIRED,
	/* u64: new flows that could not be tracked (no memory, NAT reply
	 * tuple in use): their packets were dropped
	 */
	IDMESH_A_FLOWS_FAILED,
	/* nested, enum idmesh_vip_attr: a virtual service */
	IDMESH_A_VIP,
	/* nested, enum idmesh_backend_attr: one backend of a VIP */
	IDMESH_A_BACKEND,
	/* u32: index of the first slot in IDMESH_A_TABLE_SLOTS */
	IDMESH_A_TABLE_OFFSET,
	/* binary: u16 per slot, host order: the owning backend's index */
	IDMESH_A_TABLE_SLOTS,
	/* nested, enum idmesh_sacl_attr: SACL settings or one entry */
	IDMESH_A_SACL,
	/* u32: most SACL connections a namespace tracks; a budget apart
	 * from the Maglev flows', so one cannot evict the other's
	 */
	IDMESH_A_SACL_FLOW_LIMIT,
	/* As IDMESH_A_FLOWS..IDMESH_A_FLOWS_FAILED, for SACL connections */
	IDMESH_A_SACL_FLOWS,
	IDMESH_A_SACL_FLOWS_EVICTED,
	IDMESH_A_SACL_FLOWS_EXPIRED,
	IDMESH_A_SACL_FLOWS_FAILED,
	/* binary, IDMESH_HASH_KEY_LEN bytes: the SipHash key of the flow
	 * hash, which picks a new flow's Maglev slot. Random per namespace
	 * until set; nodes behind the same VIP (ECMP in front of them) with
	 * the same key and backends send a flow to the same backend. Shown
	 * only to callers with CAP_NET_ADMIN.
	 */
	IDMESH_A_HASH_KEY,
	/* u32: most SACL connections charged to one port (its client's,
	 * else its server's); a port at it evicts its own oldest, never
	 * another port's
	 */
	IDMESH_A_SACL_PORT_FLOW_LIMIT,

	/* nested, enum idmesh_link_peer_attr: an external link's peer */
	IDMESH_A_LINK_PEER,
	__IDMESH_A_MAX,
};

#define IDMESH_A_MAX (__IDMESH_A_MAX - 1)

/* Bounds and defaults of the flow timeouts, in seconds. */
/* Bytes of IDMESH_A_HASH_KEY (a SipHash key). */
#define IDMESH_HASH_KEY_LEN		16

#define IDMESH_TIMEOUT_MIN		1
#define IDMESH_TIMEOUT_MAX		(7 * 24 * 3600)
#define IDMESH_TIMEOUT_TCP_SYN_DEFAULT	60
#define IDMESH_TIMEOUT_TCP_DEFAULT	900
#define IDMESH_TIMEOUT_TCP_FIN_DEFAULT	30
#define IDMESH_TIMEOUT_UDP_DEFAULT	300
#define IDMESH_TIMEOUT_SCTP_DEFAULT	900

/* Maglev lookup table sizes: a prime in this range. */
#define IDMESH_TABLE_SIZE_MIN		3
#define IDMESH_TABLE_SIZE_MAX		1000003
#define IDMESH_TABLE_SIZE_DEFAULT	65537
/*
 * Session affinity, seconds at most: Kubernetes' bound on a Service's
 * sessionAffinityConfig.clientIP.timeoutSeconds.
 */
#define IDMESH_AFFINITY_MAX		86400
/* Backends of one VIP, and their weights (0 drains the backend). */
#define IDMESH_BACKENDS_MAX		4096
#define IDMESH_WEIGHT_MAX		65535
#define IDMESH_WEIGHT_DEFAULT		1

enum idmesh_vip_mode {
	/* Rewrite the destination to the backend, the source back on replies. */
	IDMESH_VIP_MODE_NAT = 1,
	/* Forward unchanged along the route to the backend (a tunnel). */
	IDMESH_VIP_MODE_TUNNEL,
};

enum idmesh_vip_attr {
	IDMESH_VIP_A_UNSPEC,
	IDMESH_VIP_A_ADDR4,		/* be32: an IPv4 VIP, or ... */
	IDMESH_VIP_A_ADDR6,		/* binary, 16 bytes: an IPv6 VIP */
	IDMESH_VIP_A_PROTO,		/* u8: IPPROTO_TCP, _UDP or _SCTP */
	IDMESH_VIP_A_PORT,		/* u16, host order; 0 or absent: all */
	IDMESH_VIP_A_TABLE_SIZE,	/* u32: prime; new only (default 65537) */
	IDMESH_VIP_A_MODE,		/* u8, enum idmesh_vip_mode; new only */
	IDMESH_VIP_A_PAD,
	/* Reported: */
	IDMESH_VIP_A_PACKETS,		/* u64: packets forwarded */
	IDMESH_VIP_A_BYTES,		/* u64 */
	IDMESH_VIP_A_NO_BACKEND,	/* u64: dropped, no backend to use */
	/* u64: dropped, no route to the backend (tunnel: none through a
	 * point-to-point device)
	 */
	IDMESH_VIP_A_NO_ROUTE,
	IDMESH_VIP_A_FLOWS,		/* u32: flows tracked now */
	IDMESH_VIP_A_BACKEND,		/* nested, repeated: the backends */
	IDMESH_VIP_A_BUILD_NS,		/* u64: time the last table build took */
	IDMESH_VIP_A_BUILDS,		/* u32: table builds since it was added */
	/* u32 seconds, 0..IDMESH_AFFINITY_MAX (0 or absent: none): session
	 * affinity. A client address's new connections go to the backend
	 * its last one went to, while it opens one within this many seconds
	 * of the last and that backend owns slots. VIP_NEW and VIP_SET.
	 */
	IDMESH_VIP_A_AFFINITY,
	IDMESH_VIP_A_AFFINITY_CLIENTS,	/* u32: client addresses pinned now */

	__IDMESH_VIP_A_MAX,
};

#define IDMESH_VIP_A_MAX (__IDMESH_VIP_A_MAX - 1)

enum idmesh_backend_attr {
	IDMESH_BACKEND_A_UNSPEC,
	IDMESH_BACKEND_A_ADDR4,		/* be32, same family as the VIP */
	IDMESH_BACKEND_A_ADDR6,		/* binary, 16 bytes */
	IDMESH_BACKEND_A_PORT,		/* u16, host order; 0: keep the VIP's */
	IDMESH_BACKEND_A_WEIGHT,	/* u32, 0..IDMESH_WEIGHT_MAX */
	IDMESH_BACKEND_A_PAD,
	/* Reported: */
	IDMESH_BACKEND_A_INDEX,		/* u32: the index table slots hold */
	IDMESH_BACKEND_A_SLOTS,		/* u32: slots of the table it owns */
	IDMESH_BACKEND_A_PACKETS,	/* u64 */
	IDMESH_BACKEND_A_BYTES,		/* u64 */
	IDMESH_BACKEND_A_FLOWS,		/* u32: flows tracked to it now */
	/* u8: 1 while no route leads to it (or its device is down): it gets
	 * no new flow, its slots are the others'
	 */
	IDMESH_BACKEND_A_DOWN,
	IDMESH_BACKEND_A_DOWNS,		/* u32: times it was found down */

	__IDMESH_BACKEND_A_MAX,
};

#define IDMESH_BACKEND_A_MAX (__IDMESH_BACKEND_A_MAX - 1)

/*
 * SACL: the IDs of the client's and the server's Service in an IPv6
 * Hop-by-Hop option or an IPv4 option (Documentation/sacl.rst has the
 * bytes). Both are 16 bytes of data: client ID, server ID (be64).
 */
/* IPv6: the RFC 4727 experimental type; its length byte says 16. */
#define IDMESH_SACL_OPT_TYPE_DEFAULT	0x1e
#define IDMESH_SACL_OPT_LEN		16
/* IPv4: RFC 4727's 30 (also 94, 158, 222); its length byte says 18. */
#define IDMESH_SACL_OPT_TYPE4_DEFAULT	30
#define IDMESH_SACL_LID_MAX		127
#define IDMESH_SACL_DSCP_MAX		63
/* Entries per table. */
#define IDMESH_SACL_ENTRIES_MAX		(1024 * 1024)
/* Distinct (client bits, server bits) prefix lengths among the rules. */
#define IDMESH_SACL_PREFIXES_MAX	16
/* Trusted tag sources (devices and prefixes) per namespace. */
#define IDMESH_SACL_TRUST_MAX		64
/* Distinct prefix lengths among the peers. */
#define IDMESH_SACL_PEER_LENS_MAX	32

enum idmesh_sacl_kind {
	IDMESH_SACL_KIND_SETTINGS = 1,	/* in dumps: settings and counters */
	IDMESH_SACL_KIND_PORT,		/* a workload-facing device */
	IDMESH_SACL_KIND_CLIENT,	/* address, or port + LID -> client ID */
	IDMESH_SACL_KIND_SERVER,	/* address, protocol, port -> server ID */
	IDMESH_SACL_KIND_RULE,		/* client ID, server ID -> action */
	IDMESH_SACL_KIND_TRUST,		/* a device or source prefix whose
					 * tags are believed
					 */
	/*
	 * An address prefix -> ID, for addresses with no identity of their
	 * own (outside the cluster): the client ID of a connection without
	 * the option from one (towards a port), the server ID a new
	 * connection to one is judged by (egress); longest prefix first.
	 */
	IDMESH_SACL_KIND_PEER,
};

enum idmesh_sacl_action {
	IDMESH_SACL_ALLOW = 1,
	IDMESH_SACL_DENY,
};

/*
 * Where a namespace's gateway does its work (read-only, in the settings):
 * it follows the ports, rules and VIPs (Documentation/sacl.rst).
 */
enum idmesh_sacl_path {
	IDMESH_SACL_PATH_NONE,		/* no ports, no rules: nowhere */
	IDMESH_SACL_PATH_HOOK,		/* netfilter's forward hook */
	IDMESH_SACL_PATH_PAIRS,		/* inside the ports' idmesh pairs */
};

/* Where a rule is judged. */
enum idmesh_sacl_direction {
	/* Towards the server's port, and on the path (the default). */
	IDMESH_SACL_INGRESS = 1,
	/*
	 * As a new connection leaves its client's port, before it is
	 * tagged: allow or deny only (no priority, no DSCP).
	 */
	IDMESH_SACL_EGRESS,
};

/* Protocol and port ranges one rule may be limited to. */
#define IDMESH_SACL_RANGES_MAX		32

enum idmesh_sacl_range_attr {
	IDMESH_SACL_RANGE_A_UNSPEC,
	IDMESH_SACL_RANGE_A_PROTO,	/* u8: IPPROTO_TCP, _UDP or _SCTP */
	IDMESH_SACL_RANGE_A_PORT,	/* u16, host order, 1..65535; absent:
					 * every port of the protocol
					 */
	IDMESH_SACL_RANGE_A_PORT_END,	/* u16, host order, >= PORT; absent:
					 * PORT alone
					 */

	__IDMESH_SACL_RANGE_A_MAX,
};

#define IDMESH_SACL_RANGE_A_MAX (__IDMESH_SACL_RANGE_A_MAX - 1)

enum idmesh_sacl_attr {
	IDMESH_SACL_A_UNSPEC,
	IDMESH_SACL_A_PAD,
	IDMESH_SACL_A_KIND,		/* u8, enum idmesh_sacl_kind */
	IDMESH_SACL_A_IFINDEX,		/* u32: a port; a client's marker port */
	IDMESH_SACL_A_ADDR6,		/* binary, 16 bytes: IPv6 address (not
					 * IPv4-mapped: IPv4 is ADDR4)
					 */
	IDMESH_SACL_A_LID,		/* u8, 0..IDMESH_SACL_LID_MAX */
	IDMESH_SACL_A_ID,		/* u64, not 0: a client's or server's */
	IDMESH_SACL_A_CLIENT_ID,	/* u64, not 0: a rule's client ID */
	IDMESH_SACL_A_SERVER_ID,	/* u64, not 0: a rule's server ID */
	IDMESH_SACL_A_PROTO,		/* u8: IPPROTO_*; 0 or absent: any */
	IDMESH_SACL_A_PORT,		/* u16, host order; 0 or absent: any */
	IDMESH_SACL_A_ACTION,		/* u8, enum idmesh_sacl_action */
	IDMESH_SACL_A_PRIORITY,		/* u32: skb priority a rule sets */
	IDMESH_SACL_A_DSCP,		/* u8, 0..63: DSCP a rule sets */
	IDMESH_SACL_A_MARKER,		/* u8 0/1: port: LIDs arrive on it;
					 * settings: mark this namespace's
					 * sockets' packets with their LID
					 */
	IDMESH_SACL_A_OPT_TYPE,		/* u8: option type, action bits 00 */
	IDMESH_SACL_A_DEFAULT,		/* u8, enum idmesh_sacl_action */
	/* u64 counters, reported: per rule, and the settings' own */
	IDMESH_SACL_A_HITS,		/* packets a rule (or default) matched */
	IDMESH_SACL_A_DROPS,		/* of which dropped (deny) */
	IDMESH_SACL_A_TAGGED,		/* option inserted */
	IDMESH_SACL_A_STRIPPED,		/* option removed towards a workload */
	IDMESH_SACL_A_REPLIES,		/* tagged or passed by conntrack */
	IDMESH_SACL_A_TRANSIT,		/* classified on the path */
	IDMESH_SACL_A_NO_CLIENT,	/* from a port, client unknown */
	IDMESH_SACL_A_NO_SERVER,	/* from a port, server unknown */
	IDMESH_SACL_A_FORGED,		/* dropped: a workload sent the option */
	IDMESH_SACL_A_MALFORMED,	/* dropped: bad option or header */
	IDMESH_SACL_A_TOO_BIG,		/* dropped: over the MTU with the
					 * option, ICMP(v6) sent
					 */
	IDMESH_SACL_A_MARKED,		/* local packets given their LID */
	/*
	 * A rule for a group of IDs: how many leading bits must match. 0:
	 * every ID and none (a packet without one: untagged, or an address
	 * no table knows); its ID is then left out.
	 */
	IDMESH_SACL_A_CLIENT_BITS,	/* u8, 0..64; absent: 64 (one ID) */
	IDMESH_SACL_A_SERVER_BITS,	/* u8, 0..64; absent: 64 (one ID) */
	IDMESH_SACL_A_ADDR4,		/* be32: an IPv4 client's or server's */
	IDMESH_SACL_A_OPT_TYPE4,	/* u8: IPv4 option type, RFC 4727's */
	IDMESH_SACL_A_NO_ROOM,		/* dropped: no room in the header
					 * (IPv4: 40 bytes of options)
					 */
	IDMESH_SACL_A_PREFIX_LEN,	/* u8: a trusted prefix's or a peer's
					 * length (IPv4 0..32, IPv6 0..128;
					 * absent: the whole address)
					 */
	IDMESH_SACL_A_UNTRUSTED,	/* dropped: a tag from a device or
					 * source not trusted
					 */
	IDMESH_SACL_A_SPOOFED,		/* dropped: from a port, not from
					 * one of its clients' addresses
					 */
	IDMESH_SACL_A_UNRELATED,	/* dropped: an ICMP(v6) error from or
					 * to a port that quotes no
					 * connection tracked between them
					 */
	IDMESH_SACL_A_FLOWS,		/* u32: a port's connections now */
	IDMESH_SACL_A_EVICTED,		/* u64: a port's connections evicted
					 * by its budget
					 */
	IDMESH_SACL_A_SEGMENTED,	/* GSO packets from or to a port cut
					 * into segments first (a length the
					 * option would wrap, BIG TCP, fraglist)
					 */
	IDMESH_SACL_A_DIRECTION,	/* u8, enum idmesh_sacl_direction: a
					 * rule's (part of its key); absent:
					 * ingress
					 */
	/*
	 * nested, enum idmesh_sacl_range_attr, repeated (at most
	 * IDMESH_SACL_RANGES_MAX): a rule applies only to connections whose
	 * protocol and destination port one of these covers; a rule that
	 * does not apply leaves the decision to a less specific one. None:
	 * every connection.
	 */
	IDMESH_SACL_A_RANGE,
	IDMESH_SACL_A_PATH,		/* u8, enum idmesh_sacl_path: the
					 * settings' (read-only)
					 */

	__IDMESH_SACL_A_MAX,
};

#define IDMESH_SACL_A_MAX (__IDMESH_SACL_A_MAX - 1)

/* Peers one external link may have. */
#define IDMESH_LINK_PEERS_MAX	65536

enum idmesh_link_peer_attr {
	IDMESH_LINK_PEER_A_UNSPEC,
	IDMESH_LINK_PEER_A_IFINDEX,	/* u32: the external link */
	/*
	 * The inner destinations the peer has (a node's pod CIDR): one of
	 * PREFIX4 (be32) and PREFIX6 (16 bytes), no bit set past
	 * PREFIX_LEN (u8, 0..32 or 0..128; absent: the whole address)
	 */
	IDMESH_LINK_PEER_A_PREFIX4,
	IDMESH_LINK_PEER_A_PREFIX6,
	IDMESH_LINK_PEER_A_PREFIX_LEN,
	/* The peer node's address, of the link's underlay family */
	IDMESH_LINK_PEER_A_REMOTE4,	/* be32 */
	IDMESH_LINK_PEER_A_REMOTE6,	/* 16 bytes */

	__IDMESH_LINK_PEER_A_MAX,
};

#define IDMESH_LINK_PEER_A_MAX (__IDMESH_LINK_PEER_A_MAX - 1)

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
	/*
	 * u8, 4 or 6: an external remote link over an underlay of that
	 * family, instead of REMOTE: one device for many nodes, each
	 * packet sent to the peer whose prefix holds its inner destination
	 * (IDMESH_CMD_LINK_PEER_*), received from any peer's address.
	 */
	IFLA_IDMESH_EXTERNAL,

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
	IFLA_IDMESH_XSTATS_ECN,		/* rx: outer CE, inner not ECN-capable */

	__IFLA_IDMESH_XSTATS_MAX,
};

#define IFLA_IDMESH_XSTATS_MAX (__IFLA_IDMESH_XSTATS_MAX - 1)

#endif /* _UAPI_LINUX_IDMESH_H */
