/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmesh apply: the identity controller. A declarative intent (workloads
 * with labels, policies with selectors, the node's ports) becomes
 * Services, SACL IDs and rules, and then the SACL tables this node needs;
 * the tables are changed as a diff. No netlink in here (apply.c talks to
 * the kernel), so that all of it is tested on the host.
 */
#ifndef IDMESH_INTENT_H
#define IDMESH_INTENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <netinet/in.h>

#include <linux/idmesh.h>

#include "ipsec.h"
#include "parse.h"
#include "vip.h"

#define IDM_ID_KEY_LEN	16

struct idm_label {
	char *key;
	char *value;
};

/* Sorted by key, keys unique. */
struct idm_labels {
	struct idm_label *v;
	size_t n;
};

struct idm_service {
	struct idm_labels labels;	/* the labels that count */
	char *name;			/* "k=v,k=v" in key order, "{}" if none */
	uint64_t id;
	size_t nworkloads;
};

/* A container port's name (NetworkPolicy's named ports). */
struct idm_named_port {
	char *name;
	uint8_t proto;
	uint16_t port;
};

struct idm_workload {
	char *name;
	bool has_addr;
	struct in6_addr addr;
	uint32_t proto, port;		/* 0: any */
	char *dev;			/* behind this port: a workload of this node */
	bool has_lid;
	uint32_t lid;
	struct idm_labels labels;
	struct idm_named_port *named;	/* "named-ports" */
	size_t nnamed;
	size_t service;			/* index in services, once derived */
};

/* Kubernetes' operators: in, not_in, exists, does_not_exist. */
enum { IDM_SEL_IN, IDM_SEL_NOT_IN, IDM_SEL_EXISTS, IDM_SEL_NOT_EXISTS };

struct idm_selector {
	char *key;
	int op;				/* IDM_SEL_* */
	char **values;			/* in, not_in: at least one */
	size_t nvalues;
};

enum { IDM_SIDE_CLIENT, IDM_SIDE_SERVER };

/*
 * What a policy's side is: Services by selectors; "any" (a rule of 0
 * bits: every ID and none, what a more specific rule overrides);
 * "every" (each ID, as two rules of 1 bit, and every address outside
 * the workloads as a peer); addresses of a CIDR but its excepts (peers).
 */
enum { IDM_SIDE_SERVICES, IDM_SIDE_ANY, IDM_SIDE_EVERY, IDM_SIDE_CIDR };

/* An address with its prefix length, or a route's destination. */
struct idm_prefix {
	struct idm_addr a;
	uint32_t len;
};

/* A policy's port: a range, or a name the server's workloads give. */
struct idm_policy_port {
	uint8_t proto;
	uint16_t lo, hi;
	char *name;			/* a named port: lo, hi unused */
};

struct idm_policy {
	char *name;			/* given, or "policies[i]" */
	int kind[2];			/* IDM_SIDE_SERVICES.., per side */
	struct idm_selector *sel[2];	/* ANDed, per side */
	size_t nsel[2];
	struct idm_prefix cidr[2];	/* IDM_SIDE_CIDR: the block */
	struct idm_prefix *except[2];	/* and the parts of it left out */
	size_t nexcept[2];
	uint32_t dir;			/* IDMESH_SACL_INGRESS or _EGRESS */
	bool has_ports;			/* none: every port */
	struct idm_policy_port *ports;
	size_t nports;
	uint32_t action;
	bool has_priority, has_dscp;
	uint32_t priority, dscp;
};

/* A peer the policies' CIDRs make: a prefix and its ID (derived). */
struct idm_peer {
	struct idm_prefix p;
	uint64_t id;
};

struct idm_port {
	char *dev;
	bool marker;
};

/* Structured IDs: the top bits come from these labels, in order. */
struct idm_id_field {
	char *key;
	unsigned int bits;
};

/* One side of a rule: a Service, or a group (an ID prefix). */
struct idm_rule_side {
	int kind;			/* IDM_SIDE_*: of the policy's side */
	uint64_t id;
	uint32_t bits;			/* 64: one Service */
	char *name;			/* "k=v,...": the Service's, or the group's */
};

struct idm_rule {
	struct idm_rule_side c, s;	/* client, server */
	size_t policy;			/* the first that gives it */
	size_t npolicies;		/* how many give it */
	size_t *from;			/* which: npolicies indexes, in order */
	uint32_t dir;			/* IDMESH_SACL_INGRESS or _EGRESS */
	uint32_t nranges;		/* none: every port */
	struct idm_range ranges[IDMESH_SACL_RANGES_MAX];
	uint32_t action;
	bool has_priority, has_dscp;
	uint32_t priority, dscp;
};

struct idm_sacl_row;

struct idm_prefixes {
	struct idm_prefix *v;
	size_t n;
};

struct idm_intent {
	const char *file;
	uint8_t key[IDM_ID_KEY_LEN];
	bool has_default;
	uint32_t def_action;
	bool has_service_keys;
	char **service_keys;
	size_t nservice_keys;
	struct idm_id_field *fields;
	size_t nfields;
	struct idm_port *ports;
	size_t nports;
	struct idm_workload *workloads;
	size_t nworkloads;
	struct idm_policy *policies;
	size_t npolicies;
	/*
	 * "pairs", "remote-links", "external-links" given: the node's links
	 * of that kind.
	 */
	bool has_pairs, has_remotes, has_externals;
	struct idm_intent_link *links;
	size_t nlinks;
	/* "hash-key": the Maglev flow hash key (config set hash-key). */
	bool has_hash_key;
	uint8_t hash_key[IDMESH_HASH_KEY_LEN];
	/* "sacl-entries": entries as given, besides the derived ones. */
	bool has_raw;
	struct idm_sacl_row *raw;
	size_t nraw;
	/*
	 * "masquerade" given: the pod CIDRs whose egress the node
	 * masquerades (masq.h, chain "intent"), exactly these.
	 */
	bool has_masq;
	struct idm_prefixes masq;
	/*
	 * "ipsec" given: the node's IPsec state (ipsec.h) is exactly what
	 * its encrypted links need, with these secrets (the first sends).
	 */
	bool has_ipsec;
	struct idm_ipsec_secret secrets[IDM_IPSEC_SECRETS_MAX];
	size_t nsecrets;
	/* "vips" given: the node's VIPs are exactly these. */
	bool has_vips;
	struct idm_intent_vip *vips;
	size_t nvips;
	/*
	 * A key of the identity part given ("ports", "default",
	 * "service-keys", "ids", "workloads", "policies", "sacl-entries"):
	 * the SACL tables are the intent's. None: they are left as they are.
	 */
	bool has_identity;
	/*
	 * Set by a caller that changes a part of the node (the agent), never
	 * from a file: vips_some: "vips" are some of the node's VIPs, each
	 * read alone, and vips_gone (borrowed) those to remove, the others
	 * left; keep_sacl: the SACL tables are left as they are.
	 */
	bool vips_some, keep_sacl;
	const struct idm_vip_spec *vips_gone;
	size_t nvips_gone;
	/* Derived by idm_intent_derive(). */
	struct idm_service *services;
	size_t nservices;
	struct idm_rule *rules;
	size_t nrules;
	struct idm_peer *peers;
	size_t npeers;
};


/* The two ends of a link: this node's, and a pair's peer. */
enum { IDM_END_NODE, IDM_END_PEER };

/* The kinds of link: "pairs", "remote-links", "external-links". */
enum { IDM_ILINK_PAIR, IDM_ILINK_REMOTE, IDM_ILINK_EXTERNAL };

/* A peer of an external link: destinations in prefix go to remote. */
struct idm_intent_xpeer {
	struct idm_prefix p;		/* no bit set past its length */
	struct idm_addr remote;		/* of the link's underlay family */
};

/*
 * A local pair, a remote link or an external link (remote set too) of
 * the node (intent_link.c).
 */
struct idm_intent_link {
	char *name;
	bool remote;
	int external;			/* 4 or 6: external, of that underlay */
	struct idm_intent_xpeer *xpeers;	/* an external link's peers */
	size_t nxpeers;
	char *peer, *netns;		/* a pair; netns NULL: this namespace */
	struct idm_addr raddr, laddr;	/* a remote link ... */
	uint32_t id, port;		/* port 0: the default */
	char *dev;			/* the underlay, or NULL */
	uint32_t mtu;			/* 0: the kernel's */
	bool encrypt;			/* a remote or external link: IPsec */
	struct idm_prefixes addrs[2];	/* per end */
	struct idm_prefixes routes[2];	/* destinations through the end */
};

/* A VIP of the node and its whole backend set (intent_vip.c). */
struct idm_intent_vip {
	struct idm_vip_spec v;		/* mode and table size: never 0 */
	struct idm_backend_spec *be;	/* weights always given */
	size_t nbe;
};

/*
 * "ADDR[/LEN]" (LEN: the whole address if absent); a route's destination
 * (route set) may have no bits set past LEN. 0, or -1 with why in err.
 */
int idm_prefix_parse(const char *s, bool route, struct idm_prefix *p,
		     char *err, size_t errlen);
/* "ADDR/LEN". */
void idm_prefix_format(const struct idm_prefix *p, char *buf, size_t len);
bool idm_prefix_eq(const struct idm_prefix *a, const struct idm_prefix *b);
/* p with every bit past its length cleared (the subnet of an address). */
void idm_prefix_clear_host(struct idm_prefix *p);
/* Append p to ps (exits when out of memory, as xrealloc does). */
void idm_prefixes_push(struct idm_prefixes *ps, const struct idm_prefix *p);
/* Is q inside p (of p's family, at least as long)? */
bool idm_prefix_in(const struct idm_prefix *q, const struct idm_prefix *p);
void idm_intent_link_free(struct idm_intent_link *l);
/*
 * The underlay address pairs of the intent's encrypted links (a remote
 * link's, each remote of an external link's peers once) into *out, *n
 * (free *out).
 */
void idm_intent_ipsec_pairs(const struct idm_intent *in, struct idm_ipsec_pair **out,
			    size_t *n);

/* The ID key every node uses unless the intent names another. */
extern const uint8_t idm_default_id_key[IDM_ID_KEY_LEN];

/*
 * Parse an intent (JSON) from text; file names it in messages. Returns 0,
 * or -1 with "FILE: PATH: reason" in err. Frees nothing on failure: call
 * idm_intent_free() either way.
 */
int idm_intent_parse(const char *file, const char *text, size_t len,
		     struct idm_intent *in, char *err, size_t errlen);
/* Services, their IDs (collisions refused) and the rules. */
int idm_intent_derive(struct idm_intent *in, char *err, size_t errlen);
/*
 * The intent of a file ("-": standard input), parsed and derived; 0, or
 * -1 with why in err. idm_intent_free() it either way.
 */
int idm_intent_load(const char *file, struct idm_intent *in, char *err,
		    size_t errlen);
void idm_intent_free(struct idm_intent *in);

/*
 * What the kernel would do with a new connection (sacl.rst): the rule of
 * direction dir that judges client -> server on proto/port (the most bits
 * in all, then the most client bits, among those that cover both IDs
 * and apply to the port), as an index in in->rules, or -1 (none: egress
 * allows, ingress takes the default). An ID 0 is covered by rules of 0
 * bits alone.
 */
int idm_intent_judge(const struct idm_intent *in, uint32_t dir, uint64_t client,
		     uint64_t server, uint8_t proto, uint16_t port);
/*
 * The ID of an address: the Service of the workload that has it (*w
 * set), else with peers the ID of the longest peer prefix holding it
 * (*peer set), else 0.
 */
uint64_t idm_intent_addr_id(const struct idm_intent *in, const struct idm_addr *a,
			    bool peers, const struct idm_workload **w,
			    const struct idm_peer **peer);

/* Does a selector list (ANDed) select these labels? */
bool idm_selects(const struct idm_selector *sel, size_t n,
		 const struct idm_labels *l);

/* One entry of a SACL table, as the tool and the kernel see it. */
struct idm_sacl_row {
	int kind;			/* IDMESH_SACL_KIND_PORT..RULE */
	char dev[IF_NAMESIZE];		/* a port; a LID client's port */
	uint32_t marker;
	bool has_addr;
	struct in6_addr addr;
	uint32_t lid, proto, port;
	uint64_t id, client, server;
	/* A rule's prefix lengths (64: one ID; 0: every ID and none). */
	uint32_t cbits, sbits;
	uint32_t dir;			/* a rule's; IDMESH_SACL_INGRESS or _EGRESS */
	uint32_t plen;			/* a peer's prefix length (IPv4: 0..32) */
	uint32_t nranges;		/* a rule's port ranges (none: all) */
	struct idm_range ranges[IDMESH_SACL_RANGES_MAX];
	uint32_t action;
	bool has_priority, has_dscp;
	uint32_t priority, dscp;
};

/* The tables of a node, and its default action. */
struct idm_sacl_tables {
	bool has_default;
	uint32_t def_action;
	struct idm_sacl_row *e;
	size_t n;
};

/*
 * What the intent wants in this node's tables. 0, or -1 with why in err
 * (an entry of "sacl-entries" that differs from a derived one).
 */
int idm_intent_state(const struct idm_intent *in, struct idm_sacl_tables *st,
		     char *err, size_t errlen);
void idm_sacl_tables_free(struct idm_sacl_tables *st);

struct idm_sacl_op {
	bool add;
	struct idm_sacl_row e;
};

/*
 * The changes that turn cur into want, in an order the kernel accepts:
 * removals (rules, peers, servers, clients, ports), then additions
 * (ports, clients, servers, peers, rules). An entry whose value changed is removed and
 * added. LID clients of a port that is re-created are too (a port takes
 * its LID clients with it). Returns the number of changes, or -1.
 */
long idm_sacl_diff(const struct idm_sacl_tables *cur, const struct idm_sacl_tables *want,
		   struct idm_sacl_op **ops);

/* An entry as the arguments of "idmesh sacl KIND add ...". */
void idm_sacl_row_format(const struct idm_sacl_row *e, char *buf, size_t len);

#endif
