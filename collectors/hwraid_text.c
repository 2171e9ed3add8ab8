/* ssacli and arcconf text: controllers, logical drives, drives, cache units, in the model storcli's JSON fills. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "forewarn/util.h"
#include "hwraid_parse.h"

/* ---- lines ---- */

struct lines {
	const char	*p, *end;
	unsigned	 no;
	char		 line[512];	/* the current one, printable, no '\n' */
	size_t		 indent;	/* leading blanks */
	const char	*text;		/* line past the indent */
};

static bool
next_line(struct lines *l)
{
	const char *e;
	size_t n;

	if (l->p >= l->end)
		return false;
	e = memchr(l->p, '\n', (size_t)(l->end - l->p));
	if (e == NULL)
		e = l->end;
	n = (size_t)(e - l->p);
	if (n >= sizeof(l->line))
		n = sizeof(l->line) - 1;
	/* Indentation matters: control bytes become blanks, others '?'. */
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)l->p[i];

		l->line[i] = ch < 0x20 || ch == 0x7f ? ' ' : ch >= 0x80 ? '?' :
		    (char)ch;
	}
	l->line[n] = '\0';
	while (n > 0 && l->line[n - 1] == ' ')
		l->line[--n] = '\0';
	l->indent = strspn(l->line, " ");
	l->text = l->line + l->indent;
	l->p = e + 1;
	l->no++;
	return true;
}

static void
lines_init(struct lines *l, const char *text, size_t len)
{
	memset(l, 0, sizeof(*l));
	l->p = text;
	l->end = text + len;
}

/*
 * "Key   : value" → key and value trimmed; false when not that shape.  The
 * separator is the first colon before a blank or the end: a key may hold
 * one ("Reported Channel,Device(T:L)  : 0,2(2:0)").
 */
static bool
key_value(const char *text, char *key, size_t ksize, char *val, size_t vsize)
{
	const char *colon = text;
	size_t n;

	while ((colon = strchr(colon, ':')) != NULL && colon[1] != ' ' &&
	    colon[1] != '\0')
		colon++;

	if (colon == NULL || colon == text)
		return false;
	n = (size_t)(colon - text);
	while (n > 0 && text[n - 1] == ' ')
		n--;
	if (n == 0 || n >= ksize)
		return false;
	memcpy(key, text, n);
	key[n] = '\0';
	colon++;
	while (*colon == ' ')
		colon++;
	fw_strlcpy(val, colon, vsize);
	return true;
}

static int
say(char *err, size_t size, unsigned line, const char *what)
{
	if (err != NULL && size > 0)
		snprintf(err, size, "line %u: %s", line, what);
	return -EINVAL;
}

/*
 * "RAID 1+0" → "RAID10", "RAID 6 (ADG)" and arcconf's "6 Reed-Solomon" →
 * "RAID6", "RAID 1 (ADM)" → "RAID1ADM", "1E" → "RAID1E", "Simple_volume" →
 * "RAID0"; the level's digits (and E), whatever follows.
 */
static void
raid_type(const char *s, char *out, size_t size)
{
	char buf[16];
	size_t n = 0;
	bool adm = strstr(s, "ADM") != NULL;

	if (strncasecmp(s, "RAID", 4) == 0)
		s += 4;
	while (*s == ' ')
		s++;
	for (; (isdigit((unsigned char)*s) || *s == '+') &&
	    n < sizeof(buf) - 2; s++)
		if (*s != '+')
			buf[n++] = *s;
	if (n > 0 && (*s == 'E' || *s == 'e'))
		buf[n++] = 'E';
	buf[n] = '\0';
	if (n == 0)
		fw_strlcpy(buf, "0", sizeof(buf));	/* simple, spanned */
	fw_snprintf(out, size, "RAID%s%s", buf, adm ? "ADM" : "");
}

/* ---- ssacli ---- */

/*
 * "Smart Array P420i in Slot 0 (Embedded)", "Smart HBA H240ar in Slot 0
 * (Embedded) (RAID Mode)", "Dynamic Smart Array B140i in Slot 0b": the
 * model and the slot; false for other lines.
 */
static bool
ssacli_header(const char *text, char *model, size_t msize, char *slot,
    size_t ssize)
{
	const char *in = strstr(text, " in Slot ");
	size_t n;

	if (in == NULL)
		return false;
	n = (size_t)(in - text);
	if (n == 0 || n >= msize)
		return false;
	memcpy(model, text, n);
	model[n] = '\0';
	in += strlen(" in Slot ");
	n = strcspn(in, " ");
	if (n == 0 || n >= ssize)
		return false;
	memcpy(slot, in, n);
	slot[n] = '\0';
	return true;
}

/* A controller of out for a header line; NULL when out is full. */
static struct hw_ctrl *
ssacli_ctrl_new(struct hw_report *out, const char *model, const char *slot)
{
	struct hw_ctrl *c;
	char *end;
	long n;

	if (out->n_ctrls == HW_CTRL_MAX)
		return NULL;
	c = &out->ctrls[out->n_ctrls];
	memset(c, 0, offsetof(struct hw_ctrl, vds));
	c->n_vds = c->n_pds = 0;
	c->tool = HW_SSACLI;
	c->ok = true;
	c->roc_temp_c = NAN;
	fw_strlcpy(c->model, model, sizeof(c->model));
	fw_strlcpy(c->slot, slot, sizeof(c->slot));
	n = strtol(slot, &end, 10);
	c->index = end != slot && n >= 0 && n < 1000 ? (int)n :
	    (int)out->n_ctrls;
	out->n_ctrls++;
	return c;
}

int
ssacli_parse_status(const char *text, size_t len, struct hw_report *out,
    char *err, size_t err_size)
{
	struct hw_ctrl *c = NULL;
	char key[64], val[64], model[HW_STR], slot[16];
	struct lines l;
	bool known = false;

	lines_init(&l, text, len);
	while (next_line(&l)) {
		if (strncmp(l.text, "Error: No controllers detected", 30) == 0)
			return 0;
		if (l.indent == 0 && ssacli_header(l.text, model,
		    sizeof(model), slot, sizeof(slot))) {
			known = true;
			c = ssacli_ctrl_new(out, model, slot);
			continue;
		}
		if (c == NULL || l.indent == 0 ||
		    !key_value(l.text, key, sizeof(key), val, sizeof(val)))
			continue;
		if (strcmp(key, "Controller Status") == 0) {
			known = true;
			fw_strlcpy(c->status, strcmp(val, "OK") == 0 ?
			    "Optimal" : val, sizeof(c->status));
		} else if (strcmp(key, "Cache Status") == 0) {
			fw_strlcpy(c->cache_status, val, sizeof(c->cache_status));
		} else if (strcmp(key, "Battery/Capacitor Status") == 0) {
			fw_strlcpy(c->cache_kind, "Battery/Capacitor",
			    sizeof(c->cache_kind));
			fw_strlcpy(c->cache_state, strcmp(val, "OK") == 0 ?
			    "Optimal" : val, sizeof(c->cache_state));
		}
	}
	if (!known)
		return say(err, err_size, l.no ? 1 : 0, "no \"... in Slot N\" "
		    "controller and no \"Controller Status\": not ssacli's "
		    "\"ctrl all show status\"");
	return 0;
}

/* "array A", "array B (Failed)", "Array A": the letter, and the note. */
static bool
ssacli_array(const char *text, int *letter, char *note, size_t nsize)
{
	if (strncasecmp(text, "array ", 6) != 0 || !isalpha((unsigned char)
	    text[6]) || (text[7] != '\0' && text[7] != ' '))
		return false;
	*letter = toupper((unsigned char)text[6]) - 'A';
	note[0] = '\0';
	if (strstr(text, "(Failed)") != NULL)
		fw_snprintf(note, nsize, "array %c (Failed)", text[6]);
	return true;
}

/* The logical drive status words of ssacli, in storcli's terms. */
static const char *
ssacli_ld_norm(const char *st)
{
	if (strcasecmp(st, "OK") == 0)
		return "Optl";
	if (strcasecmp(st, "Interim Recovery Mode") == 0)
		return "Dgrd";
	if (strncasecmp(st, "Recovering", 10) == 0 ||
	    strcasecmp(st, "Ready for Rebuild") == 0 ||
	    strcasecmp(st, "Wait for Rebuild") == 0)
		return "Rec";
	if (strcasecmp(st, "Failed") == 0 || strcasecmp(st, "Disabled") == 0)
		return "OfLn";
	return "?";
}

int
ssacli_parse_ld(const char *text, size_t len, struct hw_ctrl *c, char *err,
    size_t err_size)
{
	char note[64] = "", fields[128], *f[4], *save = NULL, *w;
	int array = -1, num;
	struct lines l;
	struct hw_vd *v;
	size_t nf;

	c->n_vds = 0;
	lines_init(&l, text, len);
	while (next_line(&l)) {
		if (strncmp(l.text, "Error: The specified device does not "
		    "have any logical drives", 55) == 0)
			return 0;
		if (ssacli_array(l.text, &array, note, sizeof(note)))
			continue;
		/* "logicaldrive 1 (136.7 GB, RAID 5, Interim Recovery Mode)" */
		if (strncmp(l.text, "logicaldrive ", 13) != 0)
			continue;
		if (sscanf(l.text + 13, "%d (%127[^)]", &num, fields) != 2 ||
		    num < 0 || num > 65535)
			return say(err, err_size, l.no, "logicaldrive line not "
			    "'logicaldrive N (SIZE, RAID L, STATUS)'");
		/* "RAID 6 (ADG)" has its own parentheses: take to the last. */
		{
			const char *open = strchr(l.text, '(');
			const char *close = strrchr(l.text, ')');

			if (open == NULL || close == NULL || close < open)
				return say(err, err_size, l.no, "logicaldrive "
				    "line without (SIZE, RAID L, STATUS)");
			fw_snprintf(fields, sizeof(fields), "%.*s",
			    (int)(close - open - 1), open + 1);
		}
		nf = 0;
		for (w = strtok_r(fields, ",", &save); w != NULL && nf < 4;
		    w = strtok_r(NULL, ",", &save)) {
			while (*w == ' ')
				w++;
			f[nf++] = w;
		}
		if (nf < 3)
			return say(err, err_size, l.no, "logicaldrive without "
			    "size, RAID level and status");
		if (c->n_vds == HW_VD_MAX)
			continue;
		v = &c->vds[c->n_vds++];
		memset(v, 0, sizeof(*v));
		v->dg = array;
		v->vd = num;
		raid_type(f[1], v->type, sizeof(v->type));
		fw_strlcpy(v->state, f[nf - 1], sizeof(v->state));
		fw_strlcpy(v->norm, ssacli_ld_norm(v->state), sizeof(v->norm));
		fw_strlcpy(v->note, note, sizeof(v->note));
	}
	return 0;
}

static const char *
ssacli_pd_norm(const char *st, bool spare)
{
	if (strcasecmp(st, "OK") == 0 || strcasecmp(st, "Predictive "
	    "Failure") == 0)
		return spare ? "GHS" : "Onln";
	if (strncasecmp(st, "Rebuilding", 10) == 0)
		return "Rbld";
	if (strcasecmp(st, "Failed") == 0)
		return "Failed";
	return "?";
}

int
ssacli_parse_pd(const char *text, size_t len, struct hw_ctrl *c, char *err,
    size_t err_size)
{
	char note[64], inner[160], *f[8], *save = NULL, *w, name[32];
	int array = -1;
	struct lines l;
	struct hw_pd *p;
	size_t nf;
	bool spare = false;

	c->n_pds = 0;
	lines_init(&l, text, len);
	while (next_line(&l)) {
		if (ssacli_array(l.text, &array, note, sizeof(note))) {
			spare = false;
			continue;
		}
		if (strncasecmp(l.text, "unassigned", 10) == 0) {
			array = -1;
			spare = false;
			continue;
		}
		/*
		 * "physicaldrive 1I:1:1 (port 1I:box 1:bay 1, SAS, 900.1 GB,
		 * OK)", and ", spare)" after the status of a spare.
		 */
		if (strncmp(l.text, "physicaldrive ", 14) != 0)
			continue;
		{
			const char *open = strchr(l.text, '(');
			const char *close = strrchr(l.text, ')');
			size_t n = strcspn(l.text + 14, " ");

			if (open == NULL || close == NULL || close < open ||
			    n == 0 || n >= sizeof(name))
				return say(err, err_size, l.no, "physicaldrive "
				    "line not 'physicaldrive ID (..., STATUS)'");
			memcpy(name, l.text + 14, n);
			name[n] = '\0';
			fw_snprintf(inner, sizeof(inner), "%.*s",
			    (int)(close - open - 1), open + 1);
		}
		nf = 0;
		for (w = strtok_r(inner, ",", &save); w != NULL && nf < 8;
		    w = strtok_r(NULL, ",", &save)) {
			while (*w == ' ')
				w++;
			f[nf++] = w;
		}
		if (nf < 2)
			return say(err, err_size, l.no, "physicaldrive without "
			    "a status");
		spare = strcasecmp(f[nf - 1], "spare") == 0;
		if (spare)
			nf--;
		if (c->n_pds == HW_PD_MAX)
			continue;
		p = &c->pds[c->n_pds++];
		memset(p, 0, sizeof(*p));
		p->temp_c = NAN;
		p->eid = -1;
		p->slot = (int)c->n_pds - 1;
		p->did = -1;
		p->dg = spare ? -1 : array;
		fw_strlcpy(p->slot_name, name, sizeof(p->slot_name));
		fw_strlcpy(p->state, f[nf - 1], sizeof(p->state));
		fw_strlcpy(p->norm, ssacli_pd_norm(p->state, spare),
		    sizeof(p->norm));
		if (nf >= 3)
			fw_strlcpy(p->intf, f[1], sizeof(p->intf));
		/* The status is the drive's own verdict on prediction. */
		p->detailed = true;
		p->predictive = strcasecmp(p->state, "Predictive Failure") == 0;
	}
	return 0;
}

/* ---- arcconf ---- */

enum arc_section { ARC_NONE, ARC_CTRL, ARC_CACHE, ARC_LD, ARC_PD };

/* "71 C/ 159 F (Normal)", "-4 C/ 25 F", "30 deg C", "Normal": °C or NAN. */
static double
arc_temp(const char *s)
{
	char *end;
	double d = strtod(s, &end);

	if (end == s)
		return NAN;
	while (*end == ' ')
		end++;
	if (strncmp(end, "C", 1) == 0 || strncmp(end, "deg C", 5) == 0)
		return d > -60 && d < 250 ? d : NAN;
	return NAN;
}

/* "0", "12": an array number; -2 (membership by segments) otherwise. */
static int
arc_number(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	return end != s && *end == '\0' && n >= 0 && n < 65536 ? (int)n : -2;
}

static const char *
arc_ld_norm(const char *st)
{
	if (strcasecmp(st, "Optimal") == 0)
		return "Optl";
	if (strncasecmp(st, "Degraded", 8) == 0)
		return "Dgrd";
	if (strncasecmp(st, "Rebuilding", 10) == 0 ||
	    strncasecmp(st, "Impacted", 8) == 0)
		return "Rec";
	if (strncasecmp(st, "Failed", 6) == 0 ||
	    strncasecmp(st, "Offline", 7) == 0)
		return "OfLn";
	return "?";
}

static const char *
arc_pd_norm(const char *st)
{
	if (strcasecmp(st, "Online") == 0)
		return "Onln";
	if (strncasecmp(st, "Online (JBOD)", 13) == 0 ||
	    strcasecmp(st, "Raw (Pass Through)") == 0)
		return "JBOD";
	if (strncasecmp(st, "Rebuild", 7) == 0)
		return "Rbld";
	if (strcasecmp(st, "Failed") == 0 || strcasecmp(st, "Defunct") == 0 ||
	    strcasecmp(st, "Missing") == 0)
		return "Failed";
	if (strcasecmp(st, "Ready") == 0)
		return "UGood";
	if (strcasecmp(st, "Global Hot-Spare") == 0)
		return "GHS";
	if (strcasecmp(st, "Dedicated Hot-Spare") == 0)
		return "DHS";
	return "?";
}

/* The number s starts with, 0..65535 (an enclosure, a slot); false if none. */
static bool
leading_number(const char *s, int *ret)
{
	char *end;
	long n;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || n > 65535)
		return false;
	*ret = (int)n;
	return true;
}

/* "Enclosure 0, Slot 1" / "(Controller:1,Enclosure:0,Slot:0)": numbers. */
static bool
arc_location(const char *s, int *enc, int *slot)
{
	const char *e = strstr(s, "Enclosure");
	const char *sl = strstr(s, "Slot");

	if (e == NULL || sl == NULL)
		return false;
	e += 9;
	sl += 4;
	while (*e == ' ' || *e == ':')
		e++;
	while (*sl == ' ' || *sl == ':')
		sl++;
	return leading_number(e, enc) && leading_number(sl, slot);
}

/*
 * A drive's "Reported Location": "Enclosure 0, Slot 1"; arcconf 3.x says
 * "Enclosure Direct Attached, Slot 4(Connector 1:CN1)", a slot with no
 * enclosure (-1).  Older cards say "Connector 0, Device 2": no slot.
 */
static void
arc_reported(const char *s, int *enc, int *slot)
{
	const char *sl = strstr(s, "Slot ");

	if (arc_location(s, enc, slot))
		return;
	if (strncmp(s, "Enclosure Direct Attached", 25) == 0 && sl != NULL &&
	    leading_number(sl + 5, slot))
		*enc = -1;
}

/* A segment line of a logical device: which drive it is. */
static void
arc_segment(struct hw_ctrl *c, size_t vd, const char *val)
{
	const char *serial = strrchr(val, ' ');
	int enc, slot;
	size_t i;

	if (vd >= 64)
		return;
	const char *open = strchr(val, '(');
	int ch, dev;

	/*
	 * "Present (Controller:1,Enclosure:0,Slot:0)   WD-WCAW36362892": by
	 * place first (serials may be masked or shared), then by serial.
	 * Older cards name the place by channel and device: "Present (0,1)
	 * 9QJ3ZX84", "Inconsistent (0,5)" (a member gone, no serial).
	 */
	if (arc_location(val, &enc, &slot))
		for (i = 0; i < c->n_pds; i++)
			if (c->pds[i].eid == enc && c->pds[i].slot == slot) {
				c->pds[i].vd_mask |= 1ULL << vd;
				return;
			}
	if (open != NULL && sscanf(open, "(%d,%d)", &ch, &dev) == 2)
		for (i = 0; i < c->n_pds; i++)
			if (c->pds[i].chan == ch && c->pds[i].dev == dev) {
				c->pds[i].vd_mask |= 1ULL << vd;
				return;
			}
	if (serial != NULL && strchr(serial, ')') == NULL)
		for (i = 0; i < c->n_pds; i++)
			if (c->pds[i].serial[0] != '\0' &&
			    strcmp(c->pds[i].serial, serial + 1) == 0) {
				c->pds[i].vd_mask |= 1ULL << vd;
				return;
			}
}

int
arcconf_parse_config(const char *text, size_t len, int number,
    struct hw_report *out, int *ret_found, char *err, size_t err_size)
{
	/* Segment lines wait until every drive (and its serial) is known. */
	struct { size_t vd; char val[160]; } *segs;
	enum arc_section sec = ARC_NONE;
	char key[80], val[160];
	struct hw_ctrl *c;
	struct hw_vd *v = NULL;
	struct hw_pd *p = NULL;
	struct lines l;
	size_t n_segs = 0, i;
	bool pd_is_disk = false, seen = false;
	int found = -1, num;

	*ret_found = 0;
	if (out->n_ctrls == HW_CTRL_MAX)
		return 0;
	c = &out->ctrls[out->n_ctrls];
	memset(c, 0, offsetof(struct hw_ctrl, vds));
	c->n_vds = c->n_pds = 0;
	c->tool = HW_ARCCONF;
	c->index = number;
	c->ok = true;
	c->roc_temp_c = NAN;
	segs = calloc(HW_PD_MAX, sizeof(*segs));
	if (segs == NULL)
		return -ENOMEM;
	lines_init(&l, text, len);
	while (next_line(&l)) {
		const char *t = l.text;

		if (sscanf(t, "Controllers found: %d", &found) == 1)
			continue;
		if (strncmp(t, "Invalid controller number", 25) == 0) {
			free(segs);
			*ret_found = found;
			return 0;
		}
		/* Section headings. */
		if (strcasecmp(t, "Controller information") == 0) {
			sec = ARC_CTRL;
			seen = true;
			continue;
		}
		if (strncasecmp(t, "Controller Battery Information", 30) == 0 ||
		    strncasecmp(t, "Controller ZMM Information", 26) == 0 ||
		    strncasecmp(t, "Controller Cache Backup Unit", 28) == 0) {
			sec = ARC_CACHE;
			continue;
		}
		if (strncasecmp(t, "Controller Version Information", 30) ==
		    0 || strncasecmp(t, "Controller Vital Product", 24) == 0) {
			sec = ARC_NONE;
			continue;
		}
		/* "Logical drive ..." in the old IBM ServeRAID arcconf. */
		if (strncasecmp(t, "Logical device information", 26) == 0 ||
		    strncasecmp(t, "Logical drive information", 25) == 0) {
			sec = ARC_LD;
			continue;
		}
		if (strncasecmp(t, "Physical Device information", 27) == 0) {
			sec = ARC_PD;
			continue;
		}
		if (sec == ARC_LD && (strncasecmp(t, "Logical device number ",
		    22) == 0 || strncasecmp(t, "Logical drive number ", 21) ==
		    0)) {
			/* A drive whose number is none is not one to name. */
			if (c->n_vds == HW_VD_MAX ||
			    !leading_number(strstr(t, "umber ") + 6, &num)) {
				v = NULL;
				continue;
			}
			v = &c->vds[c->n_vds++];
			memset(v, 0, sizeof(*v));
			v->vd = num;
			v->dg = -2;	/* membership by segments, not group */
			continue;
		}
		if (sec == ARC_PD && strncmp(t, "Device #", 8) == 0) {
			p = NULL;
			pd_is_disk = false;
			continue;
		}
		if (sec == ARC_PD && strncmp(t, "Device is a", 11) == 0) {
			pd_is_disk = strstr(t, "Hard drive") != NULL ||
			    strstr(t, "Solid State") != NULL;
			if (pd_is_disk && c->n_pds < HW_PD_MAX) {
				p = &c->pds[c->n_pds++];
				memset(p, 0, sizeof(*p));
				p->temp_c = NAN;
				p->eid = -1;
				p->slot = (int)c->n_pds - 1;
				p->did = (int)c->n_pds - 1;
				p->dg = -1;
				p->chan = p->dev = -1;
				p->detailed = true;
			}
			continue;
		}
		if (!key_value(t, key, sizeof(key), val, sizeof(val)))
			continue;
		switch (sec) {
		case ARC_CTRL:
			if (strcmp(key, "Controller Status") == 0)
				fw_strlcpy(c->status, strcasecmp(val,
				    "Optimal") == 0 || strcasecmp(val, "Okay") ==
				    0 || strcasecmp(val, "OK") == 0 ?
				    "Optimal" : val, sizeof(c->status));
			else if (strcmp(key, "Controller Model") == 0)
				fw_strlcpy(c->model, val, sizeof(c->model));
			else if (strcmp(key, "Controller Serial Number") == 0)
				fw_strlcpy(c->serial, val, sizeof(c->serial));
			else if (strcmp(key, "Temperature") == 0 ||
			    strcmp(key, "Current Temperature") == 0)
				c->roc_temp_c = arc_temp(val);
			else if (strcmp(key, "Cache Status") == 0)
				fw_strlcpy(c->cache_status, val,
				    sizeof(c->cache_status));
			else if (strcmp(key, "Overall Backup Unit Status") ==
			    0 || strcmp(key, "Backup Power Status") == 0) {
				fw_strlcpy(c->cache_kind, "Backup Unit",
				    sizeof(c->cache_kind));
				fw_strlcpy(c->cache_state, val,
				    sizeof(c->cache_state));
			}
			break;
		case ARC_CACHE:
			if (strcmp(key, "Status") == 0) {
				fw_strlcpy(c->cache_kind, strstr(val, "ZMM") ?
				    "ZMM" : "Battery", sizeof(c->cache_kind));
				fw_strlcpy(c->cache_state, strncmp(val, "ZMM ",
				    4) == 0 ? val + 4 : val,
				    sizeof(c->cache_state));
			}
			break;
		case ARC_LD:
			if (v == NULL)
				break;
			if (strcmp(key, "RAID level") == 0)
				raid_type(val, v->type, sizeof(v->type));
			else if (strcasecmp(key, "Status of logical device") ==
			    0 || strcasecmp(key, "Status of logical drive") == 0) {
				fw_strlcpy(v->state, val, sizeof(v->state));
				fw_strlcpy(v->norm, arc_ld_norm(val),
				    sizeof(v->norm));
			} else if (strcasecmp(key, "Logical device name") == 0 ||
			    strcasecmp(key, "Logical drive name") == 0)
				fw_strlcpy(v->name, val, sizeof(v->name));
			else if (strcmp(key, "Array") == 0)	/* 3.x */
				v->dg = arc_number(val);
			else if ((strncmp(key, "Segment ", 8) == 0 ||
			    strncmp(key, "Group ", 6) == 0 ||
			    (strncmp(key, "Device ", 7) == 0 &&
			    isdigit((unsigned char)key[7]))) &&
			    n_segs < HW_PD_MAX) {
				segs[n_segs].vd = (size_t)(v - c->vds);
				fw_strlcpy(segs[n_segs++].val, val,
				    sizeof(segs[0].val));
			}
			break;
		case ARC_PD:
			if (p == NULL)
				break;
			if (strcmp(key, "State") == 0) {
				fw_strlcpy(p->state, val, sizeof(p->state));
				fw_strlcpy(p->norm, arc_pd_norm(val),
				    sizeof(p->norm));
			} else if (strcmp(key, "Reported Location") == 0) {
				arc_reported(val, &p->eid, &p->slot);
			} else if (strncmp(key, "Reported Channel,Device", 23) ==
			    0) {
				/* "0,2(2:0)": what old segments name. */
				if (sscanf(val, "%d,%d", &p->chan, &p->dev) != 2)
					p->chan = p->dev = -1;
			} else if (strcmp(key, "Array") == 0) {	/* 3.x */
				p->dg = arc_number(val) >= 0 ? arc_number(val) : -1;
			} else if (strcmp(key, "PFA") == 0) {
				/* Predictive Failure Analysis: the drive's own. */
				if (strcasecmp(val, "Yes") == 0 && p->predictive == 0)
					p->predictive = 1;
			} else if (strcmp(key, "Model") == 0) {
				fw_strlcpy(p->model, val, sizeof(p->model));
			} else if (strcmp(key, "Serial number") == 0 ||
			    strcmp(key, "Serial Number") == 0) {
				fw_strlcpy(p->serial, val, sizeof(p->serial));
			} else if (strcmp(key, "Firmware") == 0) {
				fw_strlcpy(p->firmware, val,
				    sizeof(p->firmware));
			} else if (strcmp(key, "S.M.A.R.T.") == 0) {
				p->smart_alert = strcasecmp(val, "Yes") == 0;
			} else if (strcmp(key, "S.M.A.R.T. warnings") == 0) {
				if (fw_parse_u64(val, 10, &p->predictive) < 0)
					p->predictive = 0;	/* not a count */
			} else if (strcmp(key, "Temperature") == 0 ||
			    strcmp(key, "Current Temperature") == 0) {
				p->temp_c = arc_temp(val);
			} else if (strcmp(key, "Transfer Speed") == 0) {
				fw_snprintf(p->intf, sizeof(p->intf), "%.4s",
				    val);
			}
			break;
		default:
			break;
		}
	}
	*ret_found = found;
	if (!seen) {
		free(segs);
		return say(err, err_size, l.no, "no \"Controller information\" "
		    "section: not arcconf's GETCONFIG output");
	}
	for (i = 0; i < n_segs; i++)
		arc_segment(c, segs[i].vd, segs[i].val);
	free(segs);
	for (i = 0; i < c->n_vds; i++)
		if (c->vds[i].state[0] == '\0')
			return say(err, err_size, l.no, "a logical device "
			    "without \"Status of logical device\"");
	for (i = 0; i < c->n_pds; i++)
		if (c->pds[i].state[0] == '\0')
			return say(err, err_size, l.no, "a drive without "
			    "\"State\"");
	out->n_ctrls++;
	return 0;
}

/* ---- ssacli "ctrl all show config detail" ---- */

enum cd_section { CD_NONE, CD_CTRL, CD_ARRAY, CD_LD, CD_PD };

/* "52": degrees Celsius, or NAN. */
static double
cd_temp(const char *s)
{
	char *end;
	double d = strtod(s, &end);

	return end != s && d > -60 && d < 250 ? d : NAN;
}

struct cd_state {
	enum cd_section	 sec;
	struct hw_ctrl	*c;
	struct hw_vd	*v;
	struct hw_pd	*p;
	int		 array;		/* letter - 'A', -1 unassigned */
	bool		 array_failed;
	bool		 spare;		/* the drive's "Drive Type" */
};

static void
cd_ctrl_key(struct hw_ctrl *c, const char *key, const char *val)
{
	if (strcmp(key, "Controller Status") == 0)
		fw_strlcpy(c->status, strcmp(val, "OK") == 0 ? "Optimal" : val,
		    sizeof(c->status));
	else if (strcmp(key, "Cache Status") == 0)
		fw_strlcpy(c->cache_status, val, sizeof(c->cache_status));
	else if (strcmp(key, "Battery/Capacitor Status") == 0) {
		fw_strlcpy(c->cache_kind, "Battery/Capacitor",
		    sizeof(c->cache_kind));
		fw_strlcpy(c->cache_state, strcmp(val, "OK") == 0 ? "Optimal" :
		    val, sizeof(c->cache_state));
	} else if (strcmp(key, "Serial Number") == 0)
		fw_strlcpy(c->serial, val, sizeof(c->serial));
	else if (strcmp(key, "Firmware Version") == 0)
		fw_strlcpy(c->firmware, val, sizeof(c->firmware));
	else if (strcmp(key, "Controller Temperature (C)") == 0)
		c->roc_temp_c = cd_temp(val);
}

static void
cd_pd_key(struct cd_state *st, const char *key, const char *val)
{
	struct hw_pd *p = st->p;

	if (strcmp(key, "Status") == 0) {
		fw_strlcpy(p->state, val, sizeof(p->state));
		p->predictive = strcasecmp(val, "Predictive Failure") == 0;
	} else if (strcmp(key, "Drive Type") == 0) {
		st->spare = strcasestr(val, "Spare") != NULL;
		if (st->spare || strcasestr(val, "Unassigned") != NULL)
			p->dg = -1;
	} else if (strcmp(key, "Interface Type") == 0)
		fw_strlcpy(p->intf, val, sizeof(p->intf));
	else if (strcmp(key, "Serial Number") == 0)
		fw_strlcpy(p->serial, val, sizeof(p->serial));
	else if (strcmp(key, "Model") == 0)
		fw_strlcpy(p->model, val, sizeof(p->model));
	else if (strcmp(key, "Firmware Revision") == 0)
		fw_strlcpy(p->firmware, val, sizeof(p->firmware));
	else if (strcmp(key, "Current Temperature (C)") == 0)
		p->temp_c = cd_temp(val);
	fw_strlcpy(p->norm, ssacli_pd_norm(p->state, st->spare),
	    sizeof(p->norm));
}

static void
cd_ld_key(struct cd_state *st, const char *key, const char *val)
{
	struct hw_vd *v = st->v;

	if (strcmp(key, "Status") == 0) {
		fw_strlcpy(v->state, val, sizeof(v->state));
		fw_strlcpy(v->norm, ssacli_ld_norm(val), sizeof(v->norm));
	} else if (strcmp(key, "Fault Tolerance") == 0)
		raid_type(val, v->type, sizeof(v->type));
	else if (strcmp(key, "Logical Drive Label") == 0)
		fw_strlcpy(v->name, val, sizeof(v->name));
}

/* A line at the array, logical drive or drive level: which one it opens. */
static bool
cd_open(struct cd_state *st, const struct lines *l)
{
	struct hw_ctrl *c = st->c;
	const char *t = l->text;
	int n;

	if (l->indent == 3 && strncmp(t, "Array: ", 7) == 0 &&
	    isalpha((unsigned char)t[7])) {
		st->array = toupper((unsigned char)t[7]) - 'A';
		st->sec = CD_ARRAY;
		st->array_failed = false;
		return true;
	}
	if (l->indent == 3) {	/* Unassigned, HBA Drives, a cage, a port */
		st->array = -1;
		st->sec = CD_NONE;
		return true;
	}
	if (l->indent == 6 && sscanf(t, "Logical Drive: %d", &n) == 1 &&
	    st->array >= 0) {
		st->sec = CD_NONE;
		if (c->n_vds == HW_VD_MAX)
			return true;
		st->v = &c->vds[c->n_vds++];
		memset(st->v, 0, sizeof(*st->v));
		st->v->dg = st->array;
		st->v->vd = n;
		if (st->array_failed)
			fw_snprintf(st->v->note, sizeof(st->v->note), "array %c "
			    "(Failed)", 'A' + st->array);
		st->sec = CD_LD;
		return true;
	}
	/* "physicaldrive 1I:1:3" opens its details; "(port ...)" lines list. */
	if (l->indent == 6 && strncmp(t, "physicaldrive ", 14) == 0 &&
	    strchr(t, '(') == NULL && t[14] != '\0') {
		st->sec = CD_NONE;
		if (c->n_pds == HW_PD_MAX)
			return true;
		st->p = &c->pds[c->n_pds++];
		memset(st->p, 0, sizeof(*st->p));
		st->p->temp_c = NAN;
		st->p->eid = -1;
		st->p->slot = (int)c->n_pds - 1;
		st->p->did = -1;
		st->p->dg = st->array;
		st->p->detailed = true;
		st->spare = false;
		fw_strlcpy(st->p->slot_name, t + 14, sizeof(st->p->slot_name));
		st->sec = CD_PD;
		return true;
	}
	return false;
}

int
ssacli_parse_config(const char *text, size_t len, struct hw_report *out,
    char *err, size_t err_size)
{
	struct cd_state st = { CD_NONE, NULL, NULL, NULL, -1, false, false };
	char key[80], val[128], model[HW_STR], slot[16];
	size_t i, first = out->n_ctrls;
	bool found = false;
	struct lines l;

	lines_init(&l, text, len);
	while (next_line(&l)) {
		if (strncmp(l.text, "Error: No controllers detected", 30) == 0)
			return 0;
		if (l.indent == 0 && ssacli_header(l.text, model,
		    sizeof(model), slot, sizeof(slot))) {
			found = true;
			st.c = ssacli_ctrl_new(out, model, slot);
			st.sec = st.c != NULL ? CD_CTRL : CD_NONE;
			st.array = -1;
			continue;
		}
		if (st.c == NULL)
			continue;
		if (l.text[0] == '\0') {
			if (st.sec == CD_CTRL)
				st.sec = CD_NONE;	/* its block ends */
			continue;
		}
		if (st.sec != CD_CTRL && cd_open(&st, &l))
			continue;
		if (!key_value(l.text, key, sizeof(key), val, sizeof(val)))
			continue;
		if (st.sec == CD_CTRL && l.indent == 3)
			cd_ctrl_key(st.c, key, val);
		else if (st.sec == CD_ARRAY && strcmp(key, "Status") == 0)
			st.array_failed = strcasecmp(val, "Failed") == 0;
		else if (st.sec == CD_LD && l.indent == 9)
			cd_ld_key(&st, key, val);
		else if (st.sec == CD_PD && l.indent == 9)
			cd_pd_key(&st, key, val);
	}
	if (!found)
		return say(err, err_size, l.no ? 1 : 0, "no \"... in Slot N\" "
		    "controller: not ssacli's \"ctrl all show config detail\"");
	for (i = first; i < out->n_ctrls; i++) {
		const struct hw_ctrl *c = &out->ctrls[i];
		size_t j;

		for (j = 0; j < c->n_vds; j++)
			if (c->vds[j].state[0] == '\0')
				return say(err, err_size, l.no, "a logical drive "
				    "without \"Status\"");
		for (j = 0; j < c->n_pds; j++)
			if (c->pds[j].state[0] == '\0')
				return say(err, err_size, l.no, "a physicaldrive "
				    "without \"Status\"");
	}
	return 0;
}
