/* Hwmon chips, thermal zones and EDAC memory controllers read from sysfs under the root prefix. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "forewarn/path.h"
#include "forewarn/util.h"
#include "sensors_source.h"

/* Read a small attribute; the length without its newline. */
static int
attr_read(const char *path, char *buf, size_t size, size_t *ret_len)
{
	size_t len;
	int rc;

	if ((rc = path_read(path, buf, size, &len)) < 0)
		return rc;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	buf[len] = '\0';
	*ret_len = len;
	return 0;
}

/* The last component of a symlink's target under the root, or "". */
static void
link_base(const char *fmt_dir, const char *leaf, char *buf, size_t size)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	buf[0] = '\0';
	if (path_build(path, sizeof(path), "%s/%s", fmt_dir, leaf) < 0)
		return;
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	fw_strlcpy(buf, base != NULL ? base + 1 : target, size);
}

/*
 * The chip name as libsensors prints it (lib/sysfs.c, lib/data.c), so both
 * backends give a sensor the same identity: prefix-bus-address.
 */
static void
chip_name(const char *dir, const char *prefix, char *buf, size_t size)
{
	char dev[128], subsys[64];
	unsigned a, b, c, d;
	int nr;

	link_base(dir, "device", dev, sizeof(dev));
	link_base(dir, "device/subsystem", subsys, sizeof(subsys));
	if (dev[0] == '\0') {
		fw_snprintf(buf, size, "%s-virtual-0", prefix);
	} else if (strcmp(subsys, "i2c") == 0 &&
	    sscanf(dev, "%d-%x", &nr, &a) == 2) {
		fw_snprintf(buf, size, "%s-i2c-%d-%02x", prefix, nr, a);
	} else if (strcmp(subsys, "pci") == 0 &&
	    sscanf(dev, "%x:%x:%x.%x", &a, &b, &c, &d) == 4) {
		fw_snprintf(buf, size, "%s-pci-%04x", prefix,
		    (a << 16) + (b << 8) + (c << 3) + d);
	} else if ((strcmp(subsys, "platform") == 0 ||
	    strcmp(subsys, "isa") == 0) && strchr(dev, '.') != NULL &&
	    sscanf(strrchr(dev, '.') + 1, "%u", &a) == 1) {
		/* "nct6775.656" is decimal; libsensors prints it in hex. */
		fw_snprintf(buf, size, "%s-isa-%04x", prefix, a);
	} else if (strcmp(subsys, "acpi") == 0 && strchr(dev, ':') != NULL &&
	    sscanf(strrchr(dev, ':') + 1, "%u", &a) == 1) {
		fw_snprintf(buf, size, "%s-acpi-%x", prefix, a);
	} else if (strcmp(subsys, "platform") == 0 ||
	    strcmp(subsys, "isa") == 0) {
		fw_snprintf(buf, size, "%s-isa-0000", prefix);
	} else {
		fw_snprintf(buf, size, "%s-%s-%s", prefix,
		    subsys[0] != '\0' ? subsys : "unknown", dev);
	}
}

static struct sens_feature *
feature_of(struct sens_chip *c, enum sens_type t, unsigned idx)
{
	char name[32];
	size_t i;

	fw_snprintf(name, sizeof(name), "%s%u", sens_type_name(t), idx);
	for (i = 0; i < c->n_features; i++)
		if (c->features[i].type == t &&
		    strcmp(c->features[i].name, name) == 0)
			return &c->features[i];
	if (c->n_features >= SENS_MAX_FEATURES)
		return NULL;
	return sens_chip_add(c, t, name);
}

/* One attribute file of a chip into its feature. */
static void
chip_attr(struct sens_chip *c, const char *dir, const char *file)
{
	char path[PATH_MAX], buf[128];
	struct sens_feature *f;
	enum sens_type t;
	unsigned idx;
	bool is_flag, set;
	size_t len;
	double v;
	int what;

	if (sens_attr_parse(file, &t, &idx, &is_flag, &what) < 0)
		return;
	if (fw_snprintf(path, sizeof(path), "%s/%s", dir, file) < 0 ||
	    attr_read(path, buf, sizeof(buf), &len) < 0)
		return;		/* unreadable now (EIO, ENODATA): absent */
	if ((f = feature_of(c, t, idx)) == NULL)
		return;
	if (what < 0) {
		fw_sanitize(f->label, sizeof(f->label), buf, len);
		if (f->label[0] == '\0')
			fw_strlcpy(f->label, f->name, sizeof(f->label));
	} else if (is_flag) {
		if (sens_flag_parse(buf, len, &set) < 0)
			return;
		f->has_flags |= 1u << what;
		if (set)
			f->flags |= 1u << what;
	} else if (sens_value_parse(buf, len, t, &v) == 0) {
		f->v[what] = v;
	}
}

static int
feature_cmp(const void *a, const void *b)
{
	const struct sens_feature *x = a, *y = b;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (strlen(x->name) != strlen(y->name))
		return strlen(x->name) < strlen(y->name) ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void
chip_read(struct sens_scan *s, const char *hwmon)
{
	char dir[PATH_MAX], path[PATH_MAX], buf[64];
	struct sens_chip *c;
	struct dirent *de;
	size_t len;
	DIR *d;

	if (fw_snprintf(dir, sizeof(dir), "/sys/class/hwmon/%s", hwmon) < 0)
		return;
	fw_snprintf(path, sizeof(path), "%s/name", dir);
	if (attr_read(path, buf, sizeof(buf), &len) < 0 || len == 0)
		return;		/* no name: libsensors skips it too */
	if ((d = path_opendir(dir)) == NULL)
		return;
	c = sens_scan_add(s);
	fw_sanitize(c->prefix, sizeof(c->prefix), buf, len);
	for (char *p = c->prefix; *p != '\0'; p++)
		if (*p == ' ' || *p == '-')
			*p = '_';
	fw_strlcpy(c->path, hwmon, sizeof(c->path));
	chip_name(dir, c->prefix, c->name, sizeof(c->name));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			chip_attr(c, dir, de->d_name);
	closedir(d);
	if (c->n_features > 1)
		qsort(c->features, c->n_features, sizeof(*c->features),
		    feature_cmp);
}

static int
name_cmp(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;
	size_t lx = strlen(*x), ly = strlen(*y);

	return lx != ly ? (lx < ly ? -1 : 1) : strcmp(*x, *y);
}

/* The entries of dir starting with prefix, in natural order (hwmon2 < hwmon10). */
static int
list_dir(const char *dir, const char *prefix, size_t cap, char ***ret,
    size_t *ret_n)
{
	struct dirent *de;
	char **v = NULL;
	size_t n = 0;
	DIR *d;

	if ((d = path_opendir(dir)) == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL && n < cap) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(v, n, sizeof(*v), name_cmp);
	*ret = v;
	*ret_n = n;
	return 0;
}

static void
list_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int
sens_hwmon_count(void)
{
	char **v;
	size_t n;
	int rc;

	if ((rc = list_dir("/sys/class/hwmon", "hwmon", SENS_MAX_CHIPS, &v,
	    &n)) < 0)
		return rc;
	list_free(v, n);
	return (int)n;
}

static int
sysfs_open(const char *config, void **ret)
{
	*ret = NULL;
	return 0;
}

static int
sysfs_scan(void *b, struct sens_scan *ret)
{
	char **v;
	size_t n, i;
	int rc;

	memset(ret, 0, sizeof(*ret));
	if ((rc = list_dir("/sys/class/hwmon", "hwmon", SENS_MAX_CHIPS, &v,
	    &n)) < 0)
		return rc == -ENOENT ? 0 : rc;
	for (i = 0; i < n; i++)
		chip_read(ret, v[i]);
	list_free(v, n);
	return 0;
}

static void
sysfs_rescan(void *b)
{
}

static void
sysfs_close(void *b)
{
}

const struct sens_backend sens_sysfs_backend = {
	.name = "sysfs",
	.open = sysfs_open,
	.scan = sysfs_scan,
	.rescan = sysfs_rescan,
	.close = sysfs_close,
};

/* ---- thermal zones ---- */

static double
read_celsius(const char *path)
{
	char buf[64];
	size_t len;
	double v;

	if (attr_read(path, buf, sizeof(buf), &len) < 0 ||
	    sens_value_parse(buf, len, SENS_TEMP, &v) < 0)
		return NAN;
	return v;
}

static void
zone_trips(struct thermal_zone *z, const char *dir)
{
	char path[PATH_MAX], buf[64];
	struct thermal_trip *t;
	unsigned i;
	size_t len;

	for (i = 0; i < 32 && z->n_trips < THERMAL_MAX_TRIPS; i++) {
		fw_snprintf(path, sizeof(path), "%s/trip_point_%u_type", dir, i);
		if (attr_read(path, buf, sizeof(buf), &len) < 0)
			break;
		t = &z->trips[z->n_trips];
		t->type = trip_type_parse(buf);
		fw_snprintf(path, sizeof(path), "%s/trip_point_%u_temp", dir, i);
		t->temp = read_celsius(path);
		fw_snprintf(path, sizeof(path), "%s/trip_point_%u_hyst", dir, i);
		t->hyst = read_celsius(path);
		/*
		 * Unset trips read as 0 (x86_pkg_temp) or as far-off values
		 * (-273 °C, INT_MAX): no zone trips at or below freezing.
		 */
		if (isfinite(t->temp) && t->temp > 0 && t->temp < 1000)
			z->n_trips++;
	}
}

int
thermal_read(struct thermal_zone **ret, size_t *ret_n)
{
	char dir[PATH_MAX], path[PATH_MAX], buf[64], **v;
	struct thermal_zone *zones, *z;
	size_t n, i, k = 0, len;
	int rc;

	*ret = NULL;
	*ret_n = 0;
	if ((rc = list_dir("/sys/class/thermal", "thermal_zone",
	    THERMAL_MAX_ZONES, &v, &n)) < 0)
		return rc == -ENOENT ? 0 : rc;
	zones = n > 0 ? xcalloc(n, sizeof(*zones)) : NULL;
	for (i = 0; i < n; i++) {
		z = &zones[k];
		fw_snprintf(dir, sizeof(dir), "/sys/class/thermal/%s", v[i]);
		fw_snprintf(path, sizeof(path), "%s/type", dir);
		if (attr_read(path, buf, sizeof(buf), &len) < 0)
			continue;
		fw_sanitize(z->type, sizeof(z->type), buf, len);
		fw_strlcpy(z->dir, v[i], sizeof(z->dir));
		fw_snprintf(path, sizeof(path), "%s/temp", dir);
		z->temp = read_celsius(path);
		fw_snprintf(path, sizeof(path), "%s/mode", dir);
		z->disabled = attr_read(path, buf, sizeof(buf), &len) == 0 &&
		    strcmp(buf, "disabled") == 0;
		zone_trips(z, dir);
		k++;
	}
	list_free(v, n);
	*ret = zones;
	*ret_n = k;
	return 0;
}

/* ---- EDAC ---- */

void
edac_location_id(char *dst, size_t size, const char *location)
{
	char clean[64];
	size_t o = 0, i;
	bool prev_digit = false;

	fw_sanitize(clean, sizeof(clean), location, strlen(location));
	/* "csrow 0 channel 1" → "csrow0-channel1": words glued to numbers. */
	for (i = 0; clean[i] != '\0' && o + 1 < size; i++) {
		if (clean[i] == ' ') {
			if (prev_digit)
				dst[o++] = '-';
			continue;
		}
		dst[o++] = clean[i] == '/' ? '_' : clean[i];
		prev_digit = clean[i] >= '0' && clean[i] <= '9';
	}
	while (o > 0 && dst[o - 1] == '-')
		o--;
	dst[o] = '\0';
}

static bool
read_count(const char *path, uint64_t *ret)
{
	char buf[64];
	size_t len;

	return attr_read(path, buf, sizeof(buf), &len) == 0 &&
	    sens_count_parse(buf, len, ret) == 0;
}

static void
read_text(const char *path, char *dst, size_t size)
{
	char buf[128];
	size_t len;

	dst[0] = '\0';
	if (attr_read(path, buf, sizeof(buf), &len) == 0)
		fw_sanitize(dst, size, buf, len);
}

static struct edac_dimm *
dimm_add(struct edac_mc *mc)
{
	struct edac_dimm *d;

	mc->dimms = xreallocarray(mc->dimms, mc->n_dimms + 1,
	    sizeof(*mc->dimms));
	d = &mc->dimms[mc->n_dimms++];
	memset(d, 0, sizeof(*d));
	return d;
}

/* Newer drivers: mcN/dimmK (or rankK) with labels and counts of their own. */
static void
mc_dimms(struct edac_mc *mc, const char *dir, const char *prefix)
{
	char sub[PATH_MAX], path[PATH_MAX], loc[64], **v;
	struct edac_dimm *d;
	size_t n, i;

	if (list_dir(dir, prefix, EDAC_MAX_DIMMS, &v, &n) < 0)
		return;
	for (i = 0; i < n && mc->n_dimms < EDAC_MAX_DIMMS; i++) {
		fw_snprintf(sub, sizeof(sub), "%s/%s", dir, v[i]);
		fw_snprintf(path, sizeof(path), "%s/dimm_ce_count", sub);
		d = dimm_add(mc);
		if (!read_count(path, &d->ce)) {
			mc->n_dimms--;
			continue;
		}
		fw_snprintf(path, sizeof(path), "%s/dimm_ue_count", sub);
		d->has_ue = read_count(path, &d->ue);
		fw_snprintf(path, sizeof(path), "%s/dimm_location", sub);
		read_text(path, loc, sizeof(loc));
		edac_location_id(d->location, sizeof(d->location),
		    loc[0] != '\0' ? loc : v[i]);
		fw_snprintf(path, sizeof(path), "%s/dimm_label", sub);
		read_text(path, d->label, sizeof(d->label));
		fw_snprintf(path, sizeof(path), "%s/dimm_mem_type", sub);
		read_text(path, d->mem_type, sizeof(d->mem_type));
		fw_snprintf(path, sizeof(path), "%s/size", sub);
		read_count(path, &d->size_mb);
	}
	list_free(v, n);
}

/* Older drivers: csrowK with chJ_ce_count and chJ_dimm_label per channel. */
static void
mc_csrows(struct edac_mc *mc, const char *dir)
{
	char sub[PATH_MAX], path[PATH_MAX], loc[64], **v;
	struct edac_dimm *d;
	uint64_t ue;
	bool has_ue;
	size_t n, i;
	unsigned ch;

	if (list_dir(dir, "csrow", EDAC_MAX_DIMMS, &v, &n) < 0)
		return;
	for (i = 0; i < n && mc->n_dimms < EDAC_MAX_DIMMS; i++) {
		fw_snprintf(sub, sizeof(sub), "%s/%s", dir, v[i]);
		fw_snprintf(path, sizeof(path), "%s/ue_count", sub);
		has_ue = read_count(path, &ue);
		for (ch = 0; ch < 16 && mc->n_dimms < EDAC_MAX_DIMMS; ch++) {
			fw_snprintf(path, sizeof(path), "%s/ch%u_ce_count", sub,
			    ch);
			d = dimm_add(mc);
			if (!read_count(path, &d->ce)) {
				mc->n_dimms--;
				break;
			}
			/* The csrow's UEs: EDAC cannot tell the channel. */
			d->ue = has_ue ? ue : 0;
			d->has_ue = has_ue;
			fw_snprintf(loc, sizeof(loc), "csrow %s channel %u",
			    v[i] + 5, ch);
			edac_location_id(d->location, sizeof(d->location), loc);
			fw_snprintf(path, sizeof(path), "%s/ch%u_dimm_label",
			    sub, ch);
			read_text(path, d->label, sizeof(d->label));
			fw_snprintf(path, sizeof(path), "%s/mem_type", sub);
			read_text(path, d->mem_type, sizeof(d->mem_type));
		}
	}
	list_free(v, n);
}

static bool
mc_read(struct edac_mc *mc, const char *name)
{
	char dir[PATH_MAX], path[PATH_MAX];

	memset(mc, 0, sizeof(*mc));
	if (sscanf(name, "mc%u", &mc->index) != 1)
		return false;
	fw_snprintf(dir, sizeof(dir), "/sys/devices/system/edac/mc/%s", name);
	fw_snprintf(path, sizeof(path), "%s/ce_count", dir);
	if (!read_count(path, &mc->ce))
		return false;
	fw_snprintf(path, sizeof(path), "%s/ue_count", dir);
	read_count(path, &mc->ue);
	fw_snprintf(path, sizeof(path), "%s/ce_noinfo_count", dir);
	read_count(path, &mc->ce_noinfo);
	fw_snprintf(path, sizeof(path), "%s/ue_noinfo_count", dir);
	read_count(path, &mc->ue_noinfo);
	fw_snprintf(path, sizeof(path), "%s/mc_name", dir);
	read_text(path, mc->name, sizeof(mc->name));
	mc_dimms(mc, dir, "dimm");
	if (mc->n_dimms == 0)
		mc_dimms(mc, dir, "rank");
	if (mc->n_dimms == 0)
		mc_csrows(mc, dir);
	return true;
}

void
edac_free(struct edac_mc *mcs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(mcs[i].dimms);
	free(mcs);
}

int
edac_read(struct edac_mc **ret, size_t *ret_n)
{
	struct edac_mc *mcs;
	char **v;
	size_t n, i, k = 0;
	int rc;

	if ((rc = list_dir("/sys/devices/system/edac/mc", "mc", EDAC_MAX_MCS,
	    &v, &n)) < 0)
		return rc;
	mcs = n > 0 ? xcalloc(n, sizeof(*mcs)) : NULL;
	for (i = 0; i < n; i++)
		if (mc_read(&mcs[k], v[i]))
			k++;
	list_free(v, n);
	*ret = mcs;
	*ret_n = k;
	return 0;
}
