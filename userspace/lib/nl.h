/* SPDX-License-Identifier: GPL-2.0 */
/* The idmesh tool's side of the "idmesh" generic netlink family. */
#ifndef IDMESH_NL_H
#define IDMESH_NL_H

#include <stdint.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <linux/idmesh.h>

struct idm_nl {
	struct nl_sock *sk;
	int family;
	/* Set: idm_nl_transact does not print the kernel's errors. */
	int quiet;
	/* Family version the kernel stamped on its last reply. */
	int version;
	/* Filled in when the kernel rejects a request. */
	int error;
	struct idm_extack {
		char msg[512];
		/* The policy's bounds of a value that was out of range. */
		int has_range;
		uint64_t min, max;
	} extack;
};

/* The largest request: 4096 IPv6 backends of a VIP fit. */
#define IDM_NL_REQ_MAX	(256 * 1024)

/* Fills the request's attributes; returns 0 or a negative errno. */
typedef int (*idm_put_fn)(struct nl_msg *msg, void *arg);
/*
 * Called for each reply with the parsed attributes (tb, last one of each
 * type) and the raw attribute stream (head, len) for repeated ones.
 */
typedef int (*idm_reply_fn)(struct nlattr **tb, struct nlattr *head, int len,
			    void *arg);

/* A namespace's file: NAME under /run/netns, or a path ("/..."). */
void idm_netns_path(const char *netns, char *buf, size_t len);

/*
 * Enter the named network namespace (/run/netns/NAME), if any, then
 * connect and resolve the family. On failure, prints why (module not
 * loaded, no such netns, ...) and returns -1.
 */
int idm_nl_open(struct idm_nl *nl, const char *netns);
void idm_nl_close(struct idm_nl *nl);

/*
 * Send one request and wait for its replies and acknowledgement. On a
 * kernel error, prints "Error: <extack or strerror>" and returns -1.
 */
int idm_nl_request(struct idm_nl *nl, uint8_t cmd, idm_put_fn put,
		   void *put_arg, idm_reply_fn reply, void *reply_arg);

/* The same as a dump (NLM_F_DUMP): reply is called for every message. */
int idm_nl_dump(struct idm_nl *nl, uint8_t cmd, idm_put_fn put,
		void *put_arg, idm_reply_fn reply, void *reply_arg);

/* Open an rtnetlink socket (after entering netns, if given). */
int idm_rt_open(struct idm_nl *nl, const char *netns);

/* Open an xfrm netlink socket (IPsec's SAs and policies) here. */
int idm_xfrm_open(struct idm_nl *nl);

/*
 * The same, and then come back: the socket stays in netns (NULL: this
 * one) while the process goes on in its own.
 */
int idm_rt_open_in(struct idm_nl *nl, const char *netns);

/*
 * Send msg, pass each reply to valid (may be NULL), wait for the ACK or
 * the end of a dump. On a kernel error prints it and returns -1.
 */
int idm_nl_transact(struct idm_nl *nl, struct nl_msg *msg,
		    int (*valid)(struct nl_msg *msg, void *arg), void *arg);

/* Parse the extended ACK TLVs of an NLMSG_ERROR message. */
void idm_nl_parse_extack(const struct nlmsghdr *nlh, struct idm_extack *ex);

/*
 * A reply's attribute values, 0 when the attribute is absent or not of
 * the size its type has (a reply is never trusted to be well formed).
 */
static inline uint8_t idm_nla_u8(const struct nlattr *a)
{
	return a && nla_len(a) >= 1 ? nla_get_u8((struct nlattr *)a) : 0;
}

static inline uint32_t idm_nla_u32(const struct nlattr *a)
{
	return a && nla_len(a) == 4 ? nla_get_u32((struct nlattr *)a) : 0;
}

static inline uint64_t idm_nla_u64(const struct nlattr *a)
{
	return a && nla_len(a) == 8 ? nla_get_u64((struct nlattr *)a) : 0;
}

/* Message printed when the family is missing; exposed for tests. */
extern const char idm_msg_no_module[];

#endif
