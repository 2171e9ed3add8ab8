/* An ATA disk's SMART state, decoded by libatasmart from the probe helper's blob. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <atasmart.h>

#include "forewarn/util.h"
#include "disks_ata.h"

static void
on_attr(SkDisk *d, const SkSmartAttributeParsedData *a, void *arg)
{
	struct ata_summary *s = arg;
	struct ata_attr *t;
	int i;

	if (s->n_attrs >= ATA_ATTRS_MAX)
		return;
	t = &s->attrs[s->n_attrs++];
	memset(t, 0, sizeof(*t));
	t->id = a->id;
	fw_sanitize(t->name, sizeof(t->name), a->name != NULL ? a->name : "",
	    a->name != NULL ? strlen(a->name) : 0);
	t->prefail = a->prefailure;
	t->current_valid = a->current_value_valid;
	t->current = a->current_value;
	t->worst = a->worst_value;
	t->threshold_valid = a->threshold_valid;
	t->threshold = a->threshold;
	t->failing_now = a->good_now_valid && !a->good_now;
	t->failed_past = a->good_in_the_past_valid && !a->good_in_the_past;
	for (i = 5; i >= 0; i--)
		t->raw = t->raw << 8 | a->raw[i];
}

static void
identify(SkDisk *d, struct ata_summary *s)
{
	const SkIdentifyParsedData *id;

	if (sk_disk_identify_parse(d, &id) < 0)
		return;
	fw_sanitize(s->model, sizeof(s->model), id->model, sizeof(id->model));
	fw_sanitize(s->serial, sizeof(s->serial), id->serial,
	    sizeof(id->serial));
	fw_sanitize(s->firmware, sizeof(s->firmware), id->firmware,
	    sizeof(id->firmware));
}

int
ata_summary_from_blob(const uint8_t *blob, size_t len, struct ata_summary *ret)
{
	const SkSmartParsedData *pd;
	SkSmartOverall overall;
	SkBool b;
	uint64_t mk;
	SkDisk *d;

	memset(ret, 0, sizeof(*ret));
	ret->status_good = -1;
	ret->overall = -1;
	ret->selftest_status = -1;
	if (len == 0 || sk_disk_open(NULL, &d) < 0)
		return -EINVAL;
	if (sk_disk_set_blob(d, blob, len) < 0) {
		sk_disk_free(d);
		return -EINVAL;
	}
	identify(d, ret);
	ret->smart_available = sk_disk_smart_is_available(d, &b) == 0 && b;
	if (sk_disk_smart_status(d, &b) == 0)
		ret->status_good = b ? 1 : 0;
	if (ret->smart_available && sk_disk_smart_parse(d, &pd) == 0) {
		ret->selftest_status = pd->self_test_execution_status;
		sk_disk_smart_parse_attributes(d, on_attr, ret);
		/* -1 when the drive gives no health status (a known gap). */
		if (sk_disk_smart_get_overall(d, &overall) == 0)
			ret->overall = (int)overall;
		if (sk_disk_smart_get_temperature(d, &mk) == 0) {
			ret->has_temperature = true;
			ret->temperature_c = (double)mk / 1000.0 - 273.15;
		}
	}
	sk_disk_free(d);
	return 0;
}

const struct ata_attr *
ata_attr_find(const struct ata_summary *s, uint8_t id)
{
	unsigned i;

	for (i = 0; i < s->n_attrs; i++)
		if (s->attrs[i].id == id)
			return &s->attrs[i];
	return NULL;
}
