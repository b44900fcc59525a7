// SPDX-License-Identifier: GPL-2.0
/* Unit tests of "idmesh vip" and "idmesh backend" argument parsing. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/idmesh.h>

#include "vip.h"
#include "tap.h"

#define ARGS(...) ((char *[]){ __VA_ARGS__, NULL })
#define NARGS(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))
#define VIP(what, v, used, err, ...) \
	idm_parse_vip(NARGS(__VA_ARGS__), ARGS(__VA_ARGS__), (what), (v), (used), \
		      (err), sizeof(err))
#define BE(b, err, ...) \
	idm_parse_backend(NARGS(__VA_ARGS__), ARGS(__VA_ARGS__), (b), (err), sizeof(err))

int main(void)
{
	struct idm_backend_spec b;
	struct idm_vip_spec v;
	char err[256];
	int used;

	TAP_OK(VIP(IDM_VIP_NEW, &v, &used, err, "10.0.0.100", "port", "80",
		   "proto", "tcp", "table-size", "251", "mode", "tunnel") == 0 &&
	       v.addr.family == AF_INET && v.port == 80 &&
	       v.proto == IPPROTO_TCP && v.table_size == 251 &&
	       v.mode == IDMESH_VIP_MODE_TUNNEL && used == 9,
	       "vip add, every option");
	TAP_OK(VIP(IDM_VIP_ID, &v, &used, err, "2001:db8::100", "proto", "sctp") == 0 &&
	       v.addr.family == AF_INET6 && v.port == 0 &&
	       v.proto == IPPROTO_SCTP && !v.table_size && !v.mode,
	       "IPv6 VIP on every port");
	TAP_OK(VIP(IDM_VIP_ID, &v, &used, err, "10.0.0.1", "proto", "udp",
		   "backend", "10.1.0.1") == 0 && used == 3,
	       "VIP parsing stops at \"backend\"");
	TAP_OK(VIP(IDM_VIP_ID, &v, &used, err, "10.0.0.1", "proto", "17") == 0 &&
	       v.proto == IPPROTO_UDP, "protocol by number");
	TAP_OK(VIP(IDM_VIP_NEW, &v, &used, err, "10.0.0.1", "port", "80") == -1,
	       "protocol is required");
	TAP_STREQ(err, "a VIP needs \"proto tcp|udp|sctp\"", "missing proto message");
	TAP_OK(VIP(IDM_VIP_NEW, &v, &used, err, "10.0.0.1", "proto", "icmp") == -1,
	       "unknown protocol name");
	TAP_STREQ(err, "proto \"icmp\" is not tcp, udp or sctp", "unknown proto message");
	TAP_OK(VIP(IDM_VIP_NEW, &v, &used, err, "10.0.0.1", "proto", "tcp",
		   "port", "0") == -1, "port 0 is refused (leave it out)");
	TAP_STREQ(err, "port 0 is out of range [1, 65535]", "port range message");
	TAP_OK(VIP(IDM_VIP_ID, &v, &used, err, "10.0.0.1", "proto", "tcp",
		   "mode", "nat") == -1, "mode only when adding");
	TAP_STREQ(err, "unknown word \"mode\"", "mode outside add message");
	TAP_OK(VIP(IDM_VIP_NEW, &v, &used, err, "10.0.0.1", "proto", "tcp",
		   "mode", "dsr") == -1, "unknown mode");
	TAP_STREQ(err, "mode \"dsr\" is not nat or tunnel", "unknown mode message");
	TAP_OK(VIP(IDM_VIP_NEW, &v, &used, err, "10.0.0.1", "proto", "tcp",
		   "proto", "udp") == -1, "proto twice");
	TAP_OK(VIP(IDM_VIP_NEW, &v, &used, err, "10.0.0.1", "proto", "tcp",
		   "table-size", "65537", "table-size", "7") == -1, "table-size twice");
	TAP_STREQ(err, "\"table-size\" given twice", "table-size twice message");
	TAP_OK(VIP(IDM_VIP_NEW, &v, &used, err, "vip.example", "proto", "tcp") == -1,
	       "VIP must be an address");
	TAP_STREQ(err, "VIP \"vip.example\" is not an IPv4 or IPv6 address",
		  "bad VIP message");
	TAP_OK(VIP(IDM_VIP_NEW, &v, &used, err, "10.0.0.1", "proto") == -1,
	       "keyword without value");
	TAP_STREQ(err, "\"proto\" needs a value", "missing value message");

	TAP_OK(VIP(IDM_VIP_NEW, &v, &used, err, "10.0.0.1", "proto", "tcp",
		   "affinity", "10800") == 0 && v.has_affinity &&
	       v.affinity == 10800, "vip add with session affinity");
	TAP_OK(VIP(IDM_VIP_NEW, &v, &used, err, "10.0.0.1", "proto", "tcp") == 0 &&
	       !v.has_affinity, "no affinity word: none sent");
	TAP_OK(VIP(IDM_VIP_SET, &v, &used, err, "10.0.0.1", "proto", "tcp",
		   "affinity", "none") == 0 && v.has_affinity && !v.affinity,
	       "vip set affinity none: 0 sent");
	TAP_OK(VIP(IDM_VIP_SET, &v, &used, err, "10.0.0.1", "proto", "tcp",
		   "affinity", "86401") == -1, "affinity past Kubernetes' 86400 s");
	TAP_STREQ(err, "affinity 86401 is out of range [0, 86400]",
		  "affinity range message");
	TAP_OK(VIP(IDM_VIP_SET, &v, &used, err, "10.0.0.1", "proto", "tcp") == -1,
	       "vip set with nothing to set");
	TAP_STREQ(err, "nothing to change: give \"affinity SECONDS|none\"",
		  "nothing to set message");
	TAP_OK(VIP(IDM_VIP_SET, &v, &used, err, "10.0.0.1", "proto", "tcp",
		   "affinity", "60", "mode", "nat") == -1,
	       "vip set cannot change the mode");
	TAP_OK(VIP(IDM_VIP_ID, &v, &used, err, "10.0.0.1", "proto", "tcp",
		   "affinity", "60") == -1, "affinity only when adding or setting");

	TAP_OK(BE(&b, err, "10.1.0.1", "port", "8080", "weight", "0") == 0 &&
	       b.addr.family == AF_INET && b.port == 8080 && b.has_weight &&
	       b.weight == 0, "backend with port and weight 0");
	TAP_OK(BE(&b, err, "2001:db8::7") == 0 && b.addr.family == AF_INET6 &&
	       !b.port && !b.has_weight, "backend address only");
	TAP_OK(BE(&b, err, "10.1.0.1", "weight", "-1") == -1, "negative weight");
	TAP_STREQ(err, "weight \"-1\" is not a number", "negative weight message");
	TAP_OK(BE(&b, err, "10.1.0.1", "weight", "1", "weight", "2") == -1,
	       "weight twice");
	TAP_OK(BE(&b, err, "10.1.0.1", "prio", "2") == -1, "unknown backend word");
	TAP_STREQ(err, "unknown word \"prio\"", "unknown backend word message");
	return tap_done();
}
