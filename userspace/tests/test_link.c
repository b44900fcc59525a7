// SPDX-License-Identifier: GPL-2.0
/* Unit tests of "idmesh link add" argument parsing. */
#include <sys/socket.h>
#include <linux/idmesh.h>

#include "link.h"
#include "tap.h"

#define ARGS(...) ((char *[]){ __VA_ARGS__, NULL })
#define NARGS(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(sp, err, ...) \
	idm_parse_link_add(NARGS(__VA_ARGS__), ARGS(__VA_ARGS__), (sp), (err), sizeof(err))

int main(void)
{
	struct idm_link_spec sp;
	char err[256];

	TAP_OK(PARSE(&sp, err, "p1", "peer", "eth0", "netns", "pod1") == 0 &&
	       !strcmp(sp.name, "p1") && !strcmp(sp.peer, "eth0") &&
	       !strcmp(sp.peer_netns, "pod1") && !sp.remote.family,
	       "local pair with a peer namespace");
	TAP_OK(PARSE(&sp, err, "m0", "remote", "192.0.2.1", "local", "192.0.2.2",
		     "id", "100", "port", "7000", "dev", "eth1", "mtu", "1400") == 0 &&
	       sp.remote.family == AF_INET && sp.remote.len == 4 &&
	       sp.remote.bytes[0] == 192 && sp.remote.bytes[3] == 1 &&
	       sp.local.family == AF_INET && sp.id == 100 && sp.port == 7000 &&
	       !strcmp(sp.dev, "eth1") && sp.mtu == 1400,
	       "remote link, every option");
	TAP_OK(PARSE(&sp, err, "m6", "remote", "2001:db8::1", "id", "16777215") == 0 &&
	       sp.remote.family == AF_INET6 && sp.remote.len == 16 &&
	       sp.remote.bytes[0] == 0x20 && sp.remote.bytes[15] == 1 &&
	       sp.id == IDMESH_ID_MAX && sp.port == 0,
	       "IPv6 remote, largest id, default port");
	TAP_OK(PARSE(&sp, err, "m0", "remote", "192.0.2.1", "id", "16777216") == -1,
	       "id above 24 bits is refused");
	TAP_STREQ(err, "id 16777216 is out of range [1, 16777215]", "id range message");
	TAP_OK(PARSE(&sp, err, "m0", "remote", "192.0.2.1") == -1, "remote without id");
	TAP_STREQ(err, "a remote link needs \"id ID\"", "missing id message");
	TAP_OK(PARSE(&sp, err, "m0", "remote", "192.0.2.300", "id", "1") == -1,
	       "bad address");
	TAP_STREQ(err, "remote \"192.0.2.300\" is not an IPv4 or IPv6 address",
		  "bad address message");
	TAP_OK(PARSE(&sp, err, "m0", "peer", "x", "remote", "192.0.2.1") == -1,
	       "peer and remote together");
	TAP_STREQ(err, "a link has a peer, a remote or external, one of them", "both message");
	TAP_OK(PARSE(&sp, err, "x0", "external", "id", "1") == 0 && sp.external == 4 &&
	       !sp.remote.family, "external: IPv4 by default, no remote");
	TAP_OK(PARSE(&sp, err, "x0", "external", "inet6", "id", "1", "port", "7000") == 0 &&
	       sp.external == 6 && sp.port == 7000, "external inet6");
	TAP_OK(PARSE(&sp, err, "x0", "external", "local", "2001:db8::1", "id", "1") == 0 &&
	       sp.external == 6, "external: the family of its local address");
	TAP_OK(PARSE(&sp, err, "x0", "external", "inet", "local", "2001:db8::1", "id", "1") == -1,
	       "external inet with an IPv6 local");
	TAP_STREQ(err, "local is not of the family external names", "family message");
	TAP_OK(PARSE(&sp, err, "x0", "external") == -1, "external without id");
	TAP_STREQ(err, "an external link needs \"id ID\"", "external id message");
	TAP_OK(PARSE(&sp, err, "x0", "external", "remote", "192.0.2.1", "id", "1") == -1,
	       "external with a remote");
	TAP_OK(PARSE(&sp, err, "m0", "peer", "x", "id", "5") == -1, "id on a pair");
	TAP_OK(PARSE(&sp, err, "m0", "remote", "192.0.2.1", "id", "1", "netns", "a") == -1,
	       "netns on a remote link");
	TAP_OK(PARSE(&sp, err, "m0", "remote", "192.0.2.1", "id", "1", "port", "0") == -1,
	       "port 0");
	TAP_OK(PARSE(&sp, err, "m0", "remote", "192.0.2.1", "id", "1", "mtu", "67") == -1,
	       "mtu below 68");
	TAP_OK(PARSE(&sp, err, "m0", "peer") == -1, "keyword without value");
	TAP_STREQ(err, "\"peer\" needs a value", "keyword without value message");
	TAP_OK(PARSE(&sp, err, "a-very-long-name-x", "peer", "p") == -1,
	       "name of 16 characters or more");
	TAP_OK(PARSE(&sp, err, "m0", "colour", "blue") == -1, "unknown keyword");
	TAP_STREQ(err, "unknown argument \"colour\"; try \"idmesh link help\"",
		  "unknown keyword message");
	TAP_OK(PARSE(&sp, err, "m0") == -1, "neither peer nor remote");
	return tap_done();
}
