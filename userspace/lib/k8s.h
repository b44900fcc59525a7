/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmesh k8s: a node's intent from Kubernetes objects (k8s.c). No netlink,
 * no kernel: tested on the host with objects kubectl produced.
 */
#ifndef IDMESH_K8S_H
#define IDMESH_K8S_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

/* The parts of a node's intent (idm_k8s_build()). */
enum {
	IDM_K8S_LINKS = 1 << 0,		/* "remote-links": from the Nodes */
	IDM_K8S_VIPS = 1 << 1,		/* "vips": Services, EndpointSlices */
	IDM_K8S_SACL = 1 << 2,		/* "workloads", "ports", the policy */
	IDM_K8S_ALL = IDM_K8S_LINKS | IDM_K8S_VIPS | IDM_K8S_SACL,
};

struct idm_k8s_args {
	const char *node;		/* the node whose intent it is */
	const char *policy;		/* an intent's identity part, or NULL */
	const char **files;		/* "kubectl get -o json|yaml" output */
	size_t nfiles;
	/* Objects already read (the agent's cache), borrowed; after files. */
	struct json_object **objs;
	size_t nobjs;
	/*
	 * The other clusters of the clusterset: each one's objects (a
	 * file), of which its Nodes (peers of the external links), Pods and
	 * Namespaces (identity) are used; its Services come to this cluster
	 * as ServiceImports. Read from file (NULL: none), then objs
	 * (borrowed: the agent's cache of that cluster).
	 */
	struct idm_k8s_cluster {
		const char *name, *file;
		struct json_object **objs;
		size_t nobjs;
	} *remote;
	size_t nremote;
	uint32_t table_size;		/* the VIPs'; 0: apply's default */
	bool masquerade;		/* "masquerade": the node's pod CIDRs */
	/*
	 * A file of IPsec secrets (64 hex digits a line, the first sends;
	 * "#" comments): the external links are encrypted with them.
	 */
	const char *ipsec_secrets;
	/*
	 * Told of each object left out ("Kind ns/name: field: reason;
	 * what"); NULL: "Warning: ..." on standard error.
	 */
	void (*warn)(void *arg, const char *msg);
	void *warn_arg;
	size_t skipped;			/* out: how many were left out */
};

/*
 * The parts of the intent (IDM_K8S_*) as a JSON object (put it), or NULL
 * with why in err. The node must be among the Nodes unless only VIPs are
 * asked for. Objects that cannot be used are left out, each told.
 */
struct json_object *idm_k8s_build(struct idm_k8s_args *a, unsigned int parts,
				  char *err, size_t errlen);

/*
 * The intent as JSON text (free it), or NULL with "FILE: Kind ns/name:
 * field: reason" in err. Deterministic: the same objects in any order
 * give the same text.
 */
char *idm_k8s_intent(struct idm_k8s_args *a, char *err, size_t errlen);

/*
 * The node's CNI network configuration (a conflist for idmesh-cni), its
 * pods' addresses from host-local in the Node's spec.podCIDRs (one range
 * set per CIDR); mtu 0 leaves the plugin's own. JSON text (free it), or
 * NULL with why in err (no such Node, no pod CIDR yet, a bad one).
 */
char *idm_k8s_conflist(struct idm_k8s_args *a, int sacl, uint32_t mtu,
		       char *err, size_t errlen);

/*
 * The node-side device of a Pod's link: "idm" and 12 hex digits of a
 * keyed hash of "NAMESPACE/POD" (what the CNI plugin names it).
 */
void idm_k8s_pod_dev(const char *ns, const char *name, char *buf, size_t len);

/*
 * The node-side device of one attachment of a Pod: its link (ifname
 * "eth0") is idm_k8s_pod_dev()'s; another (Multus's "net1", ...) hashes
 * "NAMESPACE/POD", IFNAME and NETWORK, as the CNI spec keys attachments.
 */
void idm_k8s_attach_dev(const char *ns, const char *name, const char *ifname,
			const char *network, char *buf, size_t len);

/*
 * A tag of "NAMESPACE/POD" (16 hex digits, another key than the device
 * name's): the CNI plugin writes it in the link's alias, so that a new
 * sandbox of the same pod knows a stale attachment as its own.
 */
void idm_k8s_pod_tag(const char *ns, const char *name, char *buf, size_t len);
/*
 * The id of the external links "idmesh k8s" makes: the same on every
 * node of every cluster (the highest: a user's own remote links take
 * theirs from below).
 */
#define IDM_K8S_LINK_ID		IDMESH_ID_MAX

#endif
