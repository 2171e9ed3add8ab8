/* libFuzzer target: the sensors collector's sysfs value parsers, attribute names, EDAC locations and the trend fit on arbitrary bytes. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../collectors/sensors_source.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Samples from the input: pairs of (time step, value) as raw doubles. */
static void
fuzz_trend(const uint8_t *data, size_t size)
{
	static struct trend tr;
	struct trend_fit f;
	double t = 0, dt, v;
	size_t i;

	trend_reset(&tr);
	for (i = 0; i + 16 <= size; i += 16) {
		memcpy(&dt, data + i, 8);
		memcpy(&v, data + i + 8, 8);
		t += dt;
		trend_add(&tr, t, v, 600, 100);
	}
	if (trend_fit(&tr, &f) == 0)
		(void)trend_eta(&f, 80);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = (const char *)data;
	char name[64], loc[64];
	enum sens_type type;
	unsigned idx, k;
	uint64_t n;
	double v;
	bool b, flag;
	int what;

	/* The parsers take a length and must never read past it. */
	for (k = 0; k <= SENS_TYPE_COUNT; k++)
		sens_value_parse(t, size, (enum sens_type)k, &v);
	sens_flag_parse(t, size, &b);
	sens_count_parse(t, size, &n);
	/* Names and locations are NUL-terminated by the reader. */
	k = size < sizeof(name) - 1 ? (unsigned)size : sizeof(name) - 1;
	memcpy(name, data, k);
	name[k] = '\0';
	if (sens_attr_parse(name, &type, &idx, &flag, &what) == 0 &&
	    (type >= SENS_TYPE_COUNT || what >= (flag ? FLAG_COUNT : SUB_COUNT)))
		__builtin_trap();
	edac_location_id(loc, sizeof(loc), name);
	edac_location_id(loc, 3, name);
	(void)trip_type_parse(name);
	fuzz_trend(data, size);
	return 0;
}
