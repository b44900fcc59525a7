// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

const char idm_msg_no_module[] =
	"the idmesh kernel module is not loaded (generic netlink family \""
	IDMESH_GENL_NAME "\" not found); load it with \"modprobe idmesh\" "
	"or \"insmod kmod/idmesh.ko\"";

void idm_netns_path(const char *netns, char *buf, size_t len)
{
	snprintf(buf, len, netns[0] == '/' ? "%s" : "/run/netns/%s", netns);
}

static int enter_netns(const char *name)
{
	char path[4096];
	int fd;

	idm_netns_path(name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "Error: cannot open network namespace \"%s\": %s\n",
			name, strerror(errno));
		return -1;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "Error: cannot enter network namespace \"%s\": %s\n",
			name, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Enter netns if given, connect a socket of protocol, ask for extack. */
static int sock_open(struct idm_nl *nl, const char *netns, int protocol)
{
	int one = 1, err;

	memset(nl, 0, sizeof(*nl));
	if (netns && enter_netns(netns))
		return -1;
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		fprintf(stderr, "Error: out of memory\n");
		return -1;
	}
	err = nl_connect(nl->sk, protocol);
	if (err) {
		fprintf(stderr, "Error: cannot open a netlink socket: %s\n",
			nl_geterror(err));
		nl_socket_free(nl->sk);
		nl->sk = NULL;
		return -1;
	}
	/* Ask for the kernel's error text, and not our request echoed back. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	/* Room to send a large request (a VIP's whole backend set). */
	nl_socket_set_buffer_size(nl->sk, IDM_NL_REQ_MAX, 0);
	return 0;
}

int idm_nl_open(struct idm_nl *nl, const char *netns)
{
	if (sock_open(nl, netns, NETLINK_GENERIC))
		return -1;
	nl->family = genl_ctrl_resolve(nl->sk, IDMESH_GENL_NAME);
	if (nl->family < 0) {
		if (nl->family == -NLE_OBJ_NOTFOUND)
			fprintf(stderr, "Error: %s\n", idm_msg_no_module);
		else
			fprintf(stderr, "Error: cannot resolve generic netlink family \"%s\": %s\n",
				IDMESH_GENL_NAME, nl_geterror(nl->family));
		idm_nl_close(nl);
		return -1;
	}
	/* Dumps (VIPs with many backends, tables) come in large messages. */
	nl_socket_set_msg_buf_size(nl->sk, 65536);
	return 0;
}

void idm_nl_close(struct idm_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

/* Walk attributes in [p, end); calls fn for each well-formed one. */
static void walk_attrs(const unsigned char *p, const unsigned char *end,
		       void (*fn)(const struct nlattr *a, void *arg), void *arg)
{
	while (p + NLA_HDRLEN <= end) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN || p + a->nla_len > end)
			return;
		fn(a, arg);
		p += NLA_ALIGN(a->nla_len);
	}
}

static uint64_t attr_u64(const struct nlattr *a)
{
	uint64_t v = 0;

	if (a->nla_len - NLA_HDRLEN == sizeof(v))
		memcpy(&v, (const char *)a + NLA_HDRLEN, sizeof(v));
	return v;
}

static void policy_attr(const struct nlattr *a, void *arg)
{
	struct idm_extack *ex = arg;

	switch (a->nla_type & NLA_TYPE_MASK) {
	case NL_POLICY_TYPE_ATTR_MIN_VALUE_U:
		ex->min = attr_u64(a);
		ex->has_range |= 1;
		break;
	case NL_POLICY_TYPE_ATTR_MAX_VALUE_U:
		ex->max = attr_u64(a);
		ex->has_range |= 2;
		break;
	}
}

static void extack_attr(const struct nlattr *a, void *arg)
{
	struct idm_extack *ex = arg;
	size_t n = a->nla_len - NLA_HDRLEN;
	const unsigned char *data = (const unsigned char *)a + NLA_HDRLEN;

	switch (a->nla_type & NLA_TYPE_MASK) {
	case NLMSGERR_ATTR_MSG:
		if (n >= sizeof(ex->msg))
			n = sizeof(ex->msg) - 1;
		memcpy(ex->msg, data, n);
		ex->msg[n] = '\0';
		break;
	case NLMSGERR_ATTR_POLICY:
		walk_attrs(data, data + n, policy_attr, ex);
		break;
	}
}

void idm_nl_parse_extack(const struct nlmsghdr *nlh, struct idm_extack *ex)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	const unsigned char *end = (const unsigned char *)nlh + nlh->nlmsg_len;
	size_t off;

	memset(ex, 0, sizeof(*ex));
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	walk_attrs((const unsigned char *)e + NLMSG_ALIGN(off), end,
		   extack_attr, ex);
	if (ex->has_range != 3)
		ex->has_range = 0;
}

struct req_ctx {
	struct idm_nl *nl;
	int done;
};

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct req_ctx *c = arg;

	c->done = 1;
	return NL_STOP;
}

/* End of a dump: it carries the dump's error, and extack TLVs, if any. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct req_ctx *c = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	const unsigned char *p = NLMSG_DATA(nlh);
	const unsigned char *end = (const unsigned char *)nlh + nlh->nlmsg_len;
	int err;

	c->done = 1;
	if (p + sizeof(err) > end)
		return NL_STOP;
	memcpy(&err, p, sizeof(err));
	if (err < 0) {
		c->nl->error = err;
		memset(&c->nl->extack, 0, sizeof(c->nl->extack));
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
			walk_attrs(p + NLMSG_ALIGN(sizeof(err)), end, extack_attr,
				   &c->nl->extack);
		if (c->nl->extack.has_range != 3)
			c->nl->extack.has_range = 0;
	}
	return NL_STOP;
}

/* A dump that changed under us is retried by the caller, not trusted. */
static int on_dump_intr(struct nl_msg *msg, void *arg)
{
	struct req_ctx *c = arg;

	c->nl->error = -EAGAIN;
	snprintf(c->nl->extack.msg, sizeof(c->nl->extack.msg),
		 "the kernel's state changed during the dump; try again");
	return NL_OK;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct req_ctx *c = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);

	c->nl->error = e->error;
	idm_nl_parse_extack(nlh, &c->nl->extack);
	c->done = 1;
	return NL_STOP;
}

static void print_kernel_error(struct idm_nl *nl)
{
	int err = -nl->error;

	if (nl->extack.msg[0] && nl->extack.has_range)
		fprintf(stderr, "Error: %s (valid: %llu..%llu)\n", nl->extack.msg,
			(unsigned long long)nl->extack.min,
			(unsigned long long)nl->extack.max);
	else if (nl->extack.msg[0])
		fprintf(stderr, "Error: %s\n", nl->extack.msg);
	else if (err == EPERM)
		fprintf(stderr, "Error: %s (changing idmesh state needs CAP_NET_ADMIN)\n",
			strerror(err));
	else
		fprintf(stderr, "Error: %s\n", strerror(err));
}

int idm_nl_transact(struct idm_nl *nl, struct nl_msg *msg,
		    int (*valid)(struct nl_msg *msg, void *arg), void *arg)
{
	struct req_ctx c = { .nl = nl };
	struct nl_cb *cb;
	int err;

	nl->error = 0;
	memset(&nl->extack, 0, sizeof(nl->extack));
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		fprintf(stderr, "Error: out of memory\n");
		return -1;
	}
	if (valid)
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid, arg);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &c);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &c);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, &c);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &c);

	err = nl_send_auto(nl->sk, msg);
	if (err < 0) {
		fprintf(stderr, "Error: cannot send to the kernel: %s\n",
			nl_geterror(err));
		nl_cb_put(cb);
		return -1;
	}
	while (!c.done) {
		err = nl_recvmsgs(nl->sk, cb);
		if (err < 0 && !c.done) {
			if (err == -NLE_MSG_TRUNC || err == -NLE_NOMEM)
				continue;
			fprintf(stderr, "Error: cannot read the kernel's answer: %s\n",
				nl_geterror(err));
			nl_cb_put(cb);
			return -1;
		}
	}
	nl_cb_put(cb);
	if (nl->error) {
		if (!nl->quiet)
			print_kernel_error(nl);
		return -1;
	}
	return 0;
}

struct genl_ctx {
	struct idm_nl *nl;
	idm_reply_fn reply;
	void *reply_arg;
	int cb_err;
};

static int genl_valid(struct nl_msg *msg, void *arg)
{
	struct genl_ctx *c = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct nlattr *tb[IDMESH_A_MAX + 1];

	if (genlmsg_parse(nlh, 0, tb, IDMESH_A_MAX, NULL)) {
		c->cb_err = -EBADMSG;
		return NL_SKIP;
	}
	c->nl->version = g->version;
	if (c->reply && !c->cb_err)
		c->cb_err = c->reply(tb, genlmsg_attrdata(g, 0),
				     genlmsg_attrlen(g, 0), c->reply_arg);
	return NL_OK;
}

static int nl_request(struct idm_nl *nl, uint8_t cmd, int flags,
		      idm_put_fn put, void *put_arg, idm_reply_fn reply,
		      void *reply_arg)
{
	struct genl_ctx c = { .nl = nl, .reply = reply, .reply_arg = reply_arg };
	struct nl_msg *msg;
	int err;

	msg = nlmsg_alloc_size(IDM_NL_REQ_MAX);
	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				 flags, cmd, IDMESH_GENL_VERSION)) {
		fprintf(stderr, "Error: out of memory\n");
		nlmsg_free(msg);
		return -1;
	}
	if (put && put(msg, put_arg)) {
		fprintf(stderr, "Error: request does not fit in a message\n");
		nlmsg_free(msg);
		return -1;
	}
	err = idm_nl_transact(nl, msg, genl_valid, &c);
	nlmsg_free(msg);
	if (err)
		return -1;
	if (c.cb_err) {
		fprintf(stderr, "Error: malformed answer from the kernel\n");
		return -1;
	}
	return 0;
}

int idm_nl_request(struct idm_nl *nl, uint8_t cmd, idm_put_fn put,
		   void *put_arg, idm_reply_fn reply, void *reply_arg)
{
	return nl_request(nl, cmd, NLM_F_ACK, put, put_arg, reply, reply_arg);
}

int idm_nl_dump(struct idm_nl *nl, uint8_t cmd, idm_put_fn put,
		void *put_arg, idm_reply_fn reply, void *reply_arg)
{
	return nl_request(nl, cmd, NLM_F_DUMP, put, put_arg, reply, reply_arg);
}

int idm_rt_open(struct idm_nl *nl, const char *netns)
{
	if (sock_open(nl, netns, NETLINK_ROUTE))
		return -1;
	/* Link dumps come in large messages. */
	nl_socket_set_msg_buf_size(nl->sk, 65536);
	return 0;
}

int idm_xfrm_open(struct idm_nl *nl)
{
	if (sock_open(nl, NULL, NETLINK_XFRM))
		return -1;
	nl_socket_set_msg_buf_size(nl->sk, 65536);
	return 0;
}

int idm_rt_open_in(struct idm_nl *nl, const char *netns)
{
	int self, rc;

	if (!netns)
		return idm_rt_open(nl, NULL);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		fprintf(stderr, "Error: cannot open this network namespace: %s\n",
			strerror(errno));
		return -1;
	}
	rc = idm_rt_open(nl, netns);
	if (setns(self, CLONE_NEWNET) < 0) {
		fprintf(stderr, "Error: cannot return to this network namespace: %s\n",
			strerror(errno));
		if (!rc)
			idm_nl_close(nl);
		rc = -1;
	}
	close(self);
	return rc;
}
