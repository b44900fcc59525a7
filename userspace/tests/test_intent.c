// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the identity controller (idmesh apply, idmesh sim), on
 * the host: selectors, Services, SACL IDs, rules, the diff, the entry
 * counts of Acila §7.1.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/idmesh.h>

#include "intent.h"
#include "siphash.h"
#include "sim.h"
#include "tap.h"
#include "yaml.h"

static char err[512];

/* Parse and derive text; 0 on success (err says why not). */
static int load(const char *text, struct idm_intent *in)
{
	if (idm_intent_parse("t.json", text, strlen(text), in, err, sizeof(err)))
		return -1;
	return idm_intent_derive(in, err, sizeof(err));
}

static const struct idm_service *svc_of(const struct idm_intent *in,
					const char *workload)
{
	size_t i;

	for (i = 0; i < in->nworkloads; i++)
		if (!strcmp(in->workloads[i].name, workload))
			return &in->services[in->workloads[i].service];
	return NULL;
}

static void test_siphash(void)
{
	uint8_t key[16], msg[15];
	int i;

	for (i = 0; i < 16; i++)
		key[i] = i;
	for (i = 0; i < 15; i++)
		msg[i] = i;
	/* The reference vectors of the SipHash paper (appendix A). */
	TAP_OK(idm_siphash(key, msg, 15) == 0xa129ca6149be45e5ull,
	       "siphash-2-4: the paper's 15-byte vector");
	TAP_OK(idm_siphash(key, msg, 0) == 0x726fdb47dd0e0e31ull,
	       "siphash-2-4: the empty message");
	TAP_OK(idm_siphash(key, msg, 8) == 0x93f5f5799a932462ull,
	       "siphash-2-4: a whole word and an empty tail");
}

static void test_selectors(void)
{
	struct idm_label lv[] = { { "app", "web" }, { "tier", "front" } };
	struct idm_labels l = { lv, 2 };
	char *web[] = { "web" }, *dbs[] = { "db", "cache" }, *x[] = { "x" };
	struct idm_selector in_web = { "app", false, web, 1 };
	struct idm_selector in_db = { "app", false, dbs, 2 };
	struct idm_selector notin_db = { "app", true, dbs, 2 };
	struct idm_selector in_missing = { "zone", false, x, 1 };
	struct idm_selector notin_missing = { "zone", true, x, 1 };
	struct idm_selector both[] = { in_web, notin_missing };
	struct idm_selector mixed[] = { in_web, in_db };

	TAP_OK(idm_selects(&in_web, 1, &l), "selector: in matches a listed value");
	TAP_OK(!idm_selects(&in_db, 1, &l), "selector: in refuses a value not listed");
	TAP_OK(idm_selects(&notin_db, 1, &l), "selector: not_in matches a value not listed");
	TAP_OK(!idm_selects(&notin_db, 1, &(struct idm_labels){
		(struct idm_label[]){ { "app", "cache" } }, 1 }),
	       "selector: not_in refuses a listed value");
	TAP_OK(!idm_selects(&in_missing, 1, &l), "selector: in refuses labels without the key");
	TAP_OK(idm_selects(&notin_missing, 1, &l),
	       "selector: not_in matches labels without the key (as Kubernetes' NotIn)");
	TAP_OK(idm_selects(both, 2, &l), "selectors: ANDed, all true");
	TAP_OK(!idm_selects(mixed, 2, &l), "selectors: ANDed, one false refuses");
}

static const char *four =
	"{\"workloads\": ["
	" {\"name\": \"web-1\", \"address\": \"fd10::1\", \"labels\": {\"app\": \"web\", \"pod\": \"web-1\"}},"
	" {\"name\": \"web-2\", \"address\": \"fd10::2\", \"labels\": {\"pod\": \"web-2\", \"app\": \"web\"}},"
	" {\"name\": \"db-1\", \"address\": \"fd20::1\", \"labels\": {\"app\": \"db\"}},"
	" {\"name\": \"db-2\", \"address\": \"fd20::2\", \"labels\": {\"app\": \"db\"}}]%s}";

static void test_services(void)
{
	struct idm_intent a, b;
	char text[1024];

	snprintf(text, sizeof(text), four, "");
	TAP_OK(!load(text, &a), "four workloads derive (%s)", err);
	TAP_OK(a.nservices == 3, "without service-keys every distinct label set is a Service (3)");
	TAP_OK(svc_of(&a, "db-1") == svc_of(&a, "db-2"),
	       "workloads with identical labels share a Service");
	TAP_OK(svc_of(&a, "web-1") != svc_of(&a, "web-2"),
	       "a label such as the pod's name makes a Service of its own");
	TAP_STREQ(svc_of(&a, "web-2")->name, "app=web,pod=web-2",
		  "a Service's name: its labels in key order");
	snprintf(text, sizeof(text), four, ", \"service-keys\": [\"app\"]");
	TAP_OK(!load(text, &b), "with service-keys (%s)", err);
	TAP_OK(b.nservices == 2 && svc_of(&b, "web-1") == svc_of(&b, "web-2"),
	       "service-keys [app]: the two web workloads share one Service (2 in all)");
	TAP_STREQ(svc_of(&b, "web-1")->name, "app=web", "... named by the keys that count");
	TAP_OK(svc_of(&a, "db-1")->id == svc_of(&b, "db-1")->id,
	       "a Service whose labels all count has the same ID either way");
	idm_intent_free(&a);
	idm_intent_free(&b);
}

static void test_ids(void)
{
	const char *x =
		"{\"workloads\": ["
		" {\"name\": \"a\", \"address\": \"fd10::1\", \"labels\": {\"app\": \"web\", \"tier\": \"front\"}},"
		" {\"name\": \"b\", \"address\": \"fd20::1\", \"labels\": {\"app\": \"db\"}}]}";
	const char *y =
		"{\"workloads\": ["
		" {\"name\": \"b2\", \"address\": \"fd20::9\", \"labels\": {\"app\": \"db\"}},"
		" {\"name\": \"a2\", \"address\": \"fd10::9\", \"labels\": {\"tier\": \"front\", \"app\": \"web\"}}]}";
	const char *keyed =
		"{\"ids\": {\"key\": \"000102030405060708090a0b0c0d0e0f\"}, \"workloads\": ["
		" {\"name\": \"b\", \"address\": \"fd20::1\", \"labels\": {\"app\": \"db\"}}]}";
	struct idm_intent a, b, c;

	TAP_OK(!load(x, &a) && !load(y, &b) && !load(keyed, &c), "three intents derive (%s)", err);
	TAP_OK(svc_of(&a, "a")->id == svc_of(&b, "a2")->id &&
	       svc_of(&a, "b")->id == svc_of(&b, "b2")->id,
	       "IDs do not depend on the order of workloads, of labels, or on addresses");
	/*
	 * The same ID on every node and in every version: a node with another
	 * ID would tag traffic other nodes' rules do not know.
	 */
	TAP_OK(svc_of(&a, "b")->id == 0x75dc1a8357f78227ull,
	       "{app=db} has the ID it always had with the default key (0x%016" PRIx64 ")",
	       svc_of(&a, "b")->id);
	TAP_OK(svc_of(&c, "b")->id != svc_of(&a, "b")->id,
	       "another ids.key gives other IDs");
	idm_intent_free(&a);
	idm_intent_free(&b);
	idm_intent_free(&c);
}

/* n workloads, each its own Service, all with label g=same. */
static char *many(unsigned int n, const char *ids)
{
	size_t cap = 128 + (size_t)n * 100, len;
	char *t = malloc(cap);
	unsigned int i;

	len = snprintf(t, cap, "{%s \"workloads\": [", ids);
	for (i = 0; i < n; i++)
		len += snprintf(t + len, cap - len,
				"%s{\"name\": \"w%u\", \"address\": \"fd00::%x:%x\", \"labels\": {\"g\": \"same\", \"h\": \"same\", \"n\": \"%u\"}}",
				i ? "," : "", i, i >> 16, i & 0xffff, i);
	snprintf(t + len, cap - len, "]}");
	return t;
}

static void test_collisions(void)
{
	struct idm_intent in;
	char *t;
	int ret;

	/* 48 bits from g, which all share: 16 bits for 65537 Services. */
	t = many(65537, "\"ids\": {\"structured\": [{\"label\": \"g\", \"bits\": 32},"
		 " {\"label\": \"n\", \"bits\": 16}]},");
	ret = load(t, &in);
	free(t);
	TAP_OK(ret && strstr(err, "bits"),
	       "structured: 65537 values of a 16-bit field cannot all differ: refused (%s)", err);
	idm_intent_free(&in);
	t = many(65537, "\"ids\": {\"structured\": [{\"label\": \"g\", \"bits\": 32},"
		 " {\"label\": \"h\", \"bits\": 16}]},");
	ret = load(t, &in);
	free(t);
	TAP_OK(ret && strstr(err, "have the same SACL ID") && strstr(err, "choose another ids.key"),
	       "65537 Services in 16 bits of ID: the collision is refused, not merged (%.120s)", err);
	idm_intent_free(&in);
	t = many(2000, "");
	ret = load(t, &in);
	free(t);
	TAP_OK(!ret && in.nservices == 2000,
	       "2000 Services in 64 bits: no collision, 2000 IDs");
	idm_intent_free(&in);
}

static void test_structured(void)
{
	const char *t =
		"{\"ids\": {\"structured\": [{\"label\": \"tenant\", \"bits\": 16}]}, \"workloads\": ["
		" {\"name\": \"a\", \"address\": \"fd10::1\", \"labels\": {\"tenant\": \"red\", \"app\": \"web\"}},"
		" {\"name\": \"b\", \"address\": \"fd10::2\", \"labels\": {\"tenant\": \"red\", \"app\": \"db\"}},"
		" {\"name\": \"c\", \"address\": \"fd10::3\", \"labels\": {\"tenant\": \"blue\", \"app\": \"web\"}},"
		" {\"name\": \"d\", \"address\": \"fd10::4\", \"labels\": {\"app\": \"web\"}}]}";
	struct idm_intent in;
	uint64_t a, b, c, d;

	TAP_OK(!load(t, &in), "structured IDs derive (%s)", err);
	a = svc_of(&in, "a")->id;
	b = svc_of(&in, "b")->id;
	c = svc_of(&in, "c")->id;
	d = svc_of(&in, "d")->id;
	TAP_OK(a >> 48 == b >> 48 && a != b,
	       "one tenant's Services share the top 16 bits (0x%04" PRIx64 "), not the ID", a >> 48);
	TAP_OK(a >> 48 != c >> 48 && c >> 48 != d >> 48 && a >> 48 != d >> 48,
	       "other tenants, and no tenant, have other top bits");
	idm_intent_free(&in);
}

static void test_rules(void)
{
	const char *t =
		"{\"workloads\": ["
		" {\"name\": \"w1\", \"address\": \"fd10::1\", \"labels\": {\"app\": \"web\", \"env\": \"prod\"}},"
		" {\"name\": \"w2\", \"address\": \"fd10::2\", \"labels\": {\"app\": \"web\", \"env\": \"dev\"}},"
		" {\"name\": \"d1\", \"address\": \"fd20::1\", \"labels\": {\"app\": \"db\", \"env\": \"prod\"}},"
		" {\"name\": \"d2\", \"address\": \"fd20::2\", \"labels\": {\"app\": \"db\", \"env\": \"dev\"}}],"
		" \"policies\": ["
		" {\"name\": \"p\", \"client\": [{\"key\": \"app\", \"operator\": \"in\", \"values\": [\"web\"]}],"
		"  \"server\": [{\"key\": \"app\", \"operator\": \"in\", \"values\": [\"db\"]},"
		"              {\"key\": \"env\", \"operator\": \"not_in\", \"values\": [\"dev\"]}],"
		"  \"priority\": \"1:3\"},"
		" {\"name\": \"same\", \"client\": [{\"key\": \"env\", \"operator\": \"in\", \"values\": [\"prod\"]}],"
		"  \"server\": [{\"key\": \"env\", \"operator\": \"in\", \"values\": [\"prod\"]}, {\"key\": \"app\", \"operator\": \"in\", \"values\": [\"db\"]}],"
		"  \"priority\": 65539}]}";
	struct idm_intent in;
	size_t i, n = 0;

	TAP_OK(!load(t, &in), "policies derive (%s)", err);
	for (i = 0; i < in.nrules; i++)
		if (in.rules[i].s.id == svc_of(&in, "d1")->id && in.rules[i].s.bits == 64 &&
		    in.rules[i].priority == 0x10003 && in.rules[i].has_priority)
			n++;
	/* p: {web,prod} and {web,dev} -> {db,prod}; same: {web,prod} and {db,prod} -> {db,prod}. */
	TAP_OK(in.nrules == 3 && n == 3,
	       "policies expand to every (client, server) Service pair they select: 3 rules, the pair both name with the same values merged");
	idm_intent_free(&in);
}

static void test_group_rules(void)
{
	const char *t =
		"{\"ids\": {\"structured\": [{\"label\": \"tenant\", \"bits\": 16}]}, \"workloads\": ["
		" {\"name\": \"a\", \"address\": \"fd10::1\", \"labels\": {\"tenant\": \"red\", \"app\": \"web\"}},"
		" {\"name\": \"b\", \"address\": \"fd10::2\", \"labels\": {\"tenant\": \"red\", \"app\": \"db\"}},"
		" {\"name\": \"c\", \"address\": \"fd10::3\", \"labels\": {\"tenant\": \"blue\", \"app\": \"db\"}}],"
		" \"policies\": ["
		" {\"name\": \"red\", \"client\": [{\"key\": \"tenant\", \"operator\": \"in\", \"values\": [\"red\"]}],"
		"  \"server\": [{\"key\": \"tenant\", \"operator\": \"in\", \"values\": [\"red\"]}]},"
		" {\"name\": \"db\", \"client\": [{\"key\": \"tenant\", \"operator\": \"in\", \"values\": [\"blue\", \"green\"]}],"
		"  \"server\": [{\"key\": \"app\", \"operator\": \"in\", \"values\": [\"db\"]}], \"action\": \"deny\"}]}";
	struct idm_intent in;
	size_t i, groups = 0, mixed = 0;
	uint64_t red;
	char buf[256];
	struct idm_sacl_tables st;

	TAP_OK(!load(t, &in), "group rules derive (%s)", err);
	red = svc_of(&in, "a")->id & ~0ull << 48;
	for (i = 0; i < in.nrules; i++) {
		const struct idm_rule *r = &in.rules[i];

		if (r->c.bits == 16 && r->s.bits == 16 && r->c.id == red && r->s.id == red)
			groups++;
		if (r->c.bits == 16 && r->s.bits == 64)
			mixed++;
	}
	TAP_OK(groups == 1,
	       "tenant in [red] -> tenant in [red]: one rule for the group, red's 16 bits on both sides");
	TAP_OK(mixed == 4 && in.nrules == 5,
	       "blue, green (no Service yet) -> each app=db Service: 2 x 2 rules, the client side a group");
	idm_intent_state(&in, &st, NULL, 0);
	for (i = 0; i < st.n; i++)
		if (st.e[i].kind == IDMESH_SACL_KIND_RULE && st.e[i].cbits == 16 &&
		    st.e[i].sbits == 16)
			idm_sacl_row_format(&st.e[i], buf, sizeof(buf));
	snprintf(err, sizeof(err), "rule client 0x%016" PRIx64 "/16 server 0x%016" PRIx64 "/16 allow",
		 red, red);
	TAP_STREQ(buf, err, "a group rule is written with its prefix lengths");
	idm_sacl_tables_free(&st);
	idm_intent_free(&in);
}

/* Has the node's tables an entry written so? */
static bool has_row(const struct idm_sacl_tables *st, const char *want)
{
	char buf[256];
	size_t i;

	for (i = 0; i < st->n; i++) {
		idm_sacl_row_format(&st->e[i], buf, sizeof(buf));
		if (!strcmp(buf, want))
			return true;
	}
	printf("#   no \"%s\"\n", want);
	return false;
}

static uint64_t peer_of(const struct idm_sacl_tables *st, const char *prefix)
{
	char buf[256], want[64];
	size_t i;

	snprintf(want, sizeof(want), "peer %s id ", prefix);
	for (i = 0; i < st->n; i++) {
		idm_sacl_row_format(&st->e[i], buf, sizeof(buf));
		if (!strncmp(buf, want, strlen(want)))
			return strtoull(buf + strlen(want), NULL, 16);
	}
	return 0;
}

static int count(const struct idm_sacl_op *ops, long n, bool add, int kind);

#define SEL(k, op, v) "[{\"key\": \"" k "\", \"operator\": \"" op "\"" v "}]"

static void test_policy_kinds(void)
{
	const char *t =
		"{\"workloads\": ["
		" {\"name\": \"a\", \"address\": \"10.2.0.1\", \"labels\": {\"app\": \"a\"}, \"named-ports\": {\"http\": \"tcp:8080\"}},"
		" {\"name\": \"b\", \"address\": \"10.2.0.2\", \"labels\": {\"app\": \"b\"}, \"named-ports\": {\"http\": \"tcp:9090\"}},"
		" {\"name\": \"c\", \"address\": \"10.2.0.3\", \"labels\": {\"app\": \"c\"}}],"
		" \"policies\": ["
		" {\"name\": \"iso\", \"client\": \"any\", \"server\": " SEL("app", "in", ", \"values\": [\"a\"]") ", \"action\": \"deny\"},"
		" {\"name\": \"b-a\", \"client\": " SEL("app", "in", ", \"values\": [\"b\"]") ", \"server\": " SEL("app", "in", ", \"values\": [\"a\"]") ","
		"  \"ports\": [\"tcp:http\", \"udp:53\"]},"
		" {\"name\": \"b-a2\", \"client\": " SEL("app", "in", ", \"values\": [\"b\"]") ", \"server\": " SEL("app", "in", ", \"values\": [\"a\"]") ","
		"  \"ports\": [\"tcp:8081\"]},"
		" {\"name\": \"world\", \"client\": \"every\", \"server\": " SEL("app", "in", ", \"values\": [\"a\"]") ", \"ports\": [\"tcp:443\"]},"
		" {\"name\": \"block\", \"client\": {\"cidr\": \"10.0.0.0/8\", \"except\": [\"10.1.0.0/16\"]},"
		"  \"server\": " SEL("app", "in", ", \"values\": [\"a\"]") ", \"ports\": [\"tcp:22\"]},"
		" {\"name\": \"b-out\", \"direction\": \"egress\", \"client\": " SEL("app", "in", ", \"values\": [\"b\"]") ", \"server\": \"any\", \"action\": \"deny\"},"
		" {\"name\": \"b-http\", \"direction\": \"egress\", \"client\": " SEL("app", "in", ", \"values\": [\"b\"]") ", \"server\": " SEL("app", "exists", "") ","
		"  \"ports\": [\"tcp:http\"]},"
		" {\"name\": \"b-named\", \"direction\": \"egress\", \"client\": " SEL("app", "in", ", \"values\": [\"b\"]") ", \"server\": \"every\","
		"  \"ports\": [\"tcp:http\", \"udp:53\"]},"
		" {\"name\": \"none\", \"client\": " SEL("app", "does_not_exist", "") ", \"server\": \"any\", \"action\": \"deny\"}]}";
	struct idm_sacl_tables st;
	struct idm_intent in;
	uint64_t a, b, c, p8, p16, w4, w6;
	char want[256], want2[256];
	size_t i, egress = 0;

	TAP_OK(!load(t, &in), "policies of every kind derive (%s)", err);
	a = svc_of(&in, "a")->id;
	b = svc_of(&in, "b")->id;
	c = svc_of(&in, "c")->id;
	idm_intent_state(&in, &st, NULL, 0);
	snprintf(want, sizeof(want), "rule client any server 0x%016" PRIx64 " deny", a);
	TAP_OK(has_row(&st, want), "\"any\": a rule of 0 bits isolates a");
	snprintf(want, sizeof(want), "rule client 0x%016" PRIx64 " server 0x%016" PRIx64 " allow ports tcp:8080-8081,udp:53",
		 b, a);
	TAP_OK(has_row(&st, want),
	       "two policies on one pair join their ports; a named port is the server's number (http = 8080 on a)");
	snprintf(want, sizeof(want), "rule client 0x0000000000000000/1 server 0x%016" PRIx64 " allow ports tcp:443", a);
	TAP_OK(has_row(&st, want), "\"every\": the lower half of the IDs ...");
	snprintf(want, sizeof(want), "rule client 0x8000000000000000/1 server 0x%016" PRIx64 " allow ports tcp:443", a);
	TAP_OK(has_row(&st, want), "... and the upper half");
	p8 = peer_of(&st, "10.0.0.0/8");
	p16 = peer_of(&st, "10.1.0.0/16");
	w4 = peer_of(&st, "0.0.0.0/0");
	w6 = peer_of(&st, "::/0");
	TAP_OK(p8 && p16 && w4 && w6 && p8 != p16 && w4 != w6 && p8 != w4,
	       "the cidr, its except and the whole of IPv4 and IPv6 are peers with IDs of their own");
	snprintf(want, sizeof(want), "rule client 0x%016" PRIx64 " server 0x%016" PRIx64 " allow ports tcp:22", p8, a);
	TAP_OK(has_row(&st, want), "a cidr allows its own peer");
	for (i = 0; i < in.nrules; i++)
		if (in.rules[i].c.id == p16 || in.rules[i].c.id == w4 || in.rules[i].c.id == w6)
			break;
	TAP_OK(i == in.nrules, "... and neither its except nor what is outside it");
	snprintf(want, sizeof(want), "rule client 0x%016" PRIx64 " server any egress deny", b);
	TAP_OK(has_row(&st, want), "an egress policy: the rule's direction");
	snprintf(want, sizeof(want), "rule client 0x%016" PRIx64 " server 0x%016" PRIx64 " egress allow ports tcp:9090", b, b);
	TAP_OK(has_row(&st, want), "egress named ports resolve per server Service (http = 9090 on b)");
	for (i = 0; i < in.nrules; i++)
		if (in.rules[i].dir == IDMESH_SACL_EGRESS && in.rules[i].s.id == c)
			egress++;
	TAP_OK(egress == 0, "a server Service without the name gets no rule");
	snprintf(want, sizeof(want), "rule client 0x%016" PRIx64 " server 0x0000000000000000/1 egress allow ports udp:53", b);
	snprintf(want2, sizeof(want2), "rule client 0x%016" PRIx64 " server 0x8000000000000000/1 egress allow ports udp:53", b);
	TAP_OK(has_row(&st, want) && has_row(&st, want2),
	       "towards \"every\", the numbered ports go to both halves");
	snprintf(want, sizeof(want), "rule client 0x%016" PRIx64 " server 0x%016" PRIx64 " egress allow ports tcp:8080", b, a);
	TAP_OK(has_row(&st, want), "and each Service with the name gets its own number");
	for (i = 0; i < in.nrules; i++)
		if (in.rules[i].policy == in.npolicies - 1)
			break;
	TAP_OK(i == in.nrules, "does_not_exist on a label every Service has selects none");
	{
		struct idm_sacl_tables none = { 0 };
		struct idm_sacl_op *ops = NULL;
		long n = idm_sacl_diff(&none, &st, &ops);
		long k, first_rule = n, last_peer = -1;

		for (k = 0; k < n; k++) {
			if (ops[k].e.kind == IDMESH_SACL_KIND_RULE && first_rule == n)
				first_rule = k;
			if (ops[k].e.kind == IDMESH_SACL_KIND_PEER)
				last_peer = k;
		}
		TAP_OK(count(ops, n, true, IDMESH_SACL_KIND_PEER) == 4 && last_peer < first_rule,
		       "applied to an empty node: the 4 peers are added, before the rules");
		free(ops);
		n = idm_sacl_diff(&st, &none, &ops);
		TAP_OK(count(ops, n, false, IDMESH_SACL_KIND_PEER) == 4,
		       "and an intent without them removes them");
		free(ops);
	}
	idm_sacl_tables_free(&st);
	idm_intent_free(&in);
}

static void test_policy_ipv6(void)
{
	const char *t =
		"{\"workloads\": ["
		" {\"name\": \"a\", \"address\": \"fd10::1\", \"labels\": {\"app\": \"a\"}}],"
		" \"policies\": ["
		" {\"name\": \"iso\", \"client\": \"any\", \"server\": " SEL("app", "in", ", \"values\": [\"a\"]") ", \"action\": \"deny\"},"
		" {\"name\": \"v6\", \"client\": {\"cidr\": \"2001:db8::/32\", \"except\": [\"2001:db8:1::/48\"]},"
		"  \"server\": " SEL("app", "in", ", \"values\": [\"a\"]") "},"
		" {\"name\": \"v4\", \"client\": {\"cidr\": \"192.0.2.0/24\"},"
		"  \"server\": " SEL("app", "in", ", \"values\": [\"a\"]") "}]}";
	struct idm_sacl_tables st;
	struct idm_intent in;
	struct idm_addr x;
	const struct idm_workload *w;
	const struct idm_peer *peer;
	uint64_t a, p32, p48, p24, w6;
	char want[256];

	TAP_OK(!load(t, &in), "IPv6 and IPv4 CIDRs derive (%s)", err);
	a = svc_of(&in, "a")->id;
	idm_intent_state(&in, &st, NULL, 0);
	p32 = peer_of(&st, "2001:db8::/32");
	p48 = peer_of(&st, "2001:db8:1::/48");
	p24 = peer_of(&st, "192.0.2.0/24");
	w6 = peer_of(&st, "::/0");
	TAP_OK(p32 && p48 && p24 && w6 && peer_of(&st, "0.0.0.0/0"),
	       "IPv6 peers beside IPv4 ones, each family's whole space too");
	snprintf(want, sizeof(want), "rule client 0x%016" PRIx64 " server 0x%016" PRIx64 " allow", p32, a);
	TAP_OK(has_row(&st, want), "an IPv6 cidr allows its own peer");
	idm_parse_addr("2001:db8:1::5", &x);
	TAP_OK(idm_intent_addr_id(&in, &x, true, &w, &peer) == p48 && !w,
	       "an address in the except has the except's ID (longest prefix)");
	idm_parse_addr("2001:db8:2::5", &x);
	TAP_OK(idm_intent_addr_id(&in, &x, true, &w, &peer) == p32 &&
	       idm_intent_judge(&in, IDMESH_SACL_INGRESS, p32, a, IPPROTO_TCP, 80) >= 0 &&
	       in.rules[idm_intent_judge(&in, IDMESH_SACL_INGRESS, p32, a, IPPROTO_TCP, 80)].action ==
	       IDMESH_SACL_ALLOW,
	       "one in the rest of the block is allowed");
	idm_parse_addr("2001:db8:1::5", &x);
	TAP_OK(in.rules[idm_intent_judge(&in, IDMESH_SACL_INGRESS, p48, a, IPPROTO_TCP, 80)].action ==
	       IDMESH_SACL_DENY, "one in the except is denied (the isolating rule)");
	idm_parse_addr("192.0.2.7", &x);
	TAP_OK(idm_intent_addr_id(&in, &x, true, &w, &peer) == p24,
	       "an IPv4 address is in its IPv4 prefix, never in ::/0");
	idm_sacl_tables_free(&st);
	idm_intent_free(&in);
}

static struct idm_sacl_row *find(struct idm_sacl_tables *st, int kind, const char *what)
{
	char buf[256];
	size_t i;

	for (i = 0; i < st->n; i++) {
		idm_sacl_row_format(&st->e[i], buf, sizeof(buf));
		if (st->e[i].kind == kind && strstr(buf, what))
			return &st->e[i];
	}
	return NULL;
}

static int count(const struct idm_sacl_op *ops, long n, bool add, int kind)
{
	int c = 0;
	long i;

	for (i = 0; i < n; i++)
		c += ops[i].add == add && ops[i].e.kind == kind;
	return c;
}

static void test_diff(void)
{
	static const char *fmt =
		"{\"ports\": [\"c1\", {\"dev\": \"m1\", \"marker\": %s}], \"workloads\": ["
		" {\"name\": \"c\", \"address\": \"fd10::1\", \"dev\": \"c1\", \"labels\": {\"app\": \"%s\"}},"
		" {\"name\": \"j\", \"dev\": \"m1\", \"lid\": 5, \"labels\": {\"app\": \"job\"}},"
		" {\"name\": \"s\", \"address\": \"fd20::1\", \"protocol\": \"tcp\", \"port\": 80, \"labels\": {\"app\": \"db\"}}],"
		" \"policies\": [{\"client\": [{\"key\": \"app\", \"operator\": \"in\", \"values\": [\"web\", \"job\"]}],"
		"  \"server\": [{\"key\": \"app\", \"operator\": \"in\", \"values\": [\"db\"]}]}]}";
	struct idm_intent a, b, m;
	struct idm_sacl_tables sa, sb;
	struct idm_sacl_op *ops;
	char text[2048];
	long n, i;
	bool ordered = true;

	snprintf(text, sizeof(text), fmt, "true", "web");
	TAP_OK(!load(text, &a), "diff: intent a (%s)", err);
	snprintf(text, sizeof(text), fmt, "true", "shop");
	TAP_OK(!load(text, &b), "diff: intent b, one label changed (%s)", err);
	snprintf(text, sizeof(text), fmt, "false", "web");
	idm_intent_parse("t.json", text, strlen(text), &m, err, sizeof(err));
	TAP_OK(strstr(err, "lid: port \"m1\" is not a marker port") != NULL,
	       "a LID on a port that is not a marker port is refused (%s)", err);
	idm_intent_free(&m);
	idm_intent_state(&a, &sa, NULL, 0);
	idm_intent_state(&b, &sb, NULL, 0);
	TAP_OK(sa.n == 2 + 2 + 2 + 2,
	       "the tables: 2 ports, 2 clients (this node's), 2 servers (with an address), 2 rules");
	TAP_OK(find(&sa, IDMESH_SACL_KIND_CLIENT, "client dev m1 lid 5") &&
	       !find(&sa, IDMESH_SACL_KIND_CLIENT, "fd20::1"),
	       "a LID client by its marker port; no client entry for a workload of another node");
	n = idm_sacl_diff(&sa, &sa, &ops);
	TAP_OK(n == 0, "the same state again: no change");
	free(ops);
	n = idm_sacl_diff(&sa, &sb, &ops);
	/* c's client and server entries change ID; its rule goes (web -> shop). */
	TAP_OK(n == 5 && count(ops, n, false, IDMESH_SACL_KIND_CLIENT) == 1 &&
	       count(ops, n, true, IDMESH_SACL_KIND_CLIENT) == 1 &&
	       count(ops, n, false, IDMESH_SACL_KIND_SERVER) == 1 &&
	       count(ops, n, true, IDMESH_SACL_KIND_SERVER) == 1 &&
	       count(ops, n, false, IDMESH_SACL_KIND_RULE) == 1,
	       "one label changed: exactly its workload's two entries re-keyed and its rule removed (%ld changes)", n);
	for (i = 1; i < n; i++)
		if (ops[i - 1].add && !ops[i].add)
			ordered = false;
	TAP_OK(ordered && ops[0].e.kind == IDMESH_SACL_KIND_RULE,
	       "removals first, rules before the entries they name");
	free(ops);
	/* m1 without the marker: the port is re-created, its LID client too. */
	for (i = 0; i < (long)sb.n; i++)
		if (sb.e[i].kind == IDMESH_SACL_KIND_PORT && !strcmp(sb.e[i].dev, "m1"))
			sb.e[i].marker = 0;
	n = idm_sacl_diff(&sa, &sb, &ops);
	TAP_OK(count(ops, n, false, IDMESH_SACL_KIND_PORT) == 1 &&
	       count(ops, n, true, IDMESH_SACL_KIND_PORT) == 1 &&
	       count(ops, n, false, IDMESH_SACL_KIND_CLIENT) == 2 &&
	       count(ops, n, true, IDMESH_SACL_KIND_CLIENT) == 2,
	       "a port re-created: its unchanged LID client is removed and added again with it");
	for (i = 0; i < n; i++)
		if (ops[i].add && ops[i].e.kind == IDMESH_SACL_KIND_CLIENT)
			break;
	TAP_OK(i < n && i > 0 && ops[i - 1].add && ops[i - 1].e.kind == IDMESH_SACL_KIND_PORT,
	       "... the port is added before its clients");
	free(ops);
	idm_sacl_tables_free(&sa);
	idm_sacl_tables_free(&sb);
	idm_intent_free(&a);
	idm_intent_free(&b);
}

static void test_errors(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "{\"workloads\": [{\"name\": \"a\", \"address\": \"fd00::1\", \"labels\": {\"x\": 1}}]}",
		  "t.json: workloads[0].labels.x: expected a string, got a number" },
		{ "{\"workloads\": [{\"name\": \"a\", \"adress\": \"fd00::1\", \"labels\": {}}]}",
		  "t.json: workloads[0].adress: unknown key" },
		{ "{\"workloads\": [{\"name\": \"a\", \"address\": \"10.0.0.256\", \"labels\": {}}]}",
		  "t.json: workloads[0].address: \"10.0.0.256\" is not an IPv4 or IPv6 address" },
		{ "{\"workloads\": [{\"name\": \"a\", \"address\": \"fd00::1\", \"labels\": {}},"
		  " {\"name\": \"b\", \"address\": \"fd00::1\", \"labels\": {}}]}",
		  "t.json: workloads[1]: duplicate workload: the same address, protocol and port as workloads[0] (\"a\")" },
		{ "{\"policies\": [{\"client\": [], \"server\": []}]}",
		  "t.json: policies[0].client: needs at least one selector" },
		{ "{\"policies\": [{\"client\": [{\"key\": \"a\", \"operator\": \"is\", \"values\": [\"x\"]}]}]}",
		  "t.json: policies[0].client[0].operator: \"is\" is not in, not_in, exists or does_not_exist" },
		{ "{\"policies\": [{\"client\": [{\"key\": \"a\", \"operator\": \"in\", \"values\": []}]}]}",
		  "t.json: policies[0].client[0].values: needs at least one value" },
		{ "{\"workloads\": [{\"name\": \"a\", \"address\": \"fd00::1\", \"port\": 80, \"labels\": {}}]}",
		  "t.json: workloads[0].port: a port needs a protocol of tcp, udp or sctp" },
		{ "{\"workloads\": [{\"name\": \"a\", \"address\": \"fd00::1\", \"dev\": \"x\", \"labels\": {}}]}",
		  "t.json: workloads[0].dev: \"x\" is not one of the ports" },
		{ "{\"policies\": [{\"client\": \"any\", \"server\": {\"cidr\": \"10.0.0.0/8\"}}]}",
		  "t.json: policies[0].server: a cidr is a client at ingress, a server at egress" },
		{ "{\"policies\": [{\"client\": {\"cidr\": \"10.0.0.0/8\", \"except\": [\"10.0.0.0/8\"]}, \"server\": \"any\"}]}",
		  "t.json: policies[0].client.except[0]: not a part of the cidr: an except must be inside it and longer" },
		{ "{\"policies\": [{\"client\": {\"cidr\": \"10.0.0.1/8\"}, \"server\": \"any\"}]}",
		  "t.json: policies[0].client.cidr: \"10.0.0.1/8\" has bits set past /8" },
		{ "{\"policies\": [{\"client\": \"all\", \"server\": \"any\"}]}",
		  "t.json: policies[0].client: \"all\" is not any or every" },
		{ "{\"policies\": [{\"direction\": \"egress\", \"client\": \"any\", \"server\": \"any\", \"dscp\": 3}]}",
		  "t.json: policies[0]: an egress policy allows or denies: no priority or dscp" },
		{ "{\"policies\": [{\"client\": [{\"key\": \"a\", \"operator\": \"exists\", \"values\": [\"x\"]}], \"server\": \"any\"}]}",
		  "t.json: policies[0].client[0].values: exists takes no values" },
		{ "{\"policies\": [{\"client\": \"any\", \"server\": \"any\", \"ports\": [\"tcp:80,udp:53\"]}]}",
		  "t.json: policies[0].ports[0]: \"tcp:80,udp:53\": one range per string" },
		{ "{\"policies\": [{\"client\": \"any\", \"server\": \"any\", \"ports\": [\"icmp:80\"]}]}",
		  "t.json: policies[0].ports[0]: " },
		{ "{\"workloads\": [{\"name\": \"a\", \"address\": \"fd00::1\", \"labels\": {}, \"named-ports\": {\"http\": \"tcp:80-81\"}}]}",
		  "t.json: workloads[0].named-ports.http: \"tcp:80-81\" is not PROTO:PORT" },
		{ "{\"workloads\": [{\"name\": \"a\", \"address\": \"fd00::1\", \"labels\": {}, \"named-ports\": {\"8080\": \"tcp:80\"}}]}",
		  "t.json: workloads[0].named-ports.8080: \"8080\" is not a port's name" },
		{ "{\"policies\": [{\"client\": \"any\", \"server\": \"any\", \"direction\": \"out\"}]}",
		  "t.json: policies[0].direction: \"out\" is not ingress or egress" },
		{ "{\"masquerade\": [\"10.244.1.1/24\"]}",
		  "t.json: masquerade[0]: \"10.244.1.1/24\" has bits set past /24" },
		{ "{\"masquerade\": [\"10.244.1.0/24\", \"10.244.1.0/24\"]}",
		  "t.json: masquerade[1]: the same route as [0]" },
		{ "{\"masquerade\": \"10.244.1.0/24\"}", "t.json: masquerade: expected an array" },
		{ "{\"ports\": [\"c1\", \"c1\"]}", "t.json: ports[1]: port \"c1\" is listed twice" },
		{ "{\"ids\": {\"key\": \"00\"}}", "t.json: ids.key: needs 32 hex digits" },
		{ "{\"workloads\": [\n{\"name\": \"a\",}]}", "t.json: line 2, column 14: " },
		{ "{\"default\": \"deny\", \"default\": 3}", "t.json: default: expected a string, got a number" },
	};
	struct idm_intent in;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = load(cases[i].text, &in);

		TAP_OK(ret && !strncmp(err, cases[i].want, strlen(cases[i].want)),
		       "bad input refused with its path: %s", cases[i].want);
		if (!ret || strncmp(err, cases[i].want, strlen(cases[i].want)))
			printf("#   got \"%s\"\n", err);
		idm_intent_free(&in);
	}
}

static void test_sim(void)
{
	struct idm_sim_params p;
	struct idm_sim_result r;
	char *argv[] = { "alpha", "1" };

	TAP_OK(!idm_sim_parse(2, argv, &p, err, sizeof(err)), "sim: defaults parse");
	idm_sim_run(&p, 1, &r);
	/* §7.2: 8 VMs x 16 workloads, 15 per Service, 2 peers, 1 connection. */
	TAP_OK(r.esc == 128 && r.escs == 3840 && r.ess == 3840,
	       "sim at alpha=1: esc %" PRIu64 " escs %" PRIu64 " ess %" PRIu64 " (128, 3840, 3840)",
	       r.esc, r.escs, r.ess);
	TAP_OK(r.es < r.el, "sim: a spine needs fewer entries by SACL ID (es %" PRIu64
	       ") than by address (el %" PRIu64 ")", r.es, r.el);
	TAP_OK(r.esu_workload == 0 && r.esu_priority == 1 && llround(r.elu_priority) == 225,
	       "sim: a new workload updates no spine entry by ID; a priority 1 (15 x 15 by address)");
	idm_sim_run(&p, 32, &r);
	TAP_OK(r.esc == 128 * 32 && r.escs == 3840 * 32 && r.ess == 3840 * 32,
	       "sim at alpha=32: every gateway count x32");
}

/* IPv4 workloads: the same entries, written and keyed as IPv4. */
static void test_ipv4(void)
{
	static const char *text =
		"{\"ports\": [\"c1\"], \"workloads\": ["
		" {\"name\": \"c\", \"address\": \"10.0.0.1\", \"dev\": \"c1\", \"labels\": {\"app\": \"web\"}},"
		" {\"name\": \"s\", \"address\": \"10.0.1.1\", \"protocol\": \"icmp\", \"labels\": {\"app\": \"db\"}}],"
		" \"policies\": [{\"client\": [{\"key\": \"app\", \"operator\": \"in\", \"values\": [\"web\"]}],"
		"  \"server\": [{\"key\": \"app\", \"operator\": \"in\", \"values\": [\"db\"]}]}]}";
	struct idm_intent in;
	struct idm_sacl_tables st;
	struct idm_sacl_row *c, *sv;

	err[0] = '\0';
	TAP_OK(!load(text, &in), "IPv4 workloads load%s%s", *err ? ": " : "", err);
	idm_intent_state(&in, &st, NULL, 0);
	c = find(&st, IDMESH_SACL_KIND_CLIENT, "client 10.0.0.1 dev c1 id ");
	sv = find(&st, IDMESH_SACL_KIND_SERVER, "server 10.0.1.1 proto icmp id ");
	TAP_OK(c && sv, "an IPv4 client and server entry, written as IPv4");
	TAP_OK(c && IN6_IS_ADDR_V4MAPPED(&c->addr) && c->addr.s6_addr[15] == 1,
	       "... keyed IPv4-mapped, as the kernel keeps them");
	idm_sacl_tables_free(&st);
	idm_intent_free(&in);
}

/* YAML's plain scalars typed as the core schema types them. */
static void test_yaml(void)
{
	static const char text[] =
		"a: 1\nb: '1'\nc: true\nd: null\ne: 1.5\nf: -3\ng: yes\nh: ~\n"
		"i: [x, 2]\nj: 0x10\n";
	char err[256] = "";
	json_object *o = idm_yaml_parse(text, strlen(text), err, sizeof(err));

	TAP_OK(o != NULL, "yaml: a mapping parses (%s)", err);
	if (!o)
		return;
	TAP_STREQ(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
		  "{\"a\":1,\"b\":\"1\",\"c\":true,\"d\":null,\"e\":1.5,\"f\":-3,"
		  "\"g\":\"yes\",\"h\":null,\"i\":[\"x\",2],\"j\":\"0x10\"}",
		  "yaml: integers, quoted strings, booleans, nulls, doubles; yes and 0x10 stay strings");
	json_object_put(o);
	o = idm_yaml_parse("a: 1\na: 2\n", 10, err, sizeof(err));
	TAP_OK(!o && strstr(err, "line 2, column 1: a key given twice"),
	       "yaml: a key given twice is refused, with where (%s)", err);
	json_object_put(o);
}

int main(void)
{
	test_siphash();
	test_yaml();
	test_selectors();
	test_services();
	test_ids();
	test_collisions();
	test_structured();
	test_rules();
	test_group_rules();
	test_policy_kinds();
	test_policy_ipv6();
	test_diff();
	test_ipv4();
	test_errors();
	test_sim();
	return tap_done();
}
