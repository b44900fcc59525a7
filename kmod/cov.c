// SPDX-License-Identifier: GPL-2.0
/*
 * Function coverage of idmesh.ko and its KUnit module, for
 * "make check IDMESH_COVERAGE=1" (Documentation/testing.rst). Built only
 * then, as a module of its own (idmesh_cov.ko) that the guest loads
 * first and reads after idmesh.ko is gone, so that exit paths count too.
 *
 * The modules under test are compiled with -finstrument-functions: each
 * of their functions calls __cyg_profile_func_enter() on entry. The first
 * call of a function takes a slot of an open-addressing table (cmpxchg, no
 * lock: any context) and records its name; later calls find the slot and
 * return. /sys/kernel/debug/idmesh_cov lists the names, one per line, as
 * "%pS" prints them ("fn+0x0/0x1a0 [idmesh]"); a write to it empties the
 * table, so that the guest can say what each selftest reached on its own.
 * An entry racing with the emptying may be lost: a test tool's accuracy.
 */
#include <linux/debugfs.h>
#include <linux/hash.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#include "cov.h"

#define IDM_COV_BITS	12
#define IDM_COV_SLOTS	BIT(IDM_COV_BITS)
#define IDM_COV_NAME	96

static unsigned long idm_cov_fn[IDM_COV_SLOTS];
static char idm_cov_name[IDM_COV_SLOTS][IDM_COV_NAME];
/* Set with release once a slot's name is written; read with acquire. */
static bool idm_cov_named[IDM_COV_SLOTS];
static atomic_t idm_cov_full = ATOMIC_INIT(0);
static struct dentry *idm_cov_file;

void idm_cov_notrace __cyg_profile_func_enter(void *fn, void *site)
{
	unsigned long a = (unsigned long)fn, v;
	unsigned int i = hash_long(a, IDM_COV_BITS), n;

	for (n = 0; n < IDM_COV_SLOTS; n++, i = (i + 1) & (IDM_COV_SLOTS - 1)) {
		v = READ_ONCE(idm_cov_fn[i]);
		if (v == a)
			return;
		if (v)
			continue;
		v = cmpxchg(&idm_cov_fn[i], 0, a);
		if (v == a)
			return;
		if (v)
			continue;
		snprintf(idm_cov_name[i], IDM_COV_NAME, "%pS", fn);
		/* The name before the flag: pairs with idm_cov_show()'s acquire. */
		smp_store_release(&idm_cov_named[i], true);
		return;
	}
	atomic_inc(&idm_cov_full);
}
EXPORT_SYMBOL_GPL(__cyg_profile_func_enter);

void idm_cov_notrace __cyg_profile_func_exit(void *fn, void *site)
{
}
EXPORT_SYMBOL_GPL(__cyg_profile_func_exit);

static int idm_cov_show(struct seq_file *m, void *v)
{
	int i;

	for (i = 0; i < IDM_COV_SLOTS; i++)
		/* Pairs with the release after the name is written. */
		if (smp_load_acquire(&idm_cov_named[i]))
			seq_printf(m, "%s\n", idm_cov_name[i]);
	if (atomic_read(&idm_cov_full))
		seq_printf(m, "# table full: %d calls not recorded\n",
			   atomic_read(&idm_cov_full));
	return 0;
}

static int idm_cov_open(struct inode *inode, struct file *file)
{
	return single_open(file, idm_cov_show, NULL);
}

static ssize_t idm_cov_write(struct file *file, const char __user *buf,
			     size_t len, loff_t *ppos)
{
	int i;

	for (i = 0; i < IDM_COV_SLOTS; i++) {
		/* Unnamed before emptied: idm_cov_show() never reads a stale name. */
		WRITE_ONCE(idm_cov_named[i], false);
		WRITE_ONCE(idm_cov_fn[i], 0);
	}
	atomic_set(&idm_cov_full, 0);
	return len;
}

static const struct file_operations idm_cov_fops = {
	.owner = THIS_MODULE,
	.open = idm_cov_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = idm_cov_write,
};

static int __init idm_cov_init(void)
{
	idm_cov_file = debugfs_create_file("idmesh_cov", 0600, NULL, NULL,
					   &idm_cov_fops);
	return 0;
}

static void __exit idm_cov_exit(void)
{
	debugfs_remove(idm_cov_file);
}

module_init(idm_cov_init);
module_exit(idm_cov_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("idmesh: function coverage of idmesh.ko for its tests");
