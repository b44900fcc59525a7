// SPDX-License-Identifier: GPL-2.0
/* Unit tests of "idmesh sacl" argument parsing. */
#include <sys/socket.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/idmesh.h>

#include "sacl.h"
#include "tap.h"

#define ARGS(...) ((char *[]){ __VA_ARGS__, NULL })
#define NARGS(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))
#define ENTRY(kind, del, s, err, ...) \
	idm_parse_sacl_entry(NARGS(__VA_ARGS__), ARGS(__VA_ARGS__), (kind), (del), \
			     (s), (err), sizeof(err))
#define SETS(s, err, ...) \
	idm_parse_sacl_set(NARGS(__VA_ARGS__), ARGS(__VA_ARGS__), (s), (err), sizeof(err))

int main(void)
{
	struct idm_sacl_spec s;
	char err[256];

	TAP_OK(ENTRY(IDMESH_SACL_KIND_PORT, 0, &s, err, "veth0", "marker") == 0 &&
	       !strcmp(s.dev, "veth0") && s.marker == 1 &&
	       IDM_HAS(&s, IDMESH_SACL_A_MARKER) && IDM_HAS(&s, IDMESH_SACL_A_IFINDEX),
	       "port add DEV marker");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_PORT, 1, &s, err, "veth0", "marker") == -1,
	       "port del takes only the device");
	TAP_STREQ(err, "\"marker\" is for add only: del names the port alone",
		  "... saying so");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_CLIENT, 0, &s, err, "2001:db8::1", "dev", "p1",
		     "id", "0x10") == 0 && s.id == 16 && IDM_HAS(&s, IDMESH_SACL_A_ADDR6) &&
	       !strcmp(s.dev, "p1") && IDM_HAS(&s, IDMESH_SACL_A_IFINDEX) &&
	       !IDM_HAS(&s, IDMESH_SACL_A_LID), "client by address behind its port, hex ID");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_CLIENT, 0, &s, err, "2001:db8::1", "id",
		     "0x10") == -1, "a client address without its port is refused");
	TAP_STREQ(err, "a client's address needs the port it is behind: client ADDR dev DEV id ID",
		  "... saying how to write it");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_CLIENT, 0, &s, err, "2001:db8::1", "dev", "p1",
		     "lid", "3", "id", "1") == -1, "an address and a LID are refused");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_CLIENT, 1, &s, err, "2001:db8::1", "dev", "p1") == 0 &&
	       !strcmp(s.dev, "p1"), "client del by address and port");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_CLIENT, 0, &s, err, "dev", "p1", "lid", "5",
		     "id", "18446744073709551615") == 0 &&
	       s.id == UINT64_MAX && s.lid == 5 && !strcmp(s.dev, "p1") &&
	       !IDM_HAS(&s, IDMESH_SACL_A_ADDR6), "client by marker port and LID, 64-bit ID");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_CLIENT, 0, &s, err, "dev", "p1", "lid", "128",
		     "id", "1") == -1, "LID above 127");
	TAP_STREQ(err, "lid 128 is out of range [0, 127]", "LID range message");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_CLIENT, 0, &s, err, "10.0.0.1", "dev", "p1", "id", "1") == 0 &&
	       IDM_HAS(&s, IDMESH_SACL_A_ADDR6) && s.addr.family == AF_INET &&
	       s.addr.len == 4 && !memcmp(s.addr.bytes, "\x0a\0\0\x01", 4),
	       "IPv4 client: 4 bytes (ADDR4 on the wire)");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_CLIENT, 0, &s, err, "::ffff:10.0.0.1", "id", "1") == -1,
	       "IPv4-mapped client refused");
	TAP_STREQ(err, "client \"::ffff:10.0.0.1\" is not an IPv4 or IPv6 address (IPv4 is written a.b.c.d)",
		  "IPv4-mapped message");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_SERVER, 0, &s, err, "10.0.0.2", "proto", "icmp",
		     "id", "2") == 0 && s.addr.family == AF_INET && s.proto == 1,
	       "IPv4 server, protocol icmp");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_TRUST, 0, &s, err, "dev", "ub") == 0 &&
	       !strcmp(s.dev, "ub") && IDM_HAS(&s, IDMESH_SACL_A_IFINDEX) &&
	       !IDM_HAS(&s, IDMESH_SACL_A_ADDR6), "trust a device");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_TRUST, 0, &s, err, "10.0.0.0/8") == 0 &&
	       s.addr.family == AF_INET && s.plen == 8 &&
	       IDM_HAS(&s, IDMESH_SACL_A_PREFIX_LEN), "trust an IPv4 prefix");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_TRUST, 1, &s, err, "fd00::1") == 0 &&
	       s.addr.family == AF_INET6 && !IDM_HAS(&s, IDMESH_SACL_A_PREFIX_LEN),
	       "trust an address (the whole of it)");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_TRUST, 0, &s, err, "10.0.0.0/33") == -1,
	       "an IPv4 prefix longer than 32 is refused");
	TAP_STREQ(err, "prefix length 33 is out of range [0, 32]", "its message");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_TRUST, 0, &s, err, "dev") == -1,
	       "trust dev without a device is refused");
	TAP_STREQ(err, "trust is \"dev DEV\", or a prefix ADDR[/LEN]", "its message");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_CLIENT, 0, &s, err, "2001:db8::1") == -1,
	       "client without an ID");
	TAP_STREQ(err, "a client needs its SACL id", "missing ID message");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_CLIENT, 1, &s, err, "2001:db8::1") == 0,
	       "client del by address alone");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_CLIENT, 1, &s, err, "2001:db8::1", "id",
		     "1") == -1, "client del with an ID refused");
	TAP_STREQ(err, "\"id\" is for add only: del names the client alone",
		  "... saying so");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_CLIENT, 0, &s, err, "2001:db8::1", "id",
		     "18446744073709551616") == -1, "ID above 64 bits");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_CLIENT, 0, &s, err, "2001:db8::1", "dev", "p1", "id", "0") == 0 &&
	       s.id == 0, "ID 0 is passed on for the kernel to refuse");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_SERVER, 0, &s, err, "2001:db8::2", "proto", "tcp",
		     "port", "80", "id", "200") == 0 && s.proto == IPPROTO_TCP &&
	       s.port == 80 && s.id == 200, "server with protocol and port");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_SERVER, 0, &s, err, "2001:db8::2", "proto",
		     "icmpv6", "id", "3") == 0 && s.proto == IPPROTO_ICMPV6 &&
	       !IDM_HAS(&s, IDMESH_SACL_A_PORT), "server by protocol only");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_SERVER, 0, &s, err, "2001:db8::2", "proto",
		     "gre", "id", "3") == -1, "unknown protocol name");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_RULE, 0, &s, err, "client", "1", "server", "2",
		     "deny", "priority", "65539", "dscp", "46") == 0 &&
	       s.client == 1 && s.server == 2 && s.action == IDMESH_SACL_DENY &&
	       s.priority == 65539 && s.dscp == 46, "rule with every value");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_RULE, 0, &s, err, "client", "1", "server", "2",
		     "dscp", "64") == -1, "DSCP above 63");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_RULE, 0, &s, err, "client", "1", "server", "2",
		     "priority", "1:3") == 0 && s.priority == 0x10003,
	       "priority as a tc class id");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_RULE, 0, &s, err, "client", "1", "server", "2",
		     "priority", "0x10002") == 0 && s.priority == 0x10002,
	       "priority in hex");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_RULE, 0, &s, err, "client", "1", "server", "2",
		     "priority", "1:10000") == -1, "class id minor above 16 bits");
	TAP_STREQ(err, "priority \"1:10000\" is not a 32-bit number or a class id MAJ:MIN",
		  "priority message");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_RULE, 0, &s, err, "client", "1") == -1,
	       "rule without a server");
	TAP_STREQ(err, "a rule needs client ID and server ID", "rule message");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_RULE, 0, &s, err, "client", "0xabcd000000000000/16",
		     "server", "7") == 0 && s.client == 0xabcd000000000000ull &&
	       s.cbits == 16 && IDM_HAS(&s, IDMESH_SACL_A_CLIENT_BITS) &&
	       s.sbits == 64 && !IDM_HAS(&s, IDMESH_SACL_A_SERVER_BITS),
	       "rule for a group of clients: ID/BITS");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_RULE, 1, &s, err, "client", "1", "server",
		     "0x8000000000000000/1") == 0 && s.sbits == 1 &&
	       IDM_HAS(&s, IDMESH_SACL_A_SERVER_BITS),
	       "rule del names the group too");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_RULE, 0, &s, err, "client", "0xabcd/16",
		     "server", "7") == -1, "bits past the prefix length refused");
	TAP_STREQ(err, "client \"0xabcd/16\" has bits set past its prefix length",
		  "... with a message");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_RULE, 0, &s, err, "client", "1", "server",
		     "0/65") == -1, "a prefix length over 64 refused");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_RULE, 1, &s, err, "client", "1", "server", "2",
		     "allow") == -1, "rule del takes only the key");
	TAP_STREQ(err, "\"allow\" is for add only: del names the rule alone",
		  "... saying so");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_RULE, 0, &s, err, "client", "any", "server",
		     "7", "deny") == 0 && s.cbits == 0 && s.client == 0 &&
	       !IDM_HAS(&s, IDMESH_SACL_A_CLIENT_ID) &&
	       IDM_HAS(&s, IDMESH_SACL_A_CLIENT_BITS) && s.sbits == 64,
	       "client any: 0 bits, no ID sent");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_RULE, 0, &s, err, "client", "5", "server",
		     "any", "egress", "deny") == 0 && s.sbits == 0 &&
	       s.dir == IDMESH_SACL_EGRESS && IDM_HAS(&s, IDMESH_SACL_A_DIRECTION),
	       "egress rule to any server");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_RULE, 0, &s, err, "client", "5", "server",
		     "7", "ports", "tcp:80,udp:53-60,sctp") == 0 && s.nranges == 3 &&
	       s.ranges[0].proto == IPPROTO_TCP && s.ranges[0].lo == 80 &&
	       s.ranges[0].hi == 80 && s.ranges[1].lo == 53 && s.ranges[1].hi == 60 &&
	       s.ranges[2].proto == IPPROTO_SCTP && s.ranges[2].lo == 1 &&
	       s.ranges[2].hi == 65535, "ports: a port, a range, a whole protocol");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_RULE, 0, &s, err, "client", "5", "server",
		     "7", "ports", "tcp:90-80") == -1, "a range that ends first");
	TAP_STREQ(err, "port range 90-80 ends before it starts", "... with a message");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_RULE, 0, &s, err, "client", "5", "server",
		     "7", "ports", "icmp") == -1, "ports of a protocol without any");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_RULE, 0, &s, err, "client", "5", "server",
		     "7", "egress", "priority", "3") == -1, "egress with a priority");
	TAP_STREQ(err, "an egress rule allows or denies: priority and dscp are an ingress rule's",
		  "... with a message");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_RULE, 1, &s, err, "client", "5", "server",
		     "any", "egress") == 0 && s.dir == IDMESH_SACL_EGRESS,
	       "rule del names the direction: part of the key");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_RULE, 1, &s, err, "client", "5", "server",
		     "7", "ports", "tcp") == -1, "rule del takes no ports");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_PEER, 0, &s, err, "10.0.0.0/8", "id", "9") == 0 &&
	       s.addr.family == AF_INET && s.plen == 8 && s.id == 9 &&
	       IDM_HAS(&s, IDMESH_SACL_A_PREFIX_LEN) && IDM_HAS(&s, IDMESH_SACL_A_ID),
	       "peer add PREFIX id ID");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_PEER, 0, &s, err, "fd00::/8") == -1,
	       "a peer needs its id");
	TAP_STREQ(err, "a peer is ADDR[/LEN] id ID", "... with a message");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_PEER, 0, &s, err, "10.0.0.0/33", "id", "9") == -1,
	       "an IPv4 peer of 33 bits");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_PEER, 1, &s, err, "10.0.0.0/8") == 0 &&
	       !IDM_HAS(&s, IDMESH_SACL_A_ID), "peer del names the prefix alone");
	TAP_OK(ENTRY(IDMESH_SACL_KIND_PEER, 1, &s, err, "10.0.0.0/8", "id", "9") == -1,
	       "peer del takes no id");
	TAP_OK(SETS(&s, err, "option-type", "0x3e", "default", "deny", "marker", "on") == 0 &&
	       s.opt_type == 0x3e && s.def_action == IDMESH_SACL_DENY && s.marker == 1,
	       "set every setting");
	TAP_OK(SETS(&s, err, "option-type", "0x5e") == 0 && s.opt_type == 0x5e,
	       "option type with action bits 01 is passed on for the kernel to refuse");
	TAP_OK(SETS(&s, err, "option-type", "256") == -1, "option type above a byte");
	TAP_OK(SETS(&s, err, "default", "drop") == -1, "default is allow or deny");
	TAP_STREQ(err, "default \"drop\" is not allow or deny", "default message");
	return tap_done();
}
